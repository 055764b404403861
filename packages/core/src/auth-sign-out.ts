/**
 * `logout()` and `clear()`: the session forgets its identity, credentials and logins — in the
 * machine, in storage, in every tab, and in other sessions sharing the storage (a sign-out
 * record) — and every call waiting on the old identity rejects.
 */
import type { Latest } from './auth-latest.js';
import type { SessionScope } from './auth-wiring.js';
import { AbortError, StoppedError } from './errors.js';
import type { createLoginCalls } from './login-calls.js';
import type { LoginProvider } from './types.js';

/** The function behind `logout()` (`LOGOUT`) and `clear()` (`CLEAR`). */
export function createSignOut(
  { actor, store, tabs, signOutRecord, clock, secrets, isStopped, newEpoch, rejectAll }: SessionScope,
  latest: Latest,
  loginCalls: Pick<ReturnType<typeof createLoginCalls>, 'rejectAll'>,
  /** A provider's own sign-out, time-boxed. */
  signOutOf: (provider: LoginProvider) => Promise<void>,
  /** Tells the other tabs and clears storage under the pool's lock (`auth-tabs.ts`). */
  signOutEverywhere: () => Promise<void>,
) {
  async function forget(type: 'LOGOUT' | 'CLEAR') {
    if (isStopped()) throw new StoppedError();
    const providers = Object.values(actor.getSnapshot().context.logins)
      .map((entry) => entry.provider)
      .filter((provider): provider is LoginProvider => !!provider?.signOut);
    // First, before the machine starts anything new: every write of the work in flight is
    // dropped, and the removes are queued behind whatever it already sent.
    const cleared = store.clear();
    newEpoch();
    // Sessions sharing the storage without sharing tabs learn of it from a record (`sign-out-record.ts`).
    const record = tabs.mode === 'single' ? signOutRecord.own(clock.now()) : undefined;
    actor.send({ type });
    const ended = new AbortError(type === 'LOGOUT' ? 'The session logged out' : 'The session was cleared');
    rejectAll(ended);
    loginCalls.rejectAll(ended);
    // A provider's sign-out failing, throwing or never answering never fails or holds logout().
    const signOuts = type === 'LOGOUT' ? providers.map(signOutOf) : [];
    // After the keys are gone: a session that reads this record finds no identity before it.
    const recorded = record && cleared.then(() => store.saveSignOut(record));
    if (recorded) signOutRecord.writing(recorded);
    await Promise.all([cleared, recorded, signOutEverywhere(), ...signOuts]);
    // Their errors are reported: the signed-out session's secrets need not be known any longer
    // (what it holds now, a guest's credentials obtained meanwhile, still are).
    secrets.forget();
    latest.learnSecrets();
  }

  return forget;
}

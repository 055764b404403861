/**
 * The session's side of tab coordination (`tabs.ts` is the other): a sign-out in another tab is
 * followed here, what another tab obtained is adopted, and this session's own sign-out is told to
 * every tab and cleared from storage under the pool's lock.
 */
import type { SessionScope } from './auth-wiring.js';
import { AbortError } from './errors.js';
import { loadStampedIdentity, storeAdoptedFromMessage } from './session.js';
import { isNewer, type ReceivedTabMessage } from './tabs.js';

export function coordinateWithTabs({
  actor,
  tabs,
  store,
  deps,
  isStopped,
  newEpoch,
  rejectAll,
}: SessionScope) {
  /** `logout()`/`clear()` calls of this session whose sign-out is not recorded yet. */
  let signingOut = 0;

  /** A message from another tab. */
  function onMessage(message: ReceivedTabMessage) {
    if (isStopped()) return;
    if (message.type === 'signOut') {
      // Another tab logged out or cleared: forget here too, unless this session holds the
      // identity the origin has had since (it came after the sign-out), or none (it is already
      // asking for a new guest identity or signing in, or for nothing). A shared storage
      // is cleared already; a tab's own (sessionStorage, memory) is cleared here, unless a tab
      // has since stored a newer identity (then the sign-out's record is no longer the newest).
      const { identity } = actor.getSnapshot().context;
      if (identity && identity.identityId !== message.survivor?.identityId) {
        newEpoch();
        // What this session's work in flight would still write belongs to the signed-out identity.
        store.endLeases();
        actor.send({ type: 'LOGOUT' });
        rejectAll(new AbortError('The session logged out in another tab'));
      }
      void tabs
        .withLock(async (held) => {
          if (held.latest?.seq !== message.seq) return;
          // Not what a tab stored after the sign-out (it may have closed since, taking its record).
          const stored = await loadStampedIdentity(store);
          if (stored?.stamp && isNewer(stored.stamp, { seq: message.seq, signedOutAt: message.seq })) return;
          await store.removeKeys();
        })
        .catch(() => {});
      return;
    }
    // Until this tab's own sign-out is recorded, what other tabs obtained before it is about to
    // be signed out too.
    if (signingOut > 0) return;
    adoptFromAnotherTab(message);
  }

  /**
   * What another tab obtained, offered to the machine (SYNC); when adopted, stored here too (with
   * the publisher's stamp) as if this tab had obtained it, so a tab with storage of its own
   * (sessionStorage) restores it after a reload.
   */
  function adoptFromAnotherTab(message: Exclude<ReceivedTabMessage, { type: 'signOut' }>) {
    const before = actor.getSnapshot().context;
    const credentials = message.type === 'credentials' ? message.credentials : undefined;
    const logins = message.type === 'credentials' ? message.logins : undefined;
    actor.send({ type: 'SYNC', identity: message.identity, credentials, logins });
    const after = actor.getSnapshot().context;
    if (after.identity === before.identity && after.credentials === before.credentials) return;
    const holds = () => actor.getSnapshot().context.identity?.identityId === message.identity.identityId;
    if (!holds()) return;
    void storeAdoptedFromMessage(
      deps,
      {
        identity: message.identity,
        credentials: after.credentials === credentials ? credentials : undefined,
      },
      message,
      () => !isStopped() && holds(),
    );
  }

  /**
   * The other tabs are told at once, without waiting for the pool's lock (they forget, their
   * requests in flight are aborted); then, under the lock, after any other tab's write in
   * progress, storage is cleared — unless a tab has stored an identity made after the sign-out.
   */
  async function signOutEverywhere() {
    if (tabs.mode !== 'tabs') return;
    let signedOut: Awaited<ReturnType<typeof tabs.signOut>>;
    signingOut++;
    try {
      signedOut = await tabs.signOut();
    } finally {
      signingOut--;
    }
    await tabs.withLock(async () => {
      const stored = signedOut && (await loadStampedIdentity(store));
      if (signedOut && stored?.stamp && isNewer(stored.stamp, signedOut)) return;
      // Again under the lock, after another tab's write in progress (leases stay: the work this
      // session began since is the next identity's). `forget()` cleared this session's storage.
      await store.removeKeys();
    });
  }

  return { onMessage, signOutEverywhere };
}

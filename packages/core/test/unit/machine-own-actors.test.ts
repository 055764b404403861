/**
 * The machine's own actors are `session.ts` and `login-transaction.ts`: the other machine unit
 * tests swap them for deferreds; these run the machine as `auth.ts` does — not provided — over an
 * in-memory storage and an in-process transport, to check that each named actor does its work
 * (restore, GetId, GetCredentialsForIdentity, the login's request, save and undo). Rule 3 of
 * design.md §4 is checked on the way: the identity is stored before credentials are handed out.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type IdentityPoolEmitted, type IdentityPoolEvent, identityPoolMachine } from '../../src/machine.js';
import { resolveOptions } from '../../src/options.js';
import type { SessionDeps } from '../../src/session.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { SessionStore } from '../../src/storage/session-store.js';
import type { CognitoIdentityTransport, StorageAdapter } from '../../src/types.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { IDENTITY_A, IDENTITY_B, POOL_ID } from '../support/fixtures.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const GOOGLE = 'accounts.google.com';

/** GetId: IDENTITY_B for a Google login, IDENTITY_A for a guest; credentials for whichever is asked. */
function inProcessTransport(): CognitoIdentityTransport & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    getId: async ({ logins }) => {
      calls.push(`GetId ${Object.keys(logins ?? {}).join(',')}`);
      return { identityId: logins?.[GOOGLE] ? IDENTITY_B : IDENTITY_A };
    },
    getCredentialsForIdentity: async ({ identityId, logins }) => {
      calls.push(`GetCredentialsForIdentity ${identityId} ${Object.keys(logins ?? {}).join(',')}`);
      // A guest identity linked to the Google login is merged into the login's own.
      const owner = logins?.[GOOGLE] ? IDENTITY_B : identityId;
      return {
        identityId: owner,
        credentials: {
          accessKeyId: `ASIA${calls.length}`,
          secretAccessKey: 'secret',
          sessionToken: 'session',
          expiration: new Date(T0 + HOUR),
        },
      };
    },
  };
}

/** An adapter over `memoryStorage` whose writes can be held until released. */
function holdableStorage() {
  const memory = memoryStorage();
  const held: (() => void)[] = [];
  let holding = false;
  const later = (write: () => unknown): Promise<void> | undefined => {
    if (!holding) {
      write();
      return undefined;
    }
    return new Promise<void>((resolve) =>
      held.push(() => {
        write();
        resolve();
      }),
    );
  };
  const adapter: StorageAdapter = {
    getItem: (key) => memory.getItem(key),
    setItem: (key, value) => later(() => memory.setItem(key, value)),
    removeItem: (key) => later(() => memory.removeItem(key)),
  };
  return {
    adapter,
    hold: () => {
      holding = true;
    },
    releaseAll: () => {
      holding = false;
      for (const write of held.splice(0)) write();
    },
  };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

function session(adapter: StorageAdapter, transport: CognitoIdentityTransport) {
  const clock = new ControlledClock(T0);
  const options = resolveOptions({ identityPoolId: POOL_ID, transport });
  const deps: SessionDeps = {
    options,
    transport,
    store: new SessionStore(adapter, 'own', POOL_ID, () => {}),
    clock,
  };
  const actor = createActor(identityPoolMachine, { input: { deps }, clock });
  const emitted: IdentityPoolEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  return {
    actor,
    emitted,
    store: deps.store,
    async send(event: IdentityPoolEvent) {
      actor.send(event);
      await settle();
    },
  };
}

describe('the machine’s own actors do the session’s work', () => {
  it('restore, GetId, GetCredentialsForIdentity: the identity stored first, a new session restores it', async () => {
    const storage = memoryStorage();
    const transport = inProcessTransport();
    const s = session(storage, transport);
    await settle();
    expect(s.actor.getSnapshot().value).toBe('unauthenticated');
    await s.send({ type: 'CREDENTIALS.NEEDED' });
    expect(transport.calls).toEqual(['GetId ', `GetCredentialsForIdentity ${IDENTITY_A} `]);
    expect(s.actor.getSnapshot().value).toBe('credentialed');
    expect(s.actor.getSnapshot().context.credentials?.accessKeyId).toBe('ASIA2');
    expect(await s.store.loadIdentity()).toEqual({
      identityId: IDENTITY_A,
      authenticated: false,
      providers: [],
    });
    s.actor.stop();

    const again = session(storage, transport);
    await settle();
    expect(again.actor.getSnapshot().value).toBe('identified');
    expect(again.actor.getSnapshot().context.identity?.identityId).toBe(IDENTITY_A);
    again.actor.stop();
  });

  it('a login is requested, saved and committed: the merged identity stored', async () => {
    const storage = memoryStorage();
    const transport = inProcessTransport();
    const s = session(storage, transport);
    await s.send({ type: 'CREDENTIALS.NEEDED' });
    await s.send({ type: 'LOGIN', ticket: 1, providerName: GOOGLE, token: 'google-token' });
    expect(s.actor.getSnapshot().value).toEqual({ authenticated: 'credentialed' });
    expect(s.emitted.filter((e) => e.type === 'identityChanged').at(-1)).toMatchObject({
      previousIdentityId: IDENTITY_A,
      identityId: IDENTITY_B,
      reason: 'merged',
    });
    expect((await s.store.loadIdentity())?.identityId).toBe(IDENTITY_B);
    s.actor.stop();
  });

  it('a login cancelled while saved is undone: storage holds the committed session again', async () => {
    const storage = holdableStorage();
    const transport = inProcessTransport();
    const s = session(storage.adapter, transport);
    await s.send({ type: 'CREDENTIALS.NEEDED' });
    storage.hold();
    await s.send({ type: 'LOGIN', ticket: 1, providerName: GOOGLE, token: 'google-token' });
    expect(s.actor.getSnapshot().value).toEqual({ loggingIn: 'saving' });
    await s.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    storage.releaseAll();
    await settle();
    expect(s.actor.getSnapshot().value).toBe('credentialed');
    expect((await s.store.loadIdentity())?.identityId).toBe(IDENTITY_A);
    s.actor.stop();
  });
});

/**
 * Issue 12 §1: logout(), clear() and clearCredentials() leave nothing behind, whatever is in
 * flight. The session persists its credentials (`persistCredentials`) over adapters of every
 * timing; the sign-out lands while the session is writing — the initial fetch, a refresh, a
 * login — and once its promise resolves, and again once every call has landed, none of the
 * pool's keys holds a value (for clearCredentials(): the credentials key).
 */
import { describe, expect, it } from 'vitest';
import { createIdentityPoolAuth, type IdentityPoolAuth } from '../../src/index.js';
import { storageKeys } from '../../src/storage/session-store.js';
import type { CognitoIdentityTransport } from '../../src/types.js';
import { adapterKinds, type TestAdapter } from '../support/adapters.js';
import { IDENTITY_A, IDENTITY_B, POOL_ID } from '../support/fixtures.js';

const HOUR = 3_600_000;
const keys = storageKeys('identity-pool', POOL_ID);
const FACEBOOK = 'graph.facebook.com';

/**
 * A service that answers at once — until `hold()`: from then on requests wait (until their
 * signal aborts), so nothing the session fetches after the sign-out can mask a stale write.
 */
function transport() {
  let guests = 0;
  let issued = 0;
  let held = false;
  const waitIfHeld = (signal: AbortSignal | undefined) =>
    held
      ? new Promise<never>((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        )
      : Promise.resolve();
  const service: CognitoIdentityTransport & { hold(): void } = {
    hold: () => {
      held = true;
    },
    getId: async ({ logins, signal }) => {
      await waitIfHeld(signal);
      return { identityId: logins ? IDENTITY_B : guests++ ? IDENTITY_B : IDENTITY_A };
    },
    getCredentialsForIdentity: async ({ identityId, signal }) => {
      await waitIfHeld(signal);
      issued++;
      return {
        identityId,
        credentials: {
          accessKeyId: `ASIA${issued}`,
          secretAccessKey: 'secret',
          sessionToken: 'token',
          expiration: new Date(Date.now() + HOUR),
        },
      };
    },
  };
  return service;
}

const settle = (ms = 120) => new Promise((resolve) => setTimeout(resolve, ms));

type Phase = 'initial fetch' | 'refresh' | 'login';
type Forget = 'logout' | 'clear' | 'clearCredentials';
type Moment = 'identity' | 'identity, with the credentials' | 'credentials';

/** The `nth` write of `key` the session makes in that phase. */
const moments: Record<Moment, { key: string; nth: number }> = {
  identity: { key: keys.identity, nth: 1 },
  // In the initial fetch, the first identity write is GetId's; the second comes with the credentials.
  'identity, with the credentials': { key: keys.identity, nth: 2 },
  credentials: { key: keys.credentials, nth: 1 },
};

/** Starts the phase's work and calls `forget` as the session's write at `moment` is received. */
async function raceForget(adapter: TestAdapter, phase: Phase, forget: Forget, moment: Moment) {
  const service = transport();
  const auth = createIdentityPoolAuth({
    identityPoolId: POOL_ID,
    storage: adapter,
    persistCredentials: true,
    transport: service,
  });
  if (phase !== 'initial fetch') await auth.getCredentials();
  const { key, nth } = moments[moment];
  let seen = 0;
  let forgotten: Promise<void> | undefined;
  adapter.onSetItem = (written) => {
    if (written !== key || ++seen !== nth) return;
    service.hold();
    forgotten = Promise.resolve().then(() => auth[forget]());
  };
  const work =
    phase === 'login'
      ? auth.login({ providerName: FACEBOOK, token: 'login-token' })
      : auth.getCredentials(phase === 'refresh' ? { forceRefresh: true } : undefined);
  work.catch(() => {}); // a sign-out aborts it; after clearCredentials it waits for the held service
  for (let i = 0; i < 100 && !forgotten; i++) await settle(5);
  expect(forgotten, `the session never made write ${nth} of ${key}`).toBeDefined();
  return { auth, forgotten: forgotten as Promise<void> };
}

/**
 * What the sign-out should have removed: any key of the pool but its sign-out record (which the
 * sign-out itself writes: a random ID and a time, no identity, no secret); for
 * clearCredentials(), the credentials.
 */
const leftBehind = (adapter: TestAdapter, forget: Forget) =>
  [...adapter.items.keys()].filter((key) =>
    forget === 'clearCredentials'
      ? key === keys.credentials
      : key.includes(POOL_ID) && key !== keys.signedOut,
  );

describe.each(adapterKinds)('over a %s adapter, with persistCredentials', (_name, make) => {
  const cases: Array<[Forget, Phase, Moment]> = [];
  for (const phase of ['initial fetch', 'refresh', 'login'] as const)
    for (const forget of ['logout', 'clear', 'clearCredentials'] as const)
      for (const moment of Object.keys(moments) as Moment[])
        if (phase === 'initial fetch' || moment !== 'identity, with the credentials')
          cases.push([forget, phase, moment]);

  it.each(cases)('%s during the %s, as it writes the %s: nothing left', async (forget, phase, moment) => {
    const adapter = make();
    const { auth, forgotten } = await raceForget(adapter, phase, forget, moment);
    await forgotten;
    expect(leftBehind(adapter, forget)).toEqual([]);
    await settle();
    await adapter.drain();
    expect(leftBehind(adapter, forget)).toEqual([]);
    auth.stop();
  });

  it('work begun after logout() is stored as usual', async () => {
    const adapter = make();
    const auth = createIdentityPoolAuth({
      identityPoolId: POOL_ID,
      storage: adapter,
      persistCredentials: true,
      transport: transport(),
    });
    await auth.getCredentials();
    const loggedOut = auth.logout();
    const next = auth.getCredentials();
    await loggedOut;
    const credentials = await next;
    await adapter.drain();
    expect(credentials.identityId).toBe(IDENTITY_B);
    expect(JSON.parse(adapter.items.get(keys.identity) ?? '{}').identityId).toBe(IDENTITY_B);
    expect(JSON.parse(adapter.items.get(keys.credentials) ?? '{}').accessKeyId).toBe(credentials.accessKeyId);
    auth.stop();
  });
});

export type { IdentityPoolAuth };

/**
 * `stop()` is not a sign-out (what is stored stays stored), but it frees the storage namespace
 * for the next session: after it returns, the stopped session sends the adapter no write of work
 * it began before — else that write could land on what the next session stored. A write the
 * adapter had already received by then may still land (nothing can call it back); everything
 * queued behind it, or still to come from a request in flight, is dropped. Mocks: the service
 * answers at once (the timing under test is storage's), over adapters of every timing.
 */
import { describe, expect, it } from 'vitest';
import { createIdentityPoolAuth } from '../../src/index.js';
import { storageKeys } from '../../src/storage/session-store.js';
import type { CognitoIdentityTransport } from '../../src/types.js';
import { adapterKinds, type TestAdapter } from '../support/adapters.js';
import { IDENTITY_A, IDENTITY_B, POOL_ID } from '../support/fixtures.js';

const HOUR = 3_600_000;
const keys = storageKeys('identity-pool', POOL_ID);
const settle = (ms = 120) => new Promise((resolve) => setTimeout(resolve, ms));

function transport(): CognitoIdentityTransport {
  let issued = 0;
  return {
    getId: async ({ logins }) => ({ identityId: logins ? IDENTITY_B : IDENTITY_A }),
    getCredentialsForIdentity: async ({ identityId }) => ({
      identityId,
      credentials: {
        accessKeyId: `ASIA${++issued}`,
        secretAccessKey: 'secret',
        sessionToken: 'token',
        expiration: new Date(Date.now() + HOUR),
      },
    }),
  };
}

type Phase = 'initial fetch' | 'refresh' | 'login';

/** Stops the session as the adapter receives its `nth` identity write of `phase`; returns what it received after. */
async function stopWhileWriting(adapter: TestAdapter, phase: Phase, nth: number) {
  const auth = createIdentityPoolAuth({
    identityPoolId: POOL_ID,
    storage: adapter,
    persistCredentials: true,
    transport: transport(),
  });
  if (phase !== 'initial fetch') await auth.getCredentials();
  let seen = 0;
  let stopped = false;
  const afterStop: string[] = [];
  adapter.onSetItem = (key) => {
    if (stopped) afterStop.push(key);
    else if (key === keys.identity && ++seen === nth)
      void Promise.resolve().then(() => {
        auth.stop();
        stopped = true;
      });
  };
  const work =
    phase === 'login'
      ? auth.login({ providerName: 'graph.facebook.com', token: 'login-token' })
      : auth.getCredentials(phase === 'refresh' ? { forceRefresh: true } : undefined);
  work.catch(() => {}); // rejected with StoppedError
  for (let i = 0; i < 100 && !stopped; i++) await settle(5);
  expect(stopped, `the session never made identity write ${nth}`).toBe(true);
  await settle();
  await adapter.drain();
  return afterStop;
}

describe.each(adapterKinds)('stop() over a %s adapter, with persistCredentials', (_name, make) => {
  const cases: Array<[Phase, number]> = [
    ['initial fetch', 1],
    ['initial fetch', 2],
    ['refresh', 1],
    ['login', 1],
  ];
  it.each(cases)(
    'during the %s, as it writes the identity (write %i): no write sent after stop()',
    async (phase, nth) => {
      expect(await stopWhileWriting(make(), phase, nth)).toEqual([]);
    },
  );
});

describe.each(adapterKinds)('logout() then stop() at once, over a %s adapter', (_name, make) => {
  it('the sign-out still completes: keys removed, sign-out record written', async () => {
    const adapter = make();
    const auth = createIdentityPoolAuth({
      identityPoolId: POOL_ID,
      storage: adapter,
      persistCredentials: true,
      transport: transport(),
    });
    await auth.getCredentials();
    const loggedOut = auth.logout();
    auth.stop();
    await loggedOut.catch(() => {});
    await settle();
    await adapter.drain();
    expect(adapter.items.has(keys.identity)).toBe(false);
    expect(adapter.items.has(keys.credentials)).toBe(false);
    expect(adapter.items.has(keys.signedOut)).toBe(true);
  });
});

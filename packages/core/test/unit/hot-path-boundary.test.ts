/**
 * `getCredentials()`'s hot path (a cached promise after one comparison, `usableUntil` in
 * auth-latest.ts) serves credentials while more than a minute of their life is left on the
 * SERVICE's clock, and not a millisecond longer: at the boundary the call goes to the service.
 */
import { describe, expect, it } from 'vitest';
import { createIdentityPoolAuth, memoryStorage } from '../../src/index.js';
import { MIN_CREDENTIAL_LIFETIME_MS } from '../../src/session.js';
import type { CognitoIdentityTransport } from '../../src/types.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { credentialsFor, IDENTITY_A, POOL_ID } from '../support/fixtures.js';

const START = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

function session(serverAheadMs: number) {
  const clock = new ControlledClock(START);
  let calls = 0;
  const transport: CognitoIdentityTransport = {
    getId: async () => ({ identityId: IDENTITY_A }),
    getCredentialsForIdentity: async () => {
      calls++;
      const serverNow = clock.now() + serverAheadMs;
      return {
        identityId: IDENTITY_A,
        credentials: credentialsFor(IDENTITY_A, serverNow + HOUR, `c${calls}`),
        serverTime: serverNow,
      };
    },
  };
  const auth = createIdentityPoolAuth({
    identityPoolId: POOL_ID,
    transport,
    storage: memoryStorage(),
    clock,
    coordinateTabs: false,
    refreshWindowSeconds: 0,
  });
  return { auth, clock, calls: () => calls };
}

describe('the hot path serves cached credentials until a minute before their expiry, by the service clock', () => {
  it.each([
    ['no skew', 0],
    ['the service 10 minutes ahead', 10 * 60_000],
    ['the service 10 minutes behind', -10 * 60_000],
  ])('%s', async (_name, serverAheadMs) => {
    const { auth, clock, calls } = session(serverAheadMs);
    const first = await auth.getCredentials();
    expect(calls()).toBe(1);
    // The session's estimate of the skew: the `Date` header's second, read at its middle
    // (+500 ms), and none under two seconds (clock.ts, `noteServerTime`).
    const offset = serverAheadMs === 0 ? 0 : serverAheadMs + 500;
    // On the local clock, the last usable moment is expiry − skew − one minute − 1 ms.
    const lastUsable = first.expiration.getTime() - offset - MIN_CREDENTIAL_LIFETIME_MS - 1;
    clock.jump(lastUsable - clock.now());
    const pending = auth.getCredentials();
    // The hot path itself, not a waiter settled by the snapshot: the one shared promise.
    expect(auth.getCredentials()).toBe(pending);
    expect(await pending).toBe(first);
    expect(calls()).toBe(1);
    clock.jump(1);
    const renewed = await auth.getCredentials();
    expect(calls()).toBe(2);
    expect(renewed).not.toBe(first);
    auth.stop();
  });
});

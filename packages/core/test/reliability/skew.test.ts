/**
 * Clock skew: the service's clock runs 15 minutes behind, on time, or 15 minutes ahead of the
 * client's. The session estimates the offset from the response `Date` header (or, without one,
 * from the credentials' `Expiration`) and makes every expiry decision on the corrected clock:
 * over a simulated day no caller gets credentials that are expired (or have under a minute left)
 * by the SERVICE's clock, and refreshes stay at about one an hour.
 */
import { describe, expect, it } from 'vitest';
import { fetchTransport, sdkTransport } from '../../src/index.js';
import { spreadRefreshDelay } from '../../src/refresh-spread.js';
import type { CognitoIdentityTransport } from '../../src/types.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { useEmulator } from '../support/emulator.js';
import { IDENTITY_A, POOL_ID } from '../support/fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const clock = new ControlledClock(Date.UTC(2026, 5, 1));
const env = useEmulator({ clock });

/** Lets real I/O finish while simulated time stands still (or moves in small steps while a request waits). */
async function settle(busy: () => boolean) {
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 500 && busy(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

const transports = {
  sdk: () => sdkTransport({ region: 'us-east-1', endpoint: env.emulator.endpoint }),
  fetch: () => fetchTransport({ endpoint: env.emulator.endpoint }),
  /** A transport that drops `serverTime`: the estimate falls back to `Expiration`. */
  'no Date header': (): CognitoIdentityTransport => {
    const inner = fetchTransport({ endpoint: env.emulator.endpoint });
    return {
      getId: async (input) => ({ identityId: (await inner.getId(input)).identityId }),
      getCredentialsForIdentity: async (input) => {
        const { identityId, credentials } = await inner.getCredentialsForIdentity(input);
        return { identityId, credentials };
      },
    };
  },
};

describe('clock skew over a simulated day', () => {
  const cases = [-15, 0, 15].flatMap((skew) =>
    Object.keys(transports).map((name) => [skew, name] as [number, keyof typeof transports]),
  );
  it.each(cases)(
    'service clock %i min off, %s transport: nothing expired handed out, no storm',
    async (skewMinutes, name) => {
      env.emulator.setClockOffset(skewMinutes * MINUTE);
      try {
        const pool = env.pool();
        const auth = env.auth({ identityPoolId: pool, transport: transports[name]() });
        const busy = () => Object.keys(auth.actor.getSnapshot().children).length > 0;
        let handedOut = 0;
        let minLife = Number.POSITIVE_INFINITY;
        for (let minute = 0; minute < 24 * 60; minute++) {
          // A caller every minute (the hot path, or a wait for a refresh in flight).
          const pending = auth.getCredentials();
          await settle(busy);
          const credentials = await pending;
          handedOut++;
          const serviceNow = clock.now() + skewMinutes * MINUTE;
          minLife = Math.min(minLife, credentials.expiration.getTime() - serviceNow);
          clock.advance(MINUTE);
          await settle(busy);
        }
        const refreshes = env.calls(pool, 'GetCredentialsForIdentity').length;
        // By the service's clock, never under a minute of life.
        expect(minLife).toBeGreaterThan(MINUTE);
        // About one refresh per 55 minutes (refreshWindowSeconds 300): 24 h → 27; −15 min without the
        // Date header refreshes every 40 minutes (safe: its estimate only ever corrects the other way).
        // Each period is shorter by this identity's share of the window (the refresh spread).
        const period = (skewMinutes < 0 && name === 'no Date header' ? 40 : 55) * MINUTE;
        const spread = period - spreadRefreshDelay(period, 5 * MINUTE, auth.getCachedIdentityId());
        const ceiling = Math.ceil((24 * 60 * MINUTE) / (period - spread)) + 1;
        expect(refreshes).toBeGreaterThanOrEqual(24);
        expect(refreshes).toBeLessThanOrEqual(ceiling);
        expect(env.calls(pool, 'GetId')).toHaveLength(1);
        expect(handedOut).toBe(24 * 60);
        console.log(
          `skew ${skewMinutes} min, ${name}: ${refreshes} GetCredentialsForIdentity in 24 h, min life ${Math.round(minLife / 1000)} s`,
        );
      } finally {
        env.emulator.setClockOffset(0);
      }
    },
    60_000,
  );

  it('a device waking with the service 15 min ahead gets fresh credentials, not ones expired by the service', async () => {
    env.emulator.setClockOffset(15 * MINUTE);
    try {
      const pool = env.pool();
      const auth = env.auth({ identityPoolId: pool, transport: transports.fetch() });
      const first = await auth.getCredentials();
      // Locally the credentials have 75 minutes; by the service's clock, 60.
      expect(first.expiration.getTime() - clock.now()).toBe(75 * MINUTE);
      clock.jump(59.5 * MINUTE); // the timer never fired (sleep); by the service: 30 s left
      const second = await auth.getCredentials();
      expect(second.accessKeyId).not.toBe(first.accessKeyId);
      expect(second.expiration.getTime() - (clock.now() + 15 * MINUTE)).toBeGreaterThan(59 * MINUTE);
    } finally {
      env.emulator.setClockOffset(0);
    }
  });
});

describe('the skew estimate', () => {
  it('fetchTransport reports the Date header as serverTime', async () => {
    const date = 'Mon, 01 Jun 2026 12:00:00 GMT';
    const transport = fetchTransport({
      endpoint: 'https://example.test/',
      fetch: async () => ({
        status: 200,
        headers: { get: (name: string) => (name.toLowerCase() === 'date' ? date : null) },
        text: async () => JSON.stringify({ IdentityId: IDENTITY_A }),
      }),
    });
    expect(await transport.getId({ identityPoolId: POOL_ID })).toEqual({
      identityId: IDENTITY_A,
      serverTime: Date.parse(date),
    });
  });

  it('fetchTransport ignores a missing or garbage Date header', async () => {
    for (const value of [null, 'not a date', 'x'.repeat(100_000)]) {
      const transport = fetchTransport({
        endpoint: 'https://example.test/',
        fetch: async () => ({
          status: 200,
          headers: { get: (name: string) => (name.toLowerCase() === 'date' ? value : null) },
          text: async () => JSON.stringify({ IdentityId: IDENTITY_A }),
        }),
      });
      expect((await transport.getId({ identityPoolId: POOL_ID })).serverTime).toBeUndefined();
    }
  });

  it('sdkTransport reports the Date header as serverTime', async () => {
    env.emulator.setClockOffset(-15 * MINUTE);
    try {
      const out = await transports.sdk().getId({ identityPoolId: env.pool() });
      expect(out.serverTime).toBeDefined();
      expect(Math.abs((out.serverTime as number) - (clock.now() - 15 * MINUTE))).toBeLessThan(1_000);
    } finally {
      env.emulator.setClockOffset(0);
    }
  });

  it('an Expiration more than an hour away means the service is ahead; less is not taken as skew', async () => {
    const local = new ControlledClock(Date.UTC(2026, 5, 1));
    const { createIdentityPoolAuth } = await import('../../src/index.js');
    for (const [lifeMinutes, expectRefreshAfterMinutes] of [
      [75, 55], // service 15 min ahead: refresh 5 min before the SERVICE's expiry
      [45, 40], // behind, or shorter-lived: refresh 5 min before local expiry (safe)
    ] as const) {
      let calls = 0;
      const auth = createIdentityPoolAuth({
        identityPoolId: POOL_ID,
        clock: local,
        transport: {
          getId: async () => ({ identityId: IDENTITY_A }),
          getCredentialsForIdentity: async () => {
            calls++;
            return {
              identityId: IDENTITY_A,
              credentials: {
                accessKeyId: `AKIA${calls}`,
                secretAccessKey: 'secret',
                sessionToken: 'token',
                expiration: new Date(local.now() + lifeMinutes * MINUTE),
              },
            };
          },
        },
      });
      await auth.getCredentials();
      // Earlier by this identity's share of the window (the refresh spread).
      const delay = expectRefreshAfterMinutes * MINUTE;
      const spread = delay - spreadRefreshDelay(delay, 5 * MINUTE, IDENTITY_A);
      local.advance(delay - spread - 0.5 * MINUTE);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(calls).toBe(1);
      local.advance(1 * MINUTE);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(calls).toBe(2);
      auth.stop();
      expect(local.pending).toBe(0);
    }
    void HOUR;
  });
});

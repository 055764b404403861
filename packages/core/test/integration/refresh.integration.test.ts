/**
 * Rule 1 on simulated time: the emulator and the session share one controlled clock, so an hour
 * passes in milliseconds and the refresh timer is the session's own.
 */
import { describe, expect, it } from 'vitest';
import type { IdentityPoolAuth } from '../../src/index.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { recordEvents, useEmulator } from '../support/emulator.js';

const clock = new ControlledClock(Date.now());
const env = useEmulator({ clock });
const MINUTE = 60_000;

/** Resolves at the session's next `credentials` event. */
const nextCredentials = (auth: IdentityPoolAuth) =>
  new Promise<{ identityId: string; expiration: Date }>((resolve) => {
    const off = auth.on('credentials', (event) => {
      off();
      resolve(event);
    });
  });

describe('rule 1: refreshed ahead of expiry, never handed out with under a minute left', () => {
  it('the refresh timer fires refreshWindowSeconds before expiry, with no caller asking', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool, refreshWindowSeconds: 300 });
    const first = await auth.getCredentials();
    expect(first.expiration.getTime()).toBe(clock.now() + 60 * MINUTE);
    const refreshed = nextCredentials(auth);
    // 5 minutes before expiry, earlier by this identity's share of the window (the refresh
    // spread, at most the window itself): not before 10 minutes before expiry.
    clock.advance(50 * MINUTE - 1);
    expect(auth.getState().status).toBe('credentialed');
    expect(env.calls(pool, 'GetCredentialsForIdentity')).toHaveLength(1);
    clock.advance(5 * MINUTE + 1); // now 5 minutes before expiry
    expect(auth.getState().status).toBe('refreshing');
    const event = await refreshed;
    expect(event.expiration.getTime()).toBe(clock.now() + 60 * MINUTE);
    expect(env.calls(pool, 'GetCredentialsForIdentity')).toHaveLength(2);
    const second = await auth.getCredentials();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(second.identityId).toBe(first.identityId);
  });

  it('credentials with less than a minute left are never returned: the caller waits for fresh ones', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const first = await auth.getCredentials();
    clock.jump(59.5 * MINUTE); // a device waking from sleep: the timer has not fired yet
    const second = await auth.getCredentials();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(second.expiration.getTime() - clock.now()).toBeGreaterThan(59 * MINUTE);
  });

  it('inside the refresh window but with more than a minute left, the cached credentials are served', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const first = await auth.getCredentials();
    clock.jump(57 * MINUTE);
    expect(await auth.getCredentials()).toBe(first);
  });

  it('a failing background refresh keeps serving the still-valid credentials and tries again', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool, retry: { maxAttempts: 1 } });
    const events = recordEvents(auth);
    const first = await auth.getCredentials();
    env.emulator.faults.inject({ kind: 'internal', operation: 'GetCredentialsForIdentity', count: 1 });
    const failed = new Promise((resolve) => auth.on('error', resolve));
    clock.advance(55 * MINUTE);
    await failed;
    expect(auth.getState().status).toBe('credentialed');
    expect(await auth.getCredentials()).toBe(first);
    const refreshed = nextCredentials(auth);
    clock.advance(MINUTE); // the retry timer (back-off after a failed refresh) fires well before expiry
    await refreshed;
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
    expect((await auth.getCredentials()).accessKeyId).not.toBe(first.accessKeyId);
  });

  it('stop() leaves no timer running', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const before = clock.pending;
    await auth.getCredentials();
    expect(clock.pending).toBe(before + 1);
    auth.stop();
    expect(clock.pending).toBe(before);
    await expect(auth.getCredentials()).rejects.toMatchObject({ name: 'StoppedError' });
  });
});

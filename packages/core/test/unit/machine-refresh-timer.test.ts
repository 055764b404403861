/**
 * Rule 1 of design.md §4, at the machine: credentials are refreshed on a timer
 * `refreshWindowSeconds` before expiry (spread earlier per identity, never sooner than
 * MIN_REFRESH_DELAY_MS), failed refreshes back off while the credentials still have life, a
 * paused session's timer only waits, RESUME catches up, and a caller never gets credentials with
 * a minute or less of life. The clock is a `ControlledClock`; each delay is asserted exactly.
 */
import { describe, expect, it } from 'vitest';
import { NetworkError } from '../../src/errors.js';
import { MIN_REFRESH_DELAY_MS, PAUSED_RECHECK_MS } from '../../src/machine.js';
import { spreadRefreshDelay } from '../../src/refresh-spread.js';
import { credentialsFor, IDENTITY_A } from '../support/fixtures.js';
import {
  authenticated,
  credentialsOutput,
  guest,
  guestWithCredentials,
  HOUR,
  MINUTE,
  startMachine,
  T0,
} from '../support/machine-harness.js';

const WINDOW = 300_000;
const networkDown = () => new NetworkError('GetCredentialsForIdentity', 'ECONNRESET');

describe('the refresh timer: refreshWindowSeconds before expiry, spread earlier per identity', () => {
  it('credentials for an hour: the timer is the identity’s spread of the time until the window', async () => {
    const h = await guestWithCredentials();
    expect(MIN_REFRESH_DELAY_MS).toBe(5_000);
    expect(h.nextTimerIn()).toBe(spreadRefreshDelay(HOUR - WINDOW, WINDOW, IDENTITY_A));
    expect(h.nextTimerIn()).toBeLessThan(HOUR - WINDOW);
    expect(h.nextTimerIn()).toBeGreaterThanOrEqual(HOUR - 2 * WINDOW);
  });

  it('the window is refreshWindowSeconds: with 0, the timer is the expiry itself', async () => {
    const h = await guestWithCredentials({ refreshWindowSeconds: 0 });
    expect(h.nextTimerIn()).toBe(HOUR);
  });

  it('expiry is on the service’s clock: a service ahead by ten minutes makes the refresh ten minutes sooner', async () => {
    const h = await guestWithCredentials({ skewMs: 10 * MINUTE });
    expect(h.nextTimerIn()).toBe(spreadRefreshDelay(HOUR - 10 * MINUTE - WINDOW, WINDOW, IDENTITY_A));
  });

  it('credentials already inside the window: the refresh waits MIN_REFRESH_DELAY_MS, not zero', async () => {
    const h = await guestWithCredentials({}, 2 * MINUTE);
    expect(h.value()).toBe('credentialed');
    expect(h.nextTimerIn()).toBe(MIN_REFRESH_DELAY_MS);
  });

  it('the timer starts the refresh, with the credentials held, and the new ones re-arm it', async () => {
    const h = await guestWithCredentials();
    const held = h.context().credentials;
    await h.advance(h.nextTimerIn()!);
    expect(h.value()).toBe('refreshing');
    expect(h.inputs.obtainCredentials).toEqual([
      {
        deps: h.deps,
        identity: guest(),
        logins: {},
        forceTokenRenewal: false,
        current: held,
        discardedExpiration: undefined,
      },
    ]);
    const fresh = credentialsFor(IDENTITY_A, h.clock.now() + HOUR, 'fresh');
    await h.settle('obtainCredentials', { output: credentialsOutput(guest(), fresh) });
    expect(h.value()).toBe('credentialed');
    expect(h.context().credentials).toBe(fresh);
    expect(h.nextTimerIn()).toBe(spreadRefreshDelay(HOUR - WINDOW, WINDOW, IDENTITY_A));
  });

  it('an authenticated session refreshes on the same timer', async () => {
    const logins = { 'accounts.google.com': { token: 't' } };
    const h = startMachine({ logins });
    await h.restore({
      identity: authenticated(IDENTITY_A, 'accounts.google.com'),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
    await h.advance(h.nextTimerIn()!);
    expect(h.value()).toEqual({ authenticated: 'refreshing' });
  });
});

describe('failed background refreshes back off while the credentials still have life', () => {
  it('5 s, 10 s, 20 s, then no later than the last useful moment; past it, the session fails', async () => {
    const h = await guestWithCredentials({}, 2 * MINUTE);
    const delays: number[] = [];
    for (let failure = 1; failure <= 4; failure++) {
      delays.push(h.nextTimerIn()!);
      await h.advance(h.nextTimerIn()!);
      expect(h.value()).toBe('refreshing');
      const before = h.emitted.length;
      const error = networkDown();
      await h.settle('obtainCredentials', { error });
      expect(h.value()).toBe('credentialed');
      expect(h.context().refreshFailures).toBe(failure);
      expect(h.context().error).toBeUndefined();
      expect(h.emitted.slice(before)).toEqual([
        { type: 'error', error },
        { type: 'requestFailed', error },
      ]);
    }
    delays.push(h.nextTimerIn()!);
    // From T0: 5 s in, then 5 s, 10 s, 20 s back-off; the fourth (40 s) is cut to the moment the
    // credentials reach one minute of life (T0 + 60 s).
    expect(delays).toEqual([5_000, 5_000, 10_000, 20_000, 20_000]);
    await h.advance(h.nextTimerIn()!);
    await h.settle('obtainCredentials', { error: networkDown() });
    expect(h.value()).toBe('failed');
    expect(h.context().credentials).toBeDefined();
  });

  it('a refresh failure ends the request it served and clears the recovery bookkeeping', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'CREDENTIALS.NEEDED', forceRefresh: true });
    expect(h.context().wanted).toBe('credentials');
    await h.settle('obtainCredentials', { error: 'a string, not an Error' });
    expect(h.context().wanted).toBe('nothing');
    expect(h.context().recoveries).toEqual([]);
    expect(h.context().forceTokenRenewal).toBe(false);
    const [reported] = h.emittedOf('error');
    expect(reported?.error).toBeInstanceOf(Error);
    expect(reported?.error.message).toBe('a string, not an Error');
  });

  it('a success after failures resets the back-off', async () => {
    const h = await guestWithCredentials({}, 2 * MINUTE);
    await h.advance(h.nextTimerIn()!);
    await h.settle('obtainCredentials', { error: networkDown() });
    expect(h.context().refreshFailures).toBe(1);
    await h.advance(h.nextTimerIn()!);
    const fresh = credentialsFor(IDENTITY_A, h.clock.now() + HOUR, 'fresh');
    await h.settle('obtainCredentials', { output: credentialsOutput(guest(), fresh) });
    expect(h.context().refreshFailures).toBe(0);
    expect(h.nextTimerIn()).toBe(spreadRefreshDelay(HOUR - WINDOW, WINDOW, IDENTITY_A));
  });
});

describe('paused (hidden page, offline): the timer only waits; RESUME catches up', () => {
  it('the timer falling due while paused sends nothing and waits PAUSED_RECHECK_MS again', async () => {
    const h = await guestWithCredentials({}, 2 * MINUTE);
    await h.send({ type: 'PAUSE' });
    expect(h.context().paused).toBe(true);
    await h.advance(h.nextTimerIn()!);
    expect(h.value()).toBe('credentialed');
    expect(h.running()).toEqual([]);
    expect(PAUSED_RECHECK_MS).toBe(60_000);
    expect(h.nextTimerIn()).toBe(PAUSED_RECHECK_MS);
  });

  it('paused, a timer that fell due before the window waits on for the rest of the delay', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'PAUSE' });
    const first = h.nextTimerIn()!;
    await h.advance(first);
    expect(h.value()).toBe('credentialed');
    const rest = spreadRefreshDelay(HOUR - first - WINDOW, WINDOW, IDENTITY_A);
    expect(rest).toBeGreaterThan(PAUSED_RECHECK_MS);
    expect(h.nextTimerIn()).toBe(rest);
  });

  it('paused before the credentials arrive: the first timer is PAUSED_RECHECK_MS at least', async () => {
    const h = startMachine();
    await h.send({ type: 'PAUSE' });
    await h.restore({ identity: guest(), credentials: credentialsFor(IDENTITY_A, T0 + 2 * MINUTE) });
    expect(h.nextTimerIn()).toBe(PAUSED_RECHECK_MS);
  });

  it('RESUME outside the window re-arms the timer from now', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'PAUSE' });
    h.clock.jump(10 * MINUTE); // asleep: no timer fired
    await h.send({ type: 'RESUME' });
    expect(h.context().paused).toBe(false);
    expect(h.value()).toBe('credentialed');
    expect(h.nextTimerIn()).toBe(spreadRefreshDelay(HOUR - 10 * MINUTE - WINDOW, WINDOW, IDENTITY_A));
  });

  it('RESUME exactly at the window’s start refreshes at once; a millisecond before, it does not', async () => {
    const early = await guestWithCredentials();
    await early.send({ type: 'PAUSE' });
    early.clock.jump(HOUR - WINDOW - 1);
    await early.send({ type: 'RESUME' });
    expect(early.value()).toBe('credentialed');

    const h = await guestWithCredentials();
    await h.send({ type: 'PAUSE' });
    h.clock.jump(HOUR - WINDOW);
    await h.send({ type: 'RESUME' });
    expect(h.value()).toBe('refreshing');
    expect(h.context().paused).toBe(false);
  });

  it('RESUME with credentials past the one-minute rule refreshes, even with no window', async () => {
    const h = await guestWithCredentials({ refreshWindowSeconds: 0 });
    await h.send({ type: 'PAUSE' });
    h.clock.jump(HOUR - 30_000);
    await h.send({ type: 'RESUME' });
    expect(h.value()).toBe('refreshing');
  });

  it('PAUSE and RESUME elsewhere only set the flag', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send({ type: 'PAUSE' });
    expect(h.value()).toBe('identified');
    expect(h.context().paused).toBe(true);
    await h.send({ type: 'RESUME' });
    expect(h.value()).toBe('identified');
    expect(h.context().paused).toBe(false);
  });
});

describe('rule 1: a caller never gets credentials with a minute or less of life', () => {
  it('usable credentials are served as they are: no request', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.send({ type: 'CREDENTIALS.NEEDED', forceRefresh: false });
    expect(h.value()).toBe('credentialed');
    expect(h.running()).toEqual([]);
  });

  it('forceRefresh asks for new ones', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'CREDENTIALS.NEEDED', forceRefresh: true });
    expect(h.value()).toBe('refreshing');
    expect(h.context().wanted).toBe('credentials');
  });

  it('credentials that aged past the minute (a sleeping device) are refreshed when asked', async () => {
    const h = await guestWithCredentials();
    h.clock.jump(HOUR - MINUTE);
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toBe('refreshing');
  });

  it('a failed refresh of credentials past the minute fails the session instead of serving them', async () => {
    const h = await guestWithCredentials();
    h.clock.jump(HOUR - MINUTE);
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    const error = networkDown();
    await h.settle('obtainCredentials', { error });
    expect(h.value()).toBe('failed');
    expect(h.context().error).toBe(error);
    expect(h.emittedOf('requestFailed')).toEqual([{ type: 'requestFailed', error }]);
  });
});

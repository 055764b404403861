/**
 * React Native's lifecycle path (issue 14 §4): the `lifecycle` option with
 * `appStateLifecycle(AppState, connectivity)`, driven by a fake `AppState` of React Native's shape
 * (`currentState`, `addEventListener('change')` returning a subscription with `remove()`) and a
 * fake NetInfo. No refresh while in the background or offline; one refresh on return inside the
 * refresh window, none outside it; stop() removes every subscription.
 */
import { describe, expect, it } from 'vitest';
import {
  type AppStateLike,
  appStateLifecycle,
  ConfigurationError,
  createIdentityPoolAuth,
  type IdentityPoolAuthOptions,
  type LifecycleSource,
  type NetInfoLike,
  netInfoConnectivity,
} from '../../src/index.js';
import { spreadRefreshDelay } from '../../src/refresh-spread.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { IDENTITY_A, POOL_ID } from '../support/fixtures.js';

const MINUTE = 60_000;
const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

/** React Native's `AppState`, as far as an app can observe it. */
class FakeAppState implements AppStateLike {
  currentState = 'active';
  readonly listeners = new Set<(state: string) => void>();
  addEventListener(_type: 'change', listener: (state: string) => void) {
    this.listeners.add(listener);
    return { remove: () => this.listeners.delete(listener) };
  }
  /** What React Native does when the app moves: update `currentState`, then emit `change`. */
  moveTo(state: string) {
    this.currentState = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

/** `@react-native-community/netinfo`'s listener API. */
class FakeNetInfo implements NetInfoLike {
  readonly listeners = new Set<(state: { isConnected: boolean | null }) => void>();
  addEventListener(listener: (state: { isConnected: boolean | null }) => void) {
    this.listeners.add(listener);
    listener({ isConnected: null }); // NetInfo reports once at subscription; null = not yet known
    return () => {
      this.listeners.delete(listener);
    };
  }
  report(isConnected: boolean | null) {
    for (const listener of [...this.listeners]) listener({ isConnected });
  }
}

function session(clock: ControlledClock, lifecycle: LifecycleSource) {
  let calls = 0;
  const auth = createIdentityPoolAuth({
    identityPoolId: POOL_ID,
    clock,
    lifecycle,
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
            expiration: new Date(clock.now() + 60 * MINUTE),
          },
        };
      },
    },
  });
  return { auth, calls: () => calls };
}

describe('appStateLifecycle: React Native background and connectivity', () => {
  it('no refresh in the background; back in the foreground inside the window, one refresh at once', async () => {
    const clock = new ControlledClock();
    const appState = new FakeAppState();
    const { auth, calls } = session(clock, appStateLifecycle(appState));
    await auth.getCredentials();
    appState.moveTo('background');
    clock.advance(58 * MINUTE); // past the refresh point (55 min)
    await tick();
    expect(calls()).toBe(1);
    expect(auth.actor.getSnapshot().context.paused).toBe(true);
    appState.moveTo('active');
    await tick();
    expect(calls()).toBe(2);
    clock.advance(MINUTE);
    await tick();
    expect(calls()).toBe(2); // one refresh, not one per missed timer
    auth.stop();
  });

  it('back in the foreground outside the window: no refresh, the timer is re-armed', async () => {
    const clock = new ControlledClock();
    const appState = new FakeAppState();
    const { auth, calls } = session(clock, appStateLifecycle(appState));
    await auth.getCredentials();
    appState.moveTo('background');
    clock.advance(10 * MINUTE);
    appState.moveTo('active');
    await tick();
    expect(calls()).toBe(1);
    const early = 45 * MINUTE - spreadRefreshDelay(45 * MINUTE, 5 * MINUTE, IDENTITY_A);
    clock.advance(44 * MINUTE - early);
    await tick();
    expect(calls()).toBe(1);
    clock.advance(MINUTE); // the re-armed timer fires 5 min (less the spread) before expiry
    await tick();
    expect(calls()).toBe(2);
    auth.stop();
  });

  it('iOS "inactive" (app switcher, a call) does not pause', async () => {
    const clock = new ControlledClock();
    const appState = new FakeAppState();
    const { auth, calls } = session(clock, appStateLifecycle(appState));
    await auth.getCredentials();
    appState.moveTo('inactive');
    clock.advance(58 * MINUTE);
    await tick();
    expect(calls()).toBe(2);
    auth.stop();
  });

  it('offline (NetInfo) pauses even in the foreground; online inside the window refreshes once', async () => {
    const clock = new ControlledClock();
    const appState = new FakeAppState();
    const netInfo = new FakeNetInfo();
    const { auth, calls } = session(clock, appStateLifecycle(appState, netInfoConnectivity(netInfo)));
    await auth.getCredentials();
    netInfo.report(false);
    clock.advance(58 * MINUTE);
    await tick();
    expect(calls()).toBe(1);
    // Back in the foreground while still offline: still paused.
    appState.moveTo('background');
    appState.moveTo('active');
    await tick();
    expect(calls()).toBe(1);
    netInfo.report(true);
    await tick();
    expect(calls()).toBe(2);
    auth.stop();
  });

  it('starts paused when the app is already in the background (a headless start)', async () => {
    const clock = new ControlledClock();
    const appState = new FakeAppState();
    appState.currentState = 'background';
    const { auth, calls } = session(clock, appStateLifecycle(appState));
    await auth.getCredentials(); // a caller is still served
    clock.advance(58 * MINUTE);
    await tick();
    expect(calls()).toBe(1);
    appState.moveTo('active');
    await tick();
    expect(calls()).toBe(2);
    auth.stop();
  });

  it('stop() removes the AppState and NetInfo subscriptions and clears every timer', async () => {
    const clock = new ControlledClock();
    const appState = new FakeAppState();
    const netInfo = new FakeNetInfo();
    const { auth } = session(clock, appStateLifecycle(appState, netInfoConnectivity(netInfo)));
    await auth.getCredentials();
    expect(appState.listeners.size).toBe(1);
    expect(netInfo.listeners.size).toBe(1);
    auth.stop();
    expect(appState.listeners.size).toBe(0);
    expect(netInfo.listeners.size).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

describe('the lifecycle option: bad sources never break a session', () => {
  const base: IdentityPoolAuthOptions = { identityPoolId: POOL_ID };

  it.each([
    ['an object without subscribe', {}],
    ['a function', () => {}],
    ['a string', 'AppState'],
  ])('%s is refused with a ConfigurationError naming lifecycle', (_name, lifecycle) => {
    const create = () => createIdentityPoolAuth({ ...base, lifecycle: lifecycle as never });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(/lifecycle/);
  });

  it('a subscribe that throws (after reporting paused) leaves the session refreshing as usual', async () => {
    const clock = new ControlledClock();
    const { auth, calls } = session(clock, {
      subscribe(onPausedChange) {
        onPausedChange(true);
        throw new Error('native module missing');
      },
    });
    await auth.getCredentials();
    expect(auth.actor.getSnapshot().context.paused).toBe(false);
    clock.advance(58 * MINUTE);
    await tick();
    expect(calls()).toBe(2);
    auth.stop();
  });

  it('reports after stop() are dropped; a stop that throws does not escape', async () => {
    const clock = new ControlledClock();
    let report: (paused: unknown) => void = () => {};
    const { auth } = session(clock, {
      subscribe(onPausedChange) {
        report = onPausedChange as (paused: unknown) => void;
        return () => {
          throw new Error('cannot unsubscribe');
        };
      },
    });
    await auth.getCredentials();
    report(1); // anything truthy pauses
    expect(auth.actor.getSnapshot().context.paused).toBe(true);
    expect(() => auth.stop()).not.toThrow();
    expect(() => report(false)).not.toThrow();
    expect(auth.actor.getSnapshot().context.paused).toBe(true);
  });
});

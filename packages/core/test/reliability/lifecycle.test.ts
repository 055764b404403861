/**
 * Browser lifecycle in Node: a fake `document` (visibilityState + visibilitychange) and a fake
 * `globalThis` event target (online/offline, navigator.onLine). Background refresh pauses while
 * hidden or offline and catches up on return; callers are still served; stop() removes every
 * listener.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIdentityPoolAuth } from '../../src/index.js';
import { watchLifecycle } from '../../src/lifecycle.js';
import { spreadRefreshDelay } from '../../src/refresh-spread.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { IDENTITY_A, POOL_ID } from '../support/fixtures.js';

const MINUTE = 60_000;
const g = globalThis as unknown as Record<string, unknown>;

class FakeTarget {
  readonly listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, listener: () => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(listener);
  }
  removeEventListener(type: string, listener: () => void) {
    this.listeners.get(type)?.delete(listener);
  }
  dispatch(type: string) {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener();
  }
  get count() {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}

let page: FakeTarget & { visibilityState: string };
let win: FakeTarget;
let online = true;
const saved: Record<string, PropertyDescriptor | undefined> = {};

beforeEach(() => {
  page = Object.assign(new FakeTarget(), { visibilityState: 'visible' });
  win = new FakeTarget();
  online = true;
  for (const key of ['document', 'navigator', 'addEventListener', 'removeEventListener']) {
    saved[key] = Object.getOwnPropertyDescriptor(globalThis, key);
  }
  Object.defineProperty(globalThis, 'document', { value: page, configurable: true, writable: true });
  Object.defineProperty(globalThis, 'navigator', {
    value: {
      get onLine() {
        return online;
      },
    },
    configurable: true,
    writable: true,
  });
  g.addEventListener = win.addEventListener.bind(win);
  g.removeEventListener = win.removeEventListener.bind(win);
});

afterEach(() => {
  for (const [key, descriptor] of Object.entries(saved)) {
    if (descriptor) Object.defineProperty(globalThis, key, descriptor);
    else delete g[key];
  }
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

function session(clock: ControlledClock) {
  let calls = 0;
  const auth = createIdentityPoolAuth({
    identityPoolId: POOL_ID,
    clock,
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

describe('lifecycle: refresh pauses while hidden or offline', () => {
  it('no refresh while hidden; on visibilitychange inside the window, one refresh at once', async () => {
    const clock = new ControlledClock();
    const { auth, calls } = session(clock);
    await auth.getCredentials();
    expect(calls()).toBe(1);
    page.visibilityState = 'hidden';
    page.dispatch('visibilitychange');
    clock.advance(58 * MINUTE); // past the refresh point (55 min)
    await tick();
    expect(calls()).toBe(1);
    expect(auth.actor.getSnapshot().context.paused).toBe(true);
    page.visibilityState = 'visible';
    page.dispatch('visibilitychange');
    await tick();
    expect(calls()).toBe(2);
    expect(auth.actor.getSnapshot().context.paused).toBe(false);
    auth.stop();
    expect(clock.pending).toBe(0);
  });

  it('offline pauses, online catches up; outside the window resuming only re-arms the timer', async () => {
    const clock = new ControlledClock();
    const { auth, calls } = session(clock);
    await auth.getCredentials();
    online = false;
    win.dispatch('offline');
    clock.advance(10 * MINUTE);
    online = true;
    win.dispatch('online');
    await tick();
    expect(calls()).toBe(1); // not in the window yet
    // The re-armed timer fires 5 min before expiry, made earlier by this identity's share of
    // the window (the refresh spread).
    const early = 45 * MINUTE - spreadRefreshDelay(45 * MINUTE, 5 * MINUTE, IDENTITY_A);
    clock.advance(44 * MINUTE - early);
    await tick();
    expect(calls()).toBe(1);
    clock.advance(1 * MINUTE); // 55 min less the spread: the re-armed timer fires
    await tick();
    expect(calls()).toBe(2);
    auth.stop();
  });

  it('a caller is served while paused, even after the credentials expired', async () => {
    const clock = new ControlledClock();
    const { auth, calls } = session(clock);
    const first = await auth.getCredentials();
    page.visibilityState = 'hidden';
    page.dispatch('visibilitychange');
    clock.advance(3 * 60 * MINUTE);
    await tick();
    expect(calls()).toBe(1);
    const promise = auth.getCredentials();
    await tick();
    const second = await promise;
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(calls()).toBe(2);
    auth.stop();
  });

  it('starts paused when the page is already hidden', async () => {
    page.visibilityState = 'hidden';
    const clock = new ControlledClock();
    const { auth, calls } = session(clock);
    await auth.getCredentials();
    clock.advance(58 * MINUTE);
    await tick();
    expect(calls()).toBe(1);
    auth.stop();
  });

  it('stop() removes every listener it added, and clears every timer', async () => {
    const clock = new ControlledClock();
    const { auth } = session(clock);
    await auth.getCredentials();
    expect(page.count).toBe(1);
    expect(win.count).toBe(2);
    auth.stop();
    expect(page.count).toBe(0);
    expect(win.count).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('without a DOM (plain Node) nothing is listened to and nothing pauses', () => {
    const changes: boolean[] = [];
    const remove = watchLifecycle((paused) => changes.push(paused), {});
    remove();
    expect(changes).toEqual([]);
    // Hostile hosts: a throwing document getter, a non-object scope.
    const hostile = Object.defineProperty({}, 'document', {
      get() {
        throw new Error('no');
      },
    });
    expect(() => watchLifecycle(() => {}, hostile)()).not.toThrow();
    expect(() => watchLifecycle(() => {}, 42)()).not.toThrow();
  });
});

/**
 * appStateLifecycle against hostile or old `AppState` / NetInfo shapes, the way a reviewer would
 * feed them: a subscription without `remove()` (React Native before 0.65 returned nothing), an
 * `addEventListener` that throws, a `currentState` getter that throws, events fired synchronously
 * inside subscribe and after stop(), a flood of change events, and states the library does not
 * know. The source must never throw into the session, never leak a listener, and never stay paused
 * for a state that is not `background` or offline.
 */
import { describe, expect, it } from 'vitest';
import {
  type AppStateLike,
  appStateLifecycle,
  ConfigurationError,
  type ConnectivitySource,
  type NetInfoLike,
  netInfoConnectivity,
} from '../../src/index.js';
import { watchLifecycleSource } from '../../src/lifecycle.js';

type Listener = (state: string) => void;

/** An AppState whose subscription shape is chosen by the test. */
function appStateReturning(subscription: (remove: () => void) => unknown) {
  const listeners = new Set<Listener>();
  const appState = {
    currentState: 'active',
    addEventListener(_type: 'change', listener: Listener) {
      listeners.add(listener);
      return subscription(() => listeners.delete(listener));
    },
  } as unknown as AppStateLike;
  const emit = (state: string) => {
    for (const listener of [...listeners]) listener(state);
  };
  return { appState, listeners, emit };
}

function netInfo() {
  const listeners = new Set<(state: { isConnected: boolean | null }) => void>();
  const source: NetInfoLike = {
    addEventListener(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  const report = (isConnected: boolean | null) => {
    for (const listener of [...listeners]) listener({ isConnected });
  };
  return { source, listeners, report };
}

function watch(source: ReturnType<typeof appStateLifecycle>) {
  const reports: boolean[] = [];
  const stop = watchLifecycleSource(source, (paused) => reports.push(paused));
  return { reports, stop };
}

describe('appStateLifecycle: hostile AppState / NetInfo shapes', () => {
  it.each([
    ['returns nothing (React Native before 0.65)', () => undefined],
    ['returns a subscription without remove()', () => ({})],
    [
      'returns a remove() that throws',
      () => ({
        remove() {
          throw new Error('bridge gone');
        },
      }),
    ],
  ])('an AppState whose addEventListener %s: stop() still removes the NetInfo listener', (_name, shape) => {
    const { appState, emit } = appStateReturning(shape);
    const net = netInfo();
    const { reports, stop } = watch(appStateLifecycle(appState, netInfoConnectivity(net.source)));
    emit('background');
    expect(reports).toEqual([true]);
    expect(net.listeners.size).toBe(1);
    expect(() => stop()).not.toThrow();
    expect(net.listeners.size).toBe(0);
    emit('active'); // a listener the host could not remove: its reports are dropped
    expect(reports).toEqual([true]);
  });

  it('a currentState getter that throws reads as "not known" and the changes are still followed', () => {
    const { appState, listeners, emit } = appStateReturning((remove) => ({ remove }));
    Object.defineProperty(appState, 'currentState', {
      get() {
        throw new Error('native AppState not ready');
      },
    });
    const { reports, stop } = watch(appStateLifecycle(appState));
    expect(reports).toEqual([]);
    emit('background');
    emit('active');
    expect(reports).toEqual([true, false]);
    stop();
    expect(listeners.size).toBe(0);
  });

  it('an addEventListener that throws leaves the session unpaused and the NetInfo listener not added', () => {
    const net = netInfo();
    const appState = {
      currentState: 'background',
      addEventListener() {
        throw new Error('no native module');
      },
    } as unknown as AppStateLike;
    const { reports, stop } = watch(appStateLifecycle(appState, netInfoConnectivity(net.source)));
    expect(reports).toEqual([]); // never paused: refresh as usual
    expect(net.listeners.size).toBe(0);
    expect(() => stop()).not.toThrow();
  });

  it('a connectivity source that throws removes the AppState listener it was added beside', () => {
    const { appState, listeners } = appStateReturning((remove) => ({ remove }));
    const broken: ConnectivitySource = {
      subscribe() {
        throw new Error('NetInfo missing');
      },
    };
    const { reports, stop } = watch(appStateLifecycle(appState, broken));
    expect(reports).toEqual([]);
    expect(listeners.size).toBe(0);
    stop();
  });

  it('events fired synchronously inside subscribe count; events after stop() do not', () => {
    const listeners = new Set<Listener>();
    const appState = {
      currentState: 'active',
      addEventListener(_type: 'change', listener: Listener) {
        listeners.add(listener);
        listener('background'); // a host that reports at once
        return { remove: () => listeners.delete(listener) };
      },
    } as unknown as AppStateLike;
    const online: ConnectivitySource = {
      subscribe(onOnlineChange) {
        onOnlineChange(false);
        onOnlineChange(true);
        return () => {};
      },
    };
    const { reports, stop } = watch(appStateLifecycle(appState, online));
    expect(reports).toEqual([true]); // background throughout; the offline blip changed nothing
    for (const listener of [...listeners]) listener('active');
    expect(reports).toEqual([true, false]);
    stop();
    expect(listeners.size).toBe(0);
  });

  it('a flood of 100 000 change events reports only the real changes, ending in the last state', () => {
    const { appState, emit } = appStateReturning((remove) => ({ remove }));
    const { reports, stop } = watch(appStateLifecycle(appState));
    const states = ['background', 'inactive', 'active', 'background', 'background', 'unknown', 'extension'];
    const started = performance.now();
    for (let index = 0; index < 100_000; index++) emit(states[index % states.length] as string);
    emit('active');
    const elapsed = performance.now() - started;
    // Each cycle of seven pauses twice (background, then background after inactive/active) and
    // resumes twice (inactive, unknown): 14 285 full cycles, then five more events and 'active'.
    expect(reports.length).toBe(14_285 * 4 + 3 + 1);
    expect(reports.at(-1)).toBe(false);
    expect(reports.every((paused, index) => paused === (index % 2 === 0))).toBe(true);
    expect(elapsed).toBeLessThan(1_000);
    stop();
  });

  it.each(['unknown', 'extension', 'inactive', '', 'BACKGROUND'])('"%s" does not pause', (state) => {
    const { appState, emit } = appStateReturning((remove) => ({ remove }));
    const { reports, stop } = watch(appStateLifecycle(appState));
    emit('background');
    emit(state);
    expect(reports).toEqual([true, false]);
    stop();
  });

  it('NetInfo reporting odd shapes: only isConnected === false is offline', () => {
    const { appState } = appStateReturning((remove) => ({ remove }));
    let listener: (state: unknown) => void = () => {};
    const odd = {
      addEventListener(next: (state: unknown) => void) {
        listener = next;
        return undefined; // no unsubscribe returned
      },
    } as unknown as NetInfoLike;
    const { reports, stop } = watch(appStateLifecycle(appState, netInfoConnectivity(odd)));
    for (const state of [null, undefined, {}, { isConnected: 'no' }, { isConnected: 0 }]) listener(state);
    expect(reports).toEqual([]);
    listener({ isConnected: false });
    expect(reports).toEqual([true]);
    expect(() => stop()).not.toThrow();
  });
});

describe('watchLifecycleSource: a source calling back with non-booleans', () => {
  it('reads each report by truthiness and reports only changes', () => {
    let report: (value: unknown) => void = () => {};
    const reports: boolean[] = [];
    const stop = watchLifecycleSource(
      {
        subscribe(onPausedChange) {
          report = onPausedChange as (value: unknown) => void;
          return () => {};
        },
      },
      (paused) => reports.push(paused),
    );
    for (const value of [0, '', null, undefined, Number.NaN, 'yes', 1, {}, [], false, Symbol('x')])
      report(value);
    expect(reports).toEqual([true, false, true]);
    stop();
  });
});

describe('appStateLifecycle / netInfoConnectivity: what is not an AppState or NetInfo is refused at once', () => {
  it.each([
    ['undefined (a missing import)', undefined],
    ['null', null],
    ['an object without addEventListener', { currentState: 'active' }],
    ['a string', 'AppState'],
  ])('appStateLifecycle(%s) throws a ConfigurationError naming lifecycle', (_name, appState) => {
    const make = () => appStateLifecycle(appState as unknown as AppStateLike);
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(/lifecycle.*addEventListener/);
  });

  it('a connectivity source without subscribe is refused the same way', () => {
    const { appState } = appStateReturning((remove) => ({ remove }));
    const make = () => appStateLifecycle(appState, {} as ConnectivitySource);
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(/subscribe/);
  });

  it.each([
    ['undefined', undefined],
    ['NetInfo’s default export missing its addEventListener', { fetch() {} }],
  ])('netInfoConnectivity(%s) throws a ConfigurationError', (_name, netInfo) => {
    const make = () => netInfoConnectivity(netInfo as unknown as NetInfoLike);
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(/addEventListener/);
  });
});

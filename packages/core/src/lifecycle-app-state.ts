/**
 * React Native's app lifecycle as a {@link LifecycleSource}, without depending on React Native:
 * the app passes its own `AppState` (and, if it wants, a connectivity source such as NetInfo).
 * Background refresh pauses while the app is in the background or the device is offline; on
 * return to the foreground the session refreshes at once if inside the refresh window.
 */
import { ConfigurationError } from './errors.js';
import type { LifecycleSource } from './lifecycle.js';

/** The part of React Native's `AppState` this uses (RN 0.65 and later). */
export interface AppStateLike {
  /** `'active'`, `'background'`, `'inactive'` (iOS, in transition), `'unknown'`, `'extension'`. */
  readonly currentState: string | null | undefined;
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

/** Where the app learns whether the device is online (e.g. {@link netInfoConnectivity}). */
export interface ConnectivitySource {
  /** Calls `onOnlineChange(online)` on every change (and at once if it knows). Returns the stop. */
  subscribe(onOnlineChange: (online: boolean) => void): () => void;
}

/** The part of `@react-native-community/netinfo` {@link netInfoConnectivity} uses. */
export interface NetInfoLike {
  addEventListener(listener: (state: { isConnected: boolean | null }) => void): () => void;
}

/** Whether `value[name]` is a function; a getter that throws counts as no. */
function hasMethod(value: unknown, name: string): boolean {
  try {
    return typeof (value as Record<string, unknown> | null | undefined)?.[name] === 'function';
  } catch {
    return false;
  }
}

/**
 * Refuses at once what cannot be the source asked for (a missing import, the wrong object), so it
 * is a `ConfigurationError` in the app's start-up rather than a session that silently never pauses.
 */
function requireMethod(value: unknown, method: string, rule: string): void {
  if (!hasMethod(value, method)) throw new ConfigurationError('lifecycle', rule);
}

/** Only `background` pauses: `inactive` is a passing state (a call, the app switcher) on iOS. */
const isBackground = (state: unknown) => state === 'background';

/** `currentState`, or `undefined` (not known: not paused) when reading it throws. */
function readCurrentState(appState: AppStateLike): unknown {
  try {
    return appState.currentState;
  } catch {
    return undefined;
  }
}

/**
 * The stop for whatever a host's `addEventListener` returned: `{ remove() }` (React Native 0.65
 * and later), or nothing usable (older ones); a stop that throws is swallowed, so one host part
 * that cannot stop never keeps the others listening.
 */
function stopperOf(subscription: unknown): () => void {
  return () => {
    try {
      const remove = (subscription as { remove?: unknown } | null | undefined)?.remove;
      if (typeof remove === 'function') remove.call(subscription);
    } catch {
      // Its later events are dropped by the session (watchLifecycleSource).
    }
  };
}

/** Calls every stop, each on its own, so one that fails does not skip the rest. */
function stopAll(stops: Array<() => void>): void {
  for (const stop of stops.splice(0)) {
    try {
      stop();
    } catch {
      // As above: nothing more to do for a host part that cannot stop.
    }
  }
}

/**
 * `lifecycle: appStateLifecycle(AppState)` (with `import { AppState } from 'react-native'`), or
 * `appStateLifecycle(AppState, netInfoConnectivity(NetInfo))` to pause while offline too.
 */
export function appStateLifecycle(
  appState: AppStateLike,
  connectivity?: ConnectivitySource,
): LifecycleSource {
  requireMethod(
    appState,
    'addEventListener',
    "appStateLifecycle(AppState) needs React Native's AppState (with addEventListener)",
  );
  if (connectivity !== undefined) {
    requireMethod(connectivity, 'subscribe', 'a connectivity source needs subscribe(onOnlineChange)');
  }
  return {
    subscribe(onPausedChange) {
      let background = isBackground(readCurrentState(appState));
      let offline = false;
      const update = () => onPausedChange(background || offline);
      const stops: Array<() => void> = [];
      try {
        const subscription = appState.addEventListener('change', (state) => {
          background = isBackground(state);
          update();
        });
        stops.push(stopperOf(subscription));
        const stopConnectivity = connectivity?.subscribe((online) => {
          offline = online === false;
          update();
        });
        if (typeof stopConnectivity === 'function') stops.push(stopConnectivity);
      } catch (error) {
        stopAll(stops); // nothing half-subscribed is left behind
        throw error;
      }
      update();
      return () => stopAll(stops);
    },
  };
}

/**
 * `@react-native-community/netinfo` as a {@link ConnectivitySource}: offline when
 * `isConnected` is `false` (`null`, not yet known, counts as online).
 */
export function netInfoConnectivity(netInfo: NetInfoLike): ConnectivitySource {
  requireMethod(
    netInfo,
    'addEventListener',
    "netInfoConnectivity(NetInfo) needs @react-native-community/netinfo's default export (with addEventListener)",
  );
  return {
    subscribe: (onOnlineChange) =>
      netInfo.addEventListener((state) => onOnlineChange(state?.isConnected !== false)),
  };
}

/**
 * React Native's app lifecycle as a {@link LifecycleSource}, without depending on React Native:
 * the app passes its own `AppState` (and, if it wants, a connectivity source such as NetInfo).
 * Background refresh pauses while the app is in the background or the device is offline; on
 * return to the foreground the session refreshes at once if inside the refresh window.
 */
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

/** Only `background` pauses: `inactive` is a passing state (a call, the app switcher) on iOS. */
const isBackground = (state: unknown) => state === 'background';

/**
 * `lifecycle: appStateLifecycle(AppState)` (with `import { AppState } from 'react-native'`), or
 * `appStateLifecycle(AppState, netInfoConnectivity(NetInfo))` to pause while offline too.
 */
export function appStateLifecycle(
  appState: AppStateLike,
  connectivity?: ConnectivitySource,
): LifecycleSource {
  return {
    subscribe(onPausedChange) {
      let background = isBackground(appState.currentState);
      let offline = false;
      const update = () => onPausedChange(background || offline);
      const subscription = appState.addEventListener('change', (state) => {
        background = isBackground(state);
        update();
      });
      let stopConnectivity: (() => void) | undefined;
      try {
        stopConnectivity = connectivity?.subscribe((online) => {
          offline = online === false;
          update();
        });
      } catch (error) {
        subscription.remove();
        throw error;
      }
      update();
      return () => {
        subscription.remove();
        stopConnectivity?.();
      };
    },
  };
}

/**
 * `@react-native-community/netinfo` as a {@link ConnectivitySource}: offline when
 * `isConnected` is `false` (`null`, not yet known, counts as online).
 */
export function netInfoConnectivity(netInfo: NetInfoLike): ConnectivitySource {
  return {
    subscribe: (onOnlineChange) =>
      netInfo.addEventListener((state) => onOnlineChange(state?.isConnected !== false)),
  };
}

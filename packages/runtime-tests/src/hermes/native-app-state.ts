/**
 * The stand-in for React Native's native AppState module (the part its JavaScript AppState calls
 * at start); state changes are sent as the native side does, on the device event emitter
 * (app-state-check.ts).
 */
export const nativeAppStateModule = {
  getConstants: () => ({ initialAppState: 'active' }),
  getCurrentAppState: (callback: (data: { app_state: string }) => void) => callback({ app_state: 'active' }),
  addListener: () => {},
  removeListeners: () => {},
};

/** Android's PlatformConstants, which React Native's `Platform` (used by AppState) loads. */
export const nativePlatformConstants = {
  getConstants: () => ({
    isTesting: true,
    reactNativeVersion: { major: 0, minor: 88, patch: 1, prerelease: null },
    Version: 35,
    Release: '15',
    Serial: 'unknown',
    Fingerprint: 'hermes-cli',
    Model: 'hermes-cli',
    ServerHost: '',
    uiMode: 'normal',
    Brand: 'hermes-cli',
    Manufacturer: 'hermes-cli',
  }),
  getAndroidID: () => 'hermes-cli',
};

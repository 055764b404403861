/**
 * React Native's own JavaScript set-up of the globals the core uses, as InitializeCore runs it
 * (src/private/setup/setUpDefaultReactNativeEnvironment), minus the parts that need a native
 * module to load: `window`/`self`/`process.env` (setUpGlobals), Promise (polyfillPromise: Hermes's
 * own), and setUpXHR: `fetch`/`Headers`/`Response` (whatwg-fetch), `AbortController`/`AbortSignal`
 * (React Native's abort-api), `URL`/`URLSearchParams` (React Native's Blob/URL). The one
 * replacement: `XMLHttpRequest`, whose React Native implementation is a front for the native
 * Networking module, is the host's replaying one.
 */
// The set-up steps InitializeCore runs; an app never imports them, the test must pick them.
// biome-ignore lint/suspicious/noReactNativeDeepImports: React Native's own set-up module
require('react-native/Libraries/Core/setUpGlobals');
// biome-ignore lint/suspicious/noReactNativeDeepImports: React Native's own set-up module
require('react-native/Libraries/Core/polyfillPromise');
// biome-ignore lint/suspicious/noReactNativeDeepImports: React Native's own set-up module
require('react-native/Libraries/Core/setUpXHR');

Object.defineProperty(globalThis, 'XMLHttpRequest', {
  value: (globalThis as unknown as { __REPLAY_XHR__: unknown }).__REPLAY_XHR__,
  configurable: true,
  writable: true,
});

declare function require(id: string): unknown;

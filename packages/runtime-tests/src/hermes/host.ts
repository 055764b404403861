/**
 * What the Hermes CLI lacks and a React Native app's native side supplies: timers that fire by
 * due time (timers.ts), the network (a
 * replaying `XMLHttpRequest`, see replay-xhr.ts) and `queueMicrotask` (in bridgeless React
 * Native a C++ host function; here a microtask through Hermes's own Promise), and the native
 * module registry (`nativeModuleProxy`, `__turboModuleProxy`: here empty, so React Native's
 * JavaScript finds no native module, e.g. no Blob module behind its `URL`), and `performance.now`
 * (React Native's is the native NativePerformanceCxx module; its events stamp their time with it).
 * Runs before React
 * Native's JavaScript set-up (setup.ts) and the core.
 */

import { nativeAppStateModule, nativePlatformConstants } from './native-app-state.js';
import { type RecordedExchange, type ReplayLog, replayXMLHttpRequest } from './replay-xhr.js';
import { installDueOrderTimers } from './timers.js';

interface HermesGlobals {
  __HERMES_INPUT__: { config: unknown; recorded: RecordedExchange[] };
  __REPLAY_LOG__: ReplayLog;
  __REPLAY_XHR__: unknown;
  queueMicrotask?: (callback: () => void) => void;
  nativeModuleProxy?: object;
  __turboModuleProxy?: (name: string) => unknown;
  performance?: { now(): number };
}
const host = globalThis as unknown as HermesGlobals;

installDueOrderTimers(globalThis as unknown as Record<string, unknown>);

host.__REPLAY_LOG__ = { matched: [], unmatched: [] };
host.__REPLAY_XHR__ = replayXMLHttpRequest(host.__HERMES_INPUT__.recorded, host.__REPLAY_LOG__);
if (typeof host.queueMicrotask !== 'function') {
  host.queueMicrotask = (callback) => {
    Promise.resolve().then(callback);
  };
}
host.nativeModuleProxy = {};
// The native modules stood in for: AppState and the PlatformConstants its JavaScript loads.
const nativeModules: Record<string, unknown> = {
  AppState: nativeAppStateModule,
  PlatformConstants: nativePlatformConstants,
};
host.__turboModuleProxy = (name) => nativeModules[name] ?? null;
if (typeof host.performance?.now !== 'function') host.performance = { now: () => Date.now() };

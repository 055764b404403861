/**
 * Issue 14 §4 on Hermes: React Native's own `AppState` (its JavaScript, over a stand-in for the
 * native AppState module; changes arrive as the native side sends them, `appStateDidChange` on
 * the device event emitter) drives `appStateLifecycle`. A session on a clock the check moves: no
 * refresh while in the background, one on return inside the refresh window, none on a return
 * outside it (until its timer).
 */
import { appStateLifecycle, createIdentityPoolAuth, type IdentityPoolAuth } from '@identity-pool/core';

declare function require(id: string): unknown;
type EmitterModule = { default: { emit(type: string, data: unknown): void } };

const MINUTE = 60_000;
const POOL_ID = 'us-east-1:00000000-0000-4000-8000-000000000000';
const IDENTITY = 'us-east-1:11111111-1111-4111-8111-111111111111';

export interface AppStateCheck {
  /** Refreshes while in the background, past the refresh point. Expected 0. */
  inBackground: number;
  /** Refreshes right after the return to the foreground inside the window. Expected 1. */
  onReturnInsideWindow: number;
  /** Refreshes right after a return outside the window. Expected 0. */
  onReturnOutsideWindow: number;
  /** Refreshes once the re-armed timer is due. Expected 1. */
  afterRearmedTimer: number;
  /** `AppState.currentState` as React Native's AppState reports it after the last change. */
  currentState: unknown;
}

/** Time that moves only when told; due timers fire in order (the core's `clock` option). */
function manualClock() {
  let now = Date.UTC(2026, 0, 1);
  let nextId = 1;
  const timers = new Map<number, { due: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { due: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout: (id: unknown) => {
      timers.delete(id as number);
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...timers.entries()].sort((a, b) => a[1].due - b[1].due)[0];
        if (!next || next[1].due > end) break;
        timers.delete(next[0]);
        now = next[1].due;
        next[1].fn();
      }
      now = end;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

export async function checkAppState(): Promise<AppStateCheck> {
  // biome-ignore lint/suspicious/noReactNativeDeepImports: the emitter native events arrive on
  const emitterModule = require('react-native/Libraries/EventEmitter/RCTDeviceEventEmitter') as EmitterModule;
  // biome-ignore lint/suspicious/noReactNativeDeepImports: React Native's AppState itself
  const appStateModule = require('react-native/Libraries/AppState/AppState') as { default: never };
  const emitter = emitterModule.default;
  const AppState = appStateModule.default;
  const moveTo = (state: string) => emitter.emit('appStateDidChange', { app_state: state });

  const clock = manualClock();
  let refreshes = 0;
  const auth: IdentityPoolAuth = createIdentityPoolAuth({
    identityPoolId: POOL_ID,
    clock,
    lifecycle: appStateLifecycle(AppState),
    transport: {
      getId: async () => ({ identityId: IDENTITY }),
      getCredentialsForIdentity: async () => {
        refreshes++;
        return {
          identityId: IDENTITY,
          credentials: {
            accessKeyId: `AKIA${refreshes}`,
            secretAccessKey: 'secret',
            sessionToken: 'token',
            expiration: new Date(clock.now() + 60 * MINUTE),
          },
        };
      },
    },
  });
  try {
    await auth.getCredentials();
    const counted = (since: number) => refreshes - since;
    // In the background past the refresh point (55 min of 60).
    moveTo('background');
    let mark = refreshes;
    clock.advance(58 * MINUTE);
    await settle();
    const inBackground = counted(mark);
    mark = refreshes;
    moveTo('active');
    await settle();
    const onReturnInsideWindow = counted(mark);
    // Fresh credentials (60 min); a short trip to the background, back well before the window.
    moveTo('background');
    clock.advance(10 * MINUTE);
    mark = refreshes;
    moveTo('active');
    await settle();
    const onReturnOutsideWindow = counted(mark);
    mark = refreshes;
    clock.advance(50 * MINUTE); // the re-armed timer is due (55 min less the refresh spread)
    await settle();
    const afterRearmedTimer = counted(mark);
    return {
      inBackground,
      onReturnInsideWindow,
      onReturnOutsideWindow,
      afterRearmedTimer,
      currentState: (AppState as { currentState: unknown }).currentState,
    };
  } finally {
    auth.stop();
  }
}

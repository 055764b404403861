import { race } from './abortable.js';

/**
 * Time as the library sees it. `now()` is epoch ms. A clock that also has `setTimeout` and
 * `clearTimeout` (xstate's `SimulatedClock`, for one) drives every timer too — the refresh timer
 * and retry back-off — so tests can move time without waiting.
 */
export interface Clock {
  now(): number;
  setTimeout?(fn: () => void, ms: number): unknown;
  clearTimeout?(id: unknown): void;
}

/** A clock whose timers are always present. */
export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The longest delay `setTimeout` accepts (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * A delay `setTimeout` honours: at most {@link MAX_TIMER_DELAY_MS} (longer delays overflow to a
 * 1 ms timer and a `TimeoutOverflowWarning` in Node), never negative; NaN is 0. A clamped timer
 * fires early, which for the refresh timer means an early refresh: safe.
 */
export function clampDelay(ms: number): number {
  if (Number.isNaN(ms)) return 0;
  return Math.min(Math.max(ms, 0), MAX_TIMER_DELAY_MS);
}

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, clampDelay(ms)),
  clearTimeout: (id) => clearTimeout(id),
};

/** Completes a clock with the system's timers where it has none of its own; every delay is clamped. */
export function toTimerClock(clock: Clock | undefined): TimerClock {
  if (!clock) return systemClock;
  const { setTimeout, clearTimeout } = clock;
  if (typeof setTimeout === 'function' && typeof clearTimeout === 'function') {
    return {
      now: () => clock.now(),
      setTimeout: (fn, ms) => setTimeout.call(clock, fn, clampDelay(ms)),
      clearTimeout: (id) => clearTimeout.call(clock, id),
    };
  }
  return {
    now: () => clock.now(),
    setTimeout: systemClock.setTimeout,
    clearTimeout: systemClock.clearTimeout,
  };
}

/**
 * The same clock, for timers nobody awaits (the machine's refresh timer): where the runtime's
 * timer handles have `unref` (Node, Bun, Deno), such a timer does not keep the process alive, so
 * a server or script that is done with its sessions exits. Timers a caller awaits (back-off,
 * storage time-outs) stay as they are: unref'd, the process could exit under a pending call.
 */
export function backgroundClock(clock: TimerClock): TimerClock {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => unref(clock.setTimeout(fn, ms)),
    clearTimeout: (id) => clock.clearTimeout(id),
  };
}

function unref(handle: unknown): unknown {
  const timer = handle as { unref?: unknown } | null;
  if (typeof timer?.unref === 'function') (timer as { unref(): void }).unref();
  return handle;
}

/** Resolves after `ms` on the clock; rejects with the signal's reason when it aborts first. */
export function sleep(clock: TimerClock, ms: number, signal?: AbortSignal): Promise<void> {
  return race<void>(undefined, {
    timeoutMs: ms,
    timers: clock,
    onTimeout: () => undefined,
    signal,
    onAbort: () => {
      throw signal?.reason;
    },
  });
}

/** How long Cognito's credentials live (GetCredentialsForIdentity always issues one-hour credentials). */
export const CREDENTIAL_LIFETIME_MS = 3_600_000;

/** Skews smaller than this are noise (the `Date` header has one-second resolution): ignored. */
const SKEW_NOISE_MS = 2_000;

/**
 * The estimated offset of the service's clock from the local one: service time ≈ local time +
 * `offsetMs`. Credentials' `Expiration` is service time, so every expiry decision compares it
 * with {@link correctedNow}. Mutable, one per session; starts at zero.
 */
export interface ClockSkew {
  offsetMs: number;
  /** Where the estimate came from: nothing yet, a response `Date` header, or an `Expiration`. */
  source: 'none' | 'date' | 'expiration';
}

export function createClockSkew(): ClockSkew {
  return { offsetMs: 0, source: 'none' };
}

/** The local time, corrected to the service's clock. */
export function correctedNow(clock: { now(): number }, skew: ClockSkew | undefined): number {
  return clock.now() + (skew?.offsetMs ?? 0);
}

/**
 * Updates the estimate from a response's `Date` header (`serverTime`, epoch ms, one-second
 * resolution: the service's time was in [serverTime, serverTime + 1 s)) received at `localNow`.
 */
export function noteServerTime(skew: ClockSkew | undefined, serverTime: unknown, localNow: number): void {
  if (!skew || typeof serverTime !== 'number' || !Number.isFinite(serverTime) || serverTime <= 0) return;
  const estimate = serverTime + 500 - localNow;
  skew.offsetMs = Math.abs(estimate) < SKEW_NOISE_MS ? 0 : estimate;
  skew.source = 'date';
}

/**
 * The fallback when no `Date` header was seen: credentials that arrive with more than an hour
 * of life by the local clock mean the service's clock is ahead. Only ever corrects that way —
 * life shorter than an hour may just be a shorter lifetime, and refreshing early is safe.
 */
export function noteExpiration(skew: ClockSkew | undefined, expiration: number, localNow: number): void {
  if (!skew || skew.source === 'date' || !Number.isFinite(expiration)) return;
  const ahead = expiration - CREDENTIAL_LIFETIME_MS - localNow;
  skew.offsetMs = ahead >= SKEW_NOISE_MS ? ahead : 0;
  skew.source = ahead >= SKEW_NOISE_MS ? 'expiration' : 'none';
}

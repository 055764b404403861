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

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

/** Completes a clock with the system's timers where it has none of its own. */
export function toTimerClock(clock: Clock | undefined): TimerClock {
  if (!clock) return systemClock;
  const { setTimeout, clearTimeout } = clock;
  if (typeof setTimeout === 'function' && typeof clearTimeout === 'function') {
    return {
      now: () => clock.now(),
      setTimeout: (fn, ms) => setTimeout.call(clock, fn, ms),
      clearTimeout: (id) => clearTimeout.call(clock, id),
    };
  }
  return {
    now: () => clock.now(),
    setTimeout: systemClock.setTimeout,
    clearTimeout: systemClock.clearTimeout,
  };
}

/** Resolves after `ms` on the clock; rejects with the signal's reason when it aborts first. */
export function sleep(clock: TimerClock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimeout(id);
      reject(signal?.reason);
    };
    const id = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

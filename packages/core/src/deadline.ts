/**
 * `withDeadline`: a wait that ends. For login providers wrapping vendor callbacks that may never
 * come (a known behaviour of some SDKs): the vendor's work is not cancelled, only this wait ends.
 */
import { race } from './abortable.js';
import { systemClock } from './clock.js';

/**
 * Settles as `promise` does, or, if it has not settled after `timeoutMs`, rejects with
 * `onTimeout()` (called once, at the deadline: close a dialog there).
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  return race(promise, {
    timeoutMs,
    timers: systemClock,
    onTimeout: () => {
      throw onTimeout();
    },
  });
}

/**
 * Resolves with `promise`'s value, or with `undefined` if it has not settled after `timeoutMs`
 * (then `onTimeout` runs once): for a silent vendor call where "no answer" means "not now".
 */
export function answerWithin<T>(
  promise: Promise<T>,
  timeoutMs: number,
  onTimeout?: () => void,
): Promise<T | undefined> {
  return race<T | undefined>(promise, {
    timeoutMs,
    timers: systemClock,
    onTimeout: () => {
      onTimeout?.();
      return undefined;
    },
  });
}

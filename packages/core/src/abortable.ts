/**
 * The one place core waits with a deadline or an `AbortSignal`. Every such wait is a
 * {@link race}: the work, a timer and an abort listener, of which the first to settle wins. The
 * contract, for every helper built on it: the timer is cleared and the listener removed as soon
 * as the race settles (whichever way), later outcomes change nothing, the work's outcome is
 * always observed (a late failure is never an unhandled rejection), and errors are what the
 * caller's handlers make them.
 */
import { AbortError } from './errors.js';

/** The timers a deadline runs on: a session's `TimerClock`, `systemClock`, or a test's. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** How a race may end before its work does. A handler's return value settles the race; a throw rejects it. */
export type RaceStops<T> = (
  | {
      /** Ends the race when it aborts (at once when it already has), with what `onAbort` returns (or throws). */
      signal: AbortSignal | undefined;
      onAbort: () => T;
    }
  | { signal?: undefined; onAbort?: undefined }
) &
  (
    | {
        /** Ends the race after this many ms on `timers`, with what `onTimeout` returns (or throws). */
        timeoutMs: number;
        timers: Timers;
        onTimeout: () => T;
      }
    | { timeoutMs?: undefined; timers?: undefined; onTimeout?: undefined }
  );

/**
 * Settles as `work` does, or as a stop's handler says when the signal aborts or the deadline
 * passes first. Without `work`, only a stop ends it (a sleep). The work itself goes on: cancel it
 * from a handler (abort its controller) where it can be cancelled.
 */
export function race<T>(work: PromiseLike<T> | undefined, stops: RaceStops<T>): Promise<T> {
  const { signal, timers } = stops;
  return new Promise<T>((resolve, reject) => {
    let timer: unknown;
    // Idempotent, so no flag is needed: once one outcome ran, the timer is cleared and the listener
    // removed, so no other handler runs; the work settling later only repeats that, and a promise
    // settles once.
    const end = (outcome: () => T) => {
      timers?.clearTimeout(timer);
      stopListening();
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
    };
    const { onAbort } = stops;
    let stopListening = () => {};
    work?.then(
      (value) => end(() => value),
      (error: unknown) =>
        end(() => {
          throw error;
        }),
    );
    if (stops.timeoutMs !== undefined) {
      const { onTimeout } = stops;
      timer = stops.timers.setTimeout(() => end(onTimeout), stops.timeoutMs);
    }
    if (onAbort) stopListening = whenAborted(signal, () => end(onAbort));
  });
}

/** An abort's outcome where the caller needs nothing else: `AbortError`, whatever the signal's reason. */
export const rejectAborted = (): never => {
  throw new AbortError();
};

/**
 * Resolves with `promise`, or rejects with `AbortError` as soon as `signal` fires. The work
 * behind `promise` goes on (for other callers); only this wait ends. For login providers and
 * transports that wrap an API without cancellation.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return signal ? race(promise, { signal, onAbort: rejectAborted }) : promise;
}

/** Throws the signal's reason if it has aborted (as `AbortSignal.throwIfAborted()`, where that is missing). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

/** Throws a fresh `AbortError` if the signal has aborted, whatever its reason. */
export function throwAbortErrorIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

/**
 * Runs `listener` once when `signal` aborts (at once if it already has); the returned function
 * stops listening. Call it when the wait ends, so a long-lived signal keeps no listener per wait.
 */
export function whenAborted(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (signal?.aborted) listener();
  else signal?.addEventListener('abort', listener, { once: true });
  return () => signal?.removeEventListener('abort', listener);
}

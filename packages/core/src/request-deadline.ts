/**
 * Every service request has a deadline (`requestTimeoutMs`). It is applied here, where the
 * session calls its transport, so it holds for every transport — the built-in ones and custom
 * ones that ignore the `AbortSignal` they are given: the wait ends at the deadline whatever the
 * transport does, and the request's signal is aborted so that a transport that listens stops.
 */
import { race } from './abortable.js';
import type { TimerClock } from './clock.js';
import { AbortError, NetworkError } from './errors.js';

/** Why a request was given up: its deadline passed (a retryable network failure). */
export function requestTimedOut(operation: string, timeoutMs: number): NetworkError {
  return new NetworkError(operation, `no answer within ${timeoutMs} ms (requestTimeoutMs)`);
}

/**
 * The controller the attempts of one request share: the same one until an attempt times out (its
 * signal is aborted then) and a fresh one after that. So a transport sees one signal across the
 * retries of one request — it can tell a retry from a new request — and never an aborted one.
 */
export function attemptControllers(): () => AbortController {
  let controller = new AbortController();
  return () => {
    if (controller.signal.aborted) controller = new AbortController();
    return controller;
  };
}

/**
 * Runs `request` with a signal that aborts when `signal` does or `timeoutMs` (on `clock`) passes.
 * At the deadline it rejects with {@link requestTimedOut}; when `signal` aborts first, with
 * `AbortError` (as the built-in transports do). Either way the request's signal is aborted too,
 * and the wait ends then even for a transport that ignores it.
 */
export function withRequestDeadline<T>(
  operation: string,
  timeoutMs: number,
  clock: TimerClock,
  signal: AbortSignal | undefined,
  request: (signal: AbortSignal) => Promise<T>,
  controller = new AbortController(),
): Promise<T> {
  if (signal?.aborted) return Promise.reject(new AbortError());
  return race(start(request, controller.signal), {
    signal,
    onAbort: () => {
      controller.abort(signal?.reason);
      throw new AbortError();
    },
    timeoutMs,
    timers: clock,
    onTimeout: () => {
      const error = requestTimedOut(operation, timeoutMs);
      controller.abort(error);
      throw error;
    },
  });
}

/** The request's promise; a synchronous throw becomes its rejection. */
function start<T>(request: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return Promise.resolve(request(signal));
  } catch (error) {
    return Promise.reject(error);
  }
}

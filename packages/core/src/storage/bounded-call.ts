import { race, type Timers } from '../abortable.js';
import type { Awaitable } from '../types.js';

/** How an adapter call ended: its value, its error, or no answer in time. */
export type CallOutcome<T> =
  | { status: 'done'; value: T }
  | { status: 'failed'; error: unknown }
  | { status: 'timedOut'; late: Promise<void> };

/** The timers a bounded call needs (`systemClock`, or a test's). */
export type CallTimers = Timers;

/**
 * Calls an adapter method and waits at most `timeoutMs` for it. Never throws or rejects: whatever
 * the adapter does is an outcome. A synchronous answer (or throw) costs no timer. After a time-out the call may still land: `late` settles when it does (it
 * never rejects), so the caller can repair what a late write undid.
 */
export function boundedCall<T>(
  invoke: () => Awaitable<T>,
  timeoutMs: number,
  timers: CallTimers,
): Promise<CallOutcome<T>> {
  let answer: Awaitable<T>;
  let thenable: boolean;
  try {
    answer = invoke();
    // Inside the try: a hostile answer's `then` getter (or Proxy trap) may throw.
    thenable = isThenable(answer);
  } catch (error) {
    return Promise.resolve({ status: 'failed', error });
  }
  if (!thenable) return Promise.resolve({ status: 'done', value: answer as T });
  const settled = Promise.resolve(answer).then(
    (value): CallOutcome<T> => ({ status: 'done', value }),
    (error: unknown): CallOutcome<T> => ({ status: 'failed', error }),
  );
  return race(settled, {
    timeoutMs,
    timers,
    onTimeout: (): CallOutcome<T> => ({ status: 'timedOut', late: settled.then(() => undefined) }),
  });
}

// Adapters may return any thenable, not only a native promise.
const isThenable = <T>(value: Awaitable<T>): value is Promise<T> =>
  typeof (value as PromiseLike<T> | null)?.then === 'function';

/**
 * `singleFlight`: one attempt at a time, for interactive sign-ins. A double click must not open a
 * second dialog, nor end the first with a cancel nobody asked for: a call made while an attempt
 * runs joins it and gets the same result.
 */
import { race } from './abortable.js';
import { AbortError } from './errors.js';

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  callers: number;
}

/**
 * Wraps `run` so that calls made while it runs join the running attempt. Each caller may give up
 * with its own `signal` (rejecting with `AbortError`); the attempt's own signal fires only when
 * every caller has given up, and the next call then starts a new attempt.
 */
export function singleFlight<T>(
  run: (signal: AbortSignal) => Promise<T>,
): (signal?: AbortSignal) => Promise<T> {
  let current: Flight<T> | undefined;

  function start(): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = {
      promise: Promise.resolve().then(() => run(controller.signal)),
      controller,
      callers: 0,
    };
    const end = () => {
      if (current === flight) current = undefined;
    };
    flight.promise.then(end, end);
    return flight;
  }

  return (signal) => {
    if (signal?.aborted) return Promise.reject(new AbortError());
    current ??= start();
    const flight = current;
    flight.callers++;
    return race(flight.promise, {
      signal,
      onAbort: () => {
        flight.callers--;
        if (flight.callers === 0 && current === flight) {
          current = undefined; // abandoned: the next call starts afresh
          flight.controller.abort();
        }
        throw new AbortError();
      },
    });
  };
}

import { AbortError } from './errors.js';

/**
 * Resolves with `promise`, or rejects with `AbortError` as soon as `signal` fires. The work
 * behind `promise` goes on (for other callers); only this wait ends. For login providers and
 * transports that wrap an API without cancellation.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

import { throwIfAborted } from './abortable.js';
import { sleep, type TimerClock } from './clock.js';
import { NetworkError, ServiceError } from './errors.js';
import type { RetryOptions } from './options.js';

/** Service error codes that mean "slow down" (as the AWS SDK classifies them). */
const THROTTLING_CODES = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const TRANSIENT_CODES = new Set([
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
]);

export type RetryKind = 'throttling' | 'transient' | 'none';

/** Whether an error is worth another attempt, and of which kind. */
export function retryKind(error: unknown): RetryKind {
  if (error instanceof NetworkError) return 'transient';
  if (error instanceof ServiceError) {
    if (error.statusCode === 429 || THROTTLING_CODES.has(error.code)) return 'throttling';
    if ((error.statusCode !== undefined && error.statusCode >= 500) || TRANSIENT_CODES.has(error.code)) {
      return 'transient';
    }
  }
  return 'none';
}

/**
 * Full-jitter exponential back-off: a random delay in [0, min(cap, base · 2^retry)).
 * Throttling backs off from a base five times larger, as the AWS SDK does.
 */
export function backoffDelay(
  retry: number,
  kind: Exclude<RetryKind, 'none'>,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const base = kind === 'throttling' ? options.baseDelayMs * 5 : options.baseDelayMs;
  return Math.floor(random() * Math.min(options.maxDelayMs, base * 2 ** retry));
}

/**
 * Runs `attempt` up to `maxAttempts` times, backing off between retryable failures on `clock`.
 * A non-retryable error, or the last one, is thrown as it is.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: Required<RetryOptions>,
  clock: TimerClock,
  signal?: AbortSignal,
  random?: () => number,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    // The caller may have given up while we waited (for a token, or a back-off): send nothing then.
    throwIfAborted(signal);
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const kind = retryKind(error);
      if (kind === 'none' || attemptNumber >= options.maxAttempts || signal?.aborted) throw error;
      await sleep(clock, backoffDelay(attemptNumber - 1, kind, options, random), signal);
    }
  }
}

/**
 * The retry rules of design.md §4 rule 5, one assertion per rule, so that a one-token change to
 * `retry.ts` fails a test that names the rule (mutation testing found the gaps: issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import type { TimerClock } from '../../src/clock.js';
import { NetworkError, ServiceError } from '../../src/errors.js';
import { backoffDelay, retryKind, withRetry } from '../../src/retry.js';

const serviceError = (code: string, statusCode?: number) =>
  new ServiceError({ code, message: 'x', operation: 'GetId', statusCode });

const options = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 20_000 };

describe('retryKind: which failures are worth another attempt', () => {
  it.each([
    'TooManyRequestsException',
    'LimitExceededException',
    'ThrottlingException',
    'Throttling',
    'ThrottledException',
    'RequestLimitExceeded',
    'RequestThrottled',
    'RequestThrottledException',
    'SlowDown',
  ])('%s (status 400) is throttling', (code) => {
    expect(retryKind(serviceError(code, 400))).toBe('throttling');
  });

  it.each(['InternalErrorException', 'InternalFailure', 'ServiceUnavailable', 'RequestTimeout'])(
    '%s (status 400) is transient',
    (code) => {
      expect(retryKind(serviceError(code, 400))).toBe('transient');
    },
  );

  it('status 429 is throttling whatever the code', () => {
    expect(retryKind(serviceError('SomethingElse', 429))).toBe('throttling');
  });

  it('status 500 and above are transient; 499 and below are not', () => {
    expect(retryKind(serviceError('SomethingElse', 500))).toBe('transient');
    expect(retryKind(serviceError('SomethingElse', 503))).toBe('transient');
    expect(retryKind(serviceError('SomethingElse', 499))).toBe('none');
  });

  it('a service error without a status is judged by its code alone', () => {
    expect(retryKind(serviceError('SomethingElse'))).toBe('none');
    expect(retryKind(serviceError('InternalFailure'))).toBe('transient');
  });

  it('a network error is transient', () => {
    expect(retryKind(new NetworkError('GetId', 'ECONNRESET'))).toBe('transient');
  });

  it('only the library’s own service errors are classified: a look-alike is not retried', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'TooManyRequestsException', statusCode: 503 });
    expect(retryKind(lookAlike)).toBe('none');
    expect(retryKind({ code: 'ThrottlingException', statusCode: 429 })).toBe('none');
    expect(retryKind('Throttling')).toBe('none');
  });
});

describe('backoffDelay: full jitter, exponential, capped', () => {
  const half = () => 0.5;

  it('a transient failure backs off from the base: random · base · 2^retry', () => {
    expect(backoffDelay(0, 'transient', options, half)).toBe(50);
    expect(backoffDelay(1, 'transient', options, half)).toBe(100);
    expect(backoffDelay(2, 'transient', options, half)).toBe(200);
  });

  it('throttling backs off from a base five times larger', () => {
    expect(backoffDelay(0, 'throttling', options, half)).toBe(250);
    expect(backoffDelay(1, 'throttling', options, half)).toBe(500);
  });

  it('the delay is capped at maxDelayMs and rounded down', () => {
    expect(backoffDelay(20, 'transient', options, half)).toBe(10_000);
    expect(backoffDelay(0, 'transient', options, () => 0.999)).toBe(99);
    expect(backoffDelay(0, 'transient', options, () => 0)).toBe(0);
  });
});

/** A clock whose timers run at once, recording the delays asked for. */
function recordingClock(): TimerClock & { delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    now: () => 0,
    setTimeout: (fn: () => void, ms: number) => {
      delays.push(ms);
      queueMicrotask(fn);
      return delays.length;
    },
    clearTimeout: () => {},
  };
}

describe('withRetry', () => {
  it('backs off before each retry from the base (retry 0 first), with no signal at all', async () => {
    const clock = recordingClock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw serviceError('InternalFailure', 500);
        return 'ok';
      },
      options,
      clock,
      undefined,
      () => 0.5,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(clock.delays).toEqual([50, 100]);
  });

  it('throws the last error after maxAttempts, and a non-retryable one at once', async () => {
    const clock = recordingClock();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw serviceError('TooManyRequestsException', 400);
        },
        options,
        clock,
      ),
    ).rejects.toMatchObject({ code: 'TooManyRequestsException' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw serviceError('NotAuthorizedException', 400);
        },
        options,
        clock,
      ),
    ).rejects.toMatchObject({ code: 'NotAuthorizedException' });
    expect(calls).toBe(1);
  });

  it('sends nothing once the signal has aborted, and stops retrying when it aborts', async () => {
    const clock = recordingClock();
    const aborted = new AbortController();
    aborted.abort(new Error('gone'));
    let calls = 0;
    await expect(withRetry(async () => calls++, options, clock, aborted.signal)).rejects.toThrow('gone');
    expect(calls).toBe(0);
    const later = new AbortController();
    await expect(
      withRetry(
        async () => {
          calls++;
          later.abort(new Error('stopped'));
          throw serviceError('InternalFailure', 500);
        },
        options,
        clock,
        later.signal,
      ),
    ).rejects.toMatchObject({ code: 'InternalFailure' });
    expect(calls).toBe(1);
  });
});

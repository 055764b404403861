/**
 * `singleFlight`, `withDeadline`, `answerWithin` and `loadScript` outside a browser: the helpers
 * the login providers build "never hang, fail by name, one dialog at a time" on.
 */
import { describe, expect, it } from 'vitest';
import { AbortError, answerWithin, loadScript, singleFlight, withDeadline } from '../src/index.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('singleFlight', () => {
  it('a call made while one runs joins it: one run, the same result for both', async () => {
    let runs = 0;
    const answer = deferred<string>();
    const signIn = singleFlight(async () => {
      runs++;
      return answer.promise;
    });
    const [a, b] = [signIn(), signIn()];
    answer.resolve('token');
    expect(await Promise.all([a, b])).toEqual(['token', 'token']);
    expect(runs).toBe(1);
    // Settled: the next call runs again.
    const next = signIn();
    expect(runs).toBe(1); // started on the next microtask
    await Promise.resolve();
    await Promise.resolve();
    expect(runs).toBe(2);
    answer.resolve('ignored');
    await next;
  });

  it('one caller giving up rejects only that caller; the run is aborted when the last one gives up', async () => {
    const signals: AbortSignal[] = [];
    const answer = deferred<string>();
    const signIn = singleFlight(async (signal) => {
      signals.push(signal);
      return answer.promise;
    });
    const first = new AbortController();
    const second = new AbortController();
    const a = signIn(first.signal);
    const b = signIn(second.signal);
    first.abort();
    await expect(a).rejects.toBeInstanceOf(AbortError);
    await Promise.resolve();
    expect(signals[0]?.aborted).toBe(false);
    second.abort();
    await expect(b).rejects.toBeInstanceOf(AbortError);
    expect(signals[0]?.aborted).toBe(true);
    // Abandoned: a new call starts a new run instead of joining the aborted one.
    const c = signIn();
    await Promise.resolve();
    await Promise.resolve();
    expect(signals).toHaveLength(2);
    answer.resolve('token');
    expect(await c).toBe('token');
  });

  it('a failure reaches every caller, and the next call runs again', async () => {
    let runs = 0;
    const signIn = singleFlight(async () => {
      runs++;
      throw new Error(`run ${runs}`);
    });
    const results = await Promise.allSettled([signIn(), signIn()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(signIn()).rejects.toThrow('run 2');
  });
});

describe('deadlines', () => {
  it('withDeadline rejects with onTimeout() at the deadline; answerWithin resolves undefined', async () => {
    const never = new Promise<string>(() => {});
    await expect(withDeadline(never, 20, () => new AbortError('late'))).rejects.toThrow('late');
    let timedOut = false;
    expect(await answerWithin(never, 20, () => (timedOut = true))).toBeUndefined();
    expect(timedOut).toBe(true);
    expect(await answerWithin(Promise.resolve('now'), 1_000)).toBe('now');
    await expect(
      withDeadline(Promise.reject(new Error('own')), 1_000, () => new Error('late')),
    ).rejects.toThrow('own');
  });
});

describe('loadScript outside a browser', () => {
  it('rejects with LoginProviderUnavailableError instead of touching a missing document, and caches nothing', async () => {
    const options = {
      url: 'https://vendor.example/sdk.js',
      providerId: 'vendor',
      vendor: 'the Vendor SDK',
      defines: 'window.Vendor',
      read: () => undefined,
      timeoutMs: 1_000,
    };
    const error = await loadScript(options).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'LoginProviderUnavailableError',
      providerId: 'vendor',
      url: 'https://vendor.example/sdk.js',
      reason: 'load-failed',
    });
    await expect(loadScript(options)).rejects.toMatchObject({ name: 'LoginProviderUnavailableError' });
    // A page that already has the API: no load at all.
    expect(await loadScript({ ...options, read: () => 'api' })).toBe('api');
  });
});

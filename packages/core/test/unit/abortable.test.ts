/**
 * The contract of `abortable.ts`, which every deadline and abort wait in core is built on: the
 * first settlement wins, and whichever way a wait ends, its timer is cleared (the controlled
 * clock shows none pending) and its abort listener removed (Node counts the signal's listeners),
 * errors are the handlers' own, and a late failure of the work is never an unhandled rejection.
 * Then each helper built on it, ended each way, leaves nothing behind.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortable, race, rejectAborted, throwIfAborted, whenAborted } from '../../src/abortable.js';
import { sleep } from '../../src/clock.js';
import { answerWithin, withDeadline } from '../../src/deadline.js';
import { AbortError, IdentityPoolError, NetworkError } from '../../src/errors.js';
import { signOutProvider } from '../../src/provider-sign-out.js';
import { withRequestDeadline } from '../../src/request-deadline.js';
import { singleFlight } from '../../src/single-flight.js';
import { boundedCall } from '../../src/storage/bounded-call.js';
import type { LoginProvider } from '../../src/types.js';
import { ControlledClock } from '../support/controlled-clock.js';

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The outcome of a promise once the microtask queue has drained, without awaiting it. */
async function outcomeOf<T>(promise: Promise<T>) {
  const outcome: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(outcome, { value, settled: true }),
    (error: unknown) => Object.assign(outcome, { error, settled: true }),
  );
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return outcome;
}

describe('race', () => {
  it('the work settling first: its value, no timer pending, no listener left', async () => {
    const clock = new ControlledClock();
    const controller = new AbortController();
    const work = deferred<string>();
    const onTimeout = vi.fn(() => 'late');
    const onAbort = vi.fn(() => 'aborted');
    const result = race(work.promise, {
      signal: controller.signal,
      onAbort,
      timeoutMs: 1_000,
      timers: clock,
      onTimeout,
    });
    expect(clock.pending).toBe(1);
    expect(listeners(controller.signal)).toBe(1);
    work.resolve('answer');
    expect(await result).toBe('answer');
    expect(clock.pending).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
    controller.abort();
    clock.advance(5_000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(onAbort).not.toHaveBeenCalled();
  });

  it('the work failing first: its error as it is, nothing left', async () => {
    const clock = new ControlledClock();
    const controller = new AbortController();
    const failure = new NetworkError('GetId', 'down');
    const result = race(Promise.reject(failure), {
      signal: controller.signal,
      onAbort: rejectAborted,
      timeoutMs: 1_000,
      timers: clock,
      onTimeout: () => 'late',
    });
    await expect(result).rejects.toBe(failure);
    expect(clock.pending).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('the deadline first: the handler runs once, its return value wins over a later answer; no listener left', async () => {
    const clock = new ControlledClock();
    const controller = new AbortController();
    const work = deferred<string>();
    const onTimeout = vi.fn(() => 'timed out');
    const result = race(work.promise, {
      signal: controller.signal,
      onAbort: rejectAborted,
      timeoutMs: 1_000,
      timers: clock,
      onTimeout,
    });
    clock.advance(1_000);
    work.resolve('too late');
    expect(await result).toBe('timed out');
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(listeners(controller.signal)).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('the deadline first: a handler that throws rejects with what it threw', async () => {
    const clock = new ControlledClock();
    const thrown = new NetworkError('GetId', 'no answer');
    const result = race(new Promise<never>(() => {}), {
      timeoutMs: 10,
      timers: clock,
      onTimeout: () => {
        throw thrown;
      },
    });
    clock.advance(10);
    await expect(result).rejects.toBe(thrown);
  });

  it('an abort first: the abort handler (rejectAborted: an AbortError), the timer cleared, the handler never run again', async () => {
    const clock = new ControlledClock();
    const controller = new AbortController();
    const work = deferred<string>();
    const onTimeout = vi.fn(() => 'late');
    const result = race(work.promise, {
      signal: controller.signal,
      onAbort: rejectAborted,
      timeoutMs: 1_000,
      timers: clock,
      onTimeout,
    });
    controller.abort();
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toBeInstanceOf(IdentityPoolError);
    expect(clock.pending).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
    clock.advance(5_000);
    work.resolve('too late');
    await Promise.resolve();
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('an already aborted signal: the abort handler at once, no timer and no listener left', async () => {
    const clock = new ControlledClock();
    const signal = AbortSignal.abort();
    const onAbort = vi.fn(() => 'gave up');
    const result = race(new Promise<string>(() => {}), {
      signal,
      onAbort,
      timeoutMs: 1_000,
      timers: clock,
      onTimeout: () => 'late',
    });
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(await result).toBe('gave up');
    expect(clock.pending).toBe(0);
    expect(listeners(signal)).toBe(0);
  });

  it('a failure of the work after a stop won is observed, not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const clock = new ControlledClock();
      const work = deferred<string>();
      const result = race(work.promise, { timeoutMs: 5, timers: clock, onTimeout: () => 'late' });
      clock.advance(5);
      expect(await result).toBe('late');
      work.reject(new Error('late failure'));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('with no work, only a stop ends it', async () => {
    const clock = new ControlledClock();
    const result = race<string>(undefined, { timeoutMs: 50, timers: clock, onTimeout: () => 'slept' });
    expect((await outcomeOf(result)).settled).toBe(false);
    clock.advance(50);
    expect(await result).toBe('slept');
  });
});

describe('whenAborted, abortable, throwIfAborted', () => {
  it('whenAborted runs the listener once on abort, at once for an aborted signal, and stops listening when told', () => {
    const controller = new AbortController();
    const listener = vi.fn();
    const stop = whenAborted(controller.signal, listener);
    expect(listeners(controller.signal)).toBe(1);
    stop();
    expect(listeners(controller.signal)).toBe(0);
    controller.abort();
    expect(listener).not.toHaveBeenCalled();
    whenAborted(controller.signal, listener)();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(() => whenAborted(undefined, listener)()).not.toThrow();
  });

  it('abortable: the promise itself without a signal; with one, no listener left after it settles', async () => {
    const work = Promise.resolve(1);
    expect(abortable(work, undefined)).toBe(work);
    const controller = new AbortController();
    expect(await abortable(work, controller.signal)).toBe(1);
    expect(listeners(controller.signal)).toBe(0);
    await expect(abortable(work, AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
  });

  it("throwIfAborted throws the signal's reason, and nothing for a live or missing signal", () => {
    const reason = new AbortError('gone');
    expect(() => throwIfAborted(AbortSignal.abort(reason))).toThrow(reason);
    expect(() => throwIfAborted(new AbortController().signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
  });
});

/** Each helper built on `race`, ended by its work, its deadline and the caller's abort. */
describe('the helpers leave no timer and no listener, however they end', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(['work', 'deadline', 'abort'] as const)('withRequestDeadline, ended by the %s', async (ending) => {
    const clock = new ControlledClock();
    const caller = new AbortController();
    const answer = deferred<string>();
    // A transport that ignores its signal: only the deadline helper can end the wait.
    const request = withRequestDeadline('GetId', 1_000, clock, caller.signal, () => answer.promise);
    if (ending === 'work') answer.resolve('id');
    if (ending === 'deadline') clock.advance(1_000);
    if (ending === 'abort') caller.abort();
    const outcome = await outcomeOf(request);
    expect(outcome.settled).toBe(true);
    if (ending === 'deadline') expect(outcome.error).toBeInstanceOf(NetworkError);
    if (ending === 'abort') expect(outcome.error).toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
    expect(listeners(caller.signal)).toBe(0);
  });

  // A sleep has no work of its own.
  it.each(['deadline', 'abort'] as const)('sleep, ended by the %s', async (ending) => {
    const clock = new ControlledClock();
    const caller = new AbortController();
    const slept = sleep(clock, 1_000, caller.signal);
    if (ending === 'deadline') clock.advance(1_000);
    if (ending === 'abort') caller.abort(new AbortError());
    const outcome = await outcomeOf(slept);
    expect(outcome.settled).toBe(true);
    if (ending === 'abort') expect(outcome.error).toBe(caller.signal.reason);
    expect(clock.pending).toBe(0);
    expect(listeners(caller.signal)).toBe(0);
  });

  // No deadline of its own.
  it.each(['work', 'abort'] as const)('singleFlight, ended by the %s', async (ending) => {
    const caller = new AbortController();
    const answer = deferred<string>();
    let attempt: AbortSignal | undefined;
    const signIn = singleFlight((signal) => {
      attempt = signal;
      return answer.promise;
    });
    const call = signIn(caller.signal);
    await Promise.resolve();
    if (ending === 'work') answer.resolve('token');
    if (ending === 'abort') caller.abort();
    const outcome = await outcomeOf(call);
    expect(outcome.settled).toBe(true);
    if (ending === 'abort') expect(attempt?.aborted).toBe(true);
    expect(listeners(caller.signal)).toBe(0);
  });

  // No signal of their own.
  it.each(['work', 'deadline'] as const)(
    'boundedCall and signOutProvider, ended by the %s',
    async (ending) => {
      const clock = new ControlledClock();
      const answer = deferred<void>();
      const reported: IdentityPoolError[] = [];
      const call = boundedCall(() => answer.promise, 1_000, clock);
      const provider: LoginProvider = {
        id: 'test',
        loginsKey: 'example.com',
        signIn: () => Promise.reject(new Error('not used')),
        signOut: () => answer.promise,
      };
      const signOut = signOutProvider(provider, clock, (error) => reported.push(error), 1_000);
      await Promise.resolve();
      if (ending === 'work') answer.resolve();
      if (ending === 'deadline') clock.advance(1_000);
      expect((await outcomeOf(call)).value?.status).toBe(ending === 'work' ? 'done' : 'timedOut');
      expect((await outcomeOf(signOut)).settled).toBe(true);
      expect(reported.map((error) => error.name)).toEqual(
        ending === 'work' ? [] : ['LoginProviderTimeoutError'],
      );
      expect(clock.pending).toBe(0);
    },
  );

  it.each(['work', 'deadline'] as const)(
    'withDeadline and answerWithin (the system timers), ended by the %s',
    async (ending) => {
      vi.useFakeTimers();
      const answer = deferred<string>();
      const bounded = withDeadline(answer.promise, 1_000, () => new NetworkError('sign-in', 'no answer'));
      const silent = answerWithin(answer.promise, 1_000);
      expect(vi.getTimerCount()).toBe(2);
      if (ending === 'work') answer.resolve('token');
      if (ending === 'deadline') vi.advanceTimersByTime(1_000);
      const [first, second] = [await outcomeOf(bounded), await outcomeOf(silent)];
      expect(first.settled && second.settled).toBe(true);
      expect(second.value).toBe(ending === 'work' ? 'token' : undefined);
      expect(vi.getTimerCount()).toBe(0);
    },
  );
});

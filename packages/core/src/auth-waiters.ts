/**
 * Callers waiting on the machine: `getCredentials()` and `getIdentityId()` register a waiter,
 * send their event, and are settled by the first snapshot that satisfies them — or rejected by a
 * failed request, a sign-out or `stop()`.
 */
import type { Actor } from 'xstate';
import { whenAborted } from './abortable.js';
import type { Snapshot } from './auth-state.js';
import { AbortError, StoppedError } from './errors.js';
import type { IdentityPoolMachine } from './machine.js';
import type { IdentityPoolCredentials } from './types.js';

interface Waiter {
  /** Resolves the waiter if the session can now satisfy it. */
  check(credentials: IdentityPoolCredentials | undefined, snapshot: Snapshot): boolean;
  reject(error: Error): void;
  /** Identity waiters survive failures that leave an identity. */
  kind: 'credentials' | 'identity';
}

export type WaiterKind = Waiter['kind'];

/**
 * The waiters of one session. `current` gives the latest snapshot's credentials; `safe` turns
 * what they are rejected with into one of the library's errors with no secret in it.
 */
export function createWaiters(
  actor: Actor<IdentityPoolMachine>,
  isStopped: () => boolean,
  current: () => IdentityPoolCredentials | undefined,
  safe: (error: unknown) => Error,
) {
  let waiters = new Set<Waiter>();

  const settle = (snapshot: Snapshot) => {
    for (const waiter of waiters) {
      if (waiter.check(snapshot.context.credentials, snapshot)) waiters.delete(waiter);
    }
  };

  const rejectAll = (thrown: unknown, kinds: Waiter['kind'][] = ['credentials', 'identity']) => {
    const error = safe(thrown);
    for (const waiter of waiters) {
      if (kinds.includes(waiter.kind)) {
        waiters.delete(waiter);
        waiter.reject(error);
      }
    }
  };

  /** `stop()`: every waiter rejects with `StoppedError`. */
  const stopAll = () => {
    const pending = waiters;
    waiters = new Set();
    for (const waiter of pending) waiter.reject(new StoppedError());
  };

  /** Registers a waiter, sends `event`, and settles at once if the session already can. */
  function wait<T>(
    kind: Waiter['kind'],
    signal: AbortSignal | undefined,
    resolveWith: (credentials: IdentityPoolCredentials | undefined, snapshot: Snapshot) => T | undefined,
    send: () => void,
  ): Promise<T> {
    if (isStopped()) return Promise.reject(new StoppedError());
    if (signal?.aborted) return Promise.reject(new AbortError());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        waiters.delete(waiter);
        reject(new AbortError());
      };
      const waiter: Waiter = {
        kind,
        check(credentials, snapshot) {
          const value = resolveWith(credentials, snapshot);
          if (value === undefined) return false;
          done();
          resolve(value);
          return true;
        },
        reject(error) {
          done();
          reject(error);
        },
      };
      const done = whenAborted(signal, onAbort);
      waiters.add(waiter);
      send();
      if (waiters.has(waiter) && waiter.check(current(), actor.getSnapshot())) waiters.delete(waiter);
    });
  }

  return { wait, settle, rejectAll, stopAll };
}

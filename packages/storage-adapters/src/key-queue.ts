/**
 * Runs the writes of one key one after another, shared by every adapter over the same store object
 * (two `secureStore(SecureStore)` in one app see one queue). A write that never settles holds the
 * key for at most `maxWaitMs`: after that the next one goes ahead, so a hung native call cannot
 * block a key for good.
 */
import { answerWithin } from '@identity-pool/core';

export type KeyQueue = <T>(key: string, write: () => Promise<T>) => Promise<T>;

const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

const ignore = () => {};

export function keyQueue(store: object, maxWaitMs: number): KeyQueue {
  let tails = queues.get(store);
  if (!tails) {
    tails = new Map();
    queues.set(store, tails);
  }
  const keys = tails;
  return (key, write) => {
    const previous = keys.get(key);
    // After the previous write settles either way, or after `maxWaitMs`: never rejects.
    const turn = previous && answerWithin(previous.then(ignore, ignore), maxWaitMs);
    const run = turn ? turn.then(write) : write();
    keys.set(key, run);
    const forget = () => {
      if (keys.get(key) === run) keys.delete(key);
    };
    run.then(forget, forget);
    return run;
  };
}

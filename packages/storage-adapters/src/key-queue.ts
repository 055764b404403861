/**
 * Runs the writes of one key one after another, shared by every adapter over the same store object
 * (two `secureStore(SecureStore)` in one app see one queue). A write that never settles holds the
 * key for at most `maxWaitMs`: after that the next one goes ahead, so a hung native call cannot
 * block a key for good.
 */
export type KeyQueue = <T>(key: string, write: () => Promise<T>) => Promise<T>;

const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

/** Settles when `previous` does, or after `ms`, whichever is first; never rejects. */
function settledOrAfter(previous: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    previous.then(done, done);
  });
}

export function keyQueue(store: object, maxWaitMs: number): KeyQueue {
  let tails = queues.get(store);
  if (!tails) {
    tails = new Map();
    queues.set(store, tails);
  }
  const keys = tails;
  return (key, write) => {
    const previous = keys.get(key);
    const run = previous ? settledOrAfter(previous, maxWaitMs).then(write) : write();
    keys.set(key, run);
    const forget = () => {
      if (keys.get(key) === run) keys.delete(key);
    };
    run.then(forget, forget);
    return run;
  };
}

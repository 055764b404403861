/**
 * Storage adapters with the timing users' adapters have: synchronous (memory, localStorage),
 * asynchronous (AsyncStorage), slow writes (a remote store: the write lands when it resolves,
 * while removes and reads are quick, so an adapter may apply calls out of order), FIFO but
 * delayed (one connection: calls land in the order they were sent, each a little later), and
 * failing or never answering. Each keeps its items in a `Map` the test can inspect, and
 * `drain()` waits until every call it was given has landed.
 */
import type { StorageAdapter } from '../../src/types.js';

export interface TestAdapter extends StorageAdapter {
  readonly name: string;
  readonly items: Map<string, string>;
  /** Resolves once every call made so far has landed. */
  drain(): Promise<void>;
  /** Called as each `setItem` is received, before it lands. */
  onSetItem?: (key: string, value: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function base(name: string) {
  const items = new Map<string, string>();
  const pending = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => {});
    return promise;
  };
  const drain = async () => {
    while (pending.size) await Promise.allSettled([...pending]);
  };
  return { name, items, track, drain };
}

export function syncAdapter(): TestAdapter {
  const { name, items, drain } = base('sync');
  const adapter: TestAdapter = {
    name,
    items,
    drain,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      adapter.onSetItem?.(key, value);
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
  return adapter;
}

export function asyncAdapter(): TestAdapter {
  const { name, items, track, drain } = base('async');
  const adapter: TestAdapter = {
    name,
    items,
    drain,
    getItem: (key) => track(Promise.resolve().then(() => items.get(key) ?? null)),
    setItem: (key, value) => {
      adapter.onSetItem?.(key, value);
      return track(Promise.resolve().then(() => void items.set(key, value)));
    },
    removeItem: (key) => track(Promise.resolve().then(() => void items.delete(key))),
  };
  return adapter;
}

/** Writes land `ms` after they are sent; reads and removes at once. */
export function slowWriteAdapter(ms = 50): TestAdapter {
  const { name, items, track, drain } = base(`slow writes (${ms} ms)`);
  const adapter: TestAdapter = {
    name,
    items,
    drain,
    getItem: (key) => track(Promise.resolve(items.get(key) ?? null)),
    setItem: (key, value) => {
      adapter.onSetItem?.(key, value);
      return track(sleep(ms).then(() => void items.set(key, value)));
    },
    removeItem: (key) => track(Promise.resolve().then(() => void items.delete(key))),
  };
  return adapter;
}

/** Every call lands in the order it was sent, `ms` after the previous one (one connection). */
export function fifoAdapter(ms = 20): TestAdapter {
  const { name, items, track, drain } = base(`FIFO, ${ms} ms a call`);
  let tail: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(apply: () => T): Promise<T> => {
    const result = tail.then(() => sleep(ms)).then(apply);
    tail = result.catch(() => {});
    return track(result);
  };
  const adapter: TestAdapter = {
    name,
    items,
    drain,
    getItem: (key) => enqueue(() => items.get(key) ?? null),
    setItem: (key, value) => {
      adapter.onSetItem?.(key, value);
      return enqueue(() => void items.set(key, value));
    },
    removeItem: (key) => enqueue(() => void items.delete(key)),
  };
  return adapter;
}

/** Fails every other call (throwing synchronously or rejecting), otherwise a memory store. */
export function throwingAdapter(): TestAdapter {
  const { name, items, track, drain } = base('throwing');
  let calls = 0;
  const fail = () => {
    calls++;
    if (calls % 4 === 1) throw new Error('adapter exploded');
    if (calls % 4 === 2) return track(Promise.reject(new Error('adapter rejected')));
    return undefined;
  };
  const adapter: TestAdapter = {
    name,
    items,
    drain,
    getItem: (key) => fail() ?? items.get(key) ?? null,
    setItem: (key, value) => {
      adapter.onSetItem?.(key, value);
      return fail() ?? void items.set(key, value);
    },
    removeItem: (key) => fail() ?? void items.delete(key),
  };
  return adapter;
}

/** The well-behaved kinds, by name. */
export const adapterKinds: Array<[string, () => TestAdapter]> = [
  ['sync', syncAdapter],
  ['async', asyncAdapter],
  ['slow writes', () => slowWriteAdapter(50)],
  ['FIFO delayed', () => fifoAdapter(20)],
];

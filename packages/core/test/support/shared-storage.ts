import type { StorageAdapter } from '../../src/index.js';

/** Options of one adapter object over a shared store. */
export interface SharedAdapterOptions {
  /** Offer the optional push capability (`watch`), as `redisStorage` with a subscriber does. */
  push?: boolean;
  /** Runs before each `setItem` lands; a test can hold a write back here to order a race. */
  beforeSet?: (key: string, value: string) => Promise<void> | void;
}

/**
 * One store shared by several adapter objects: each `adapter()` stands for another process's
 * client of the same Redis (separate objects, so the same-process guard does not apply). Every
 * call is asynchronous, as over a network. With `push`, a write through one adapter is announced
 * to the `watch` listeners of the others a task later (a pub/sub message).
 */
export function sharedStorage() {
  const items = new Map<string, string>();
  const watchers = new Map<string, Set<{ from: object; listener: () => void }>>();
  const announce = (key: string, from: object) => {
    for (const watcher of watchers.get(key) ?? []) {
      if (watcher.from !== from) setTimeout(watcher.listener, 0);
    }
  };
  return {
    items,
    adapter(options: SharedAdapterOptions = {}): StorageAdapter {
      const self: StorageAdapter = {
        async getItem(key) {
          await Promise.resolve();
          return items.get(key) ?? null;
        },
        async setItem(key, value) {
          await options.beforeSet?.(key, value);
          items.set(key, value);
          announce(key, self);
        },
        async removeItem(key) {
          await Promise.resolve();
          items.delete(key);
          announce(key, self);
        },
      };
      if (options.push) {
        (self as StorageAdapter & { watch: NonNullable<StorageAdapter['watch']> }).watch = (
          key,
          listener,
        ) => {
          const set = watchers.get(key) ?? new Set();
          watchers.set(key, set);
          const entry = { from: self, listener };
          set.add(entry);
          return () => set.delete(entry);
        };
      }
      return self;
    },
  };
}

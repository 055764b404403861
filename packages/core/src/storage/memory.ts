import type { StorageAdapter } from '../types.js';

/** The default store: a `Map` in memory, gone with the process or page. */
export function memoryStorage(): StorageAdapter & { readonly size: number; keys(): string[] } {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, String(value));
    },
    removeItem: (key) => {
      items.delete(key);
    },
    get size() {
      return items.size;
    },
    keys: () => [...items.keys()],
  };
}

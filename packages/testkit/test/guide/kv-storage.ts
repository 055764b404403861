import type { StorageAdapter } from '@identity-pool/core';

/** Any store with `get`, `set` and `delete`: a `Map`, Cloudflare Workers KV, Keyv, … */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: string): unknown;
  delete(key: string): unknown;
}

export function kvStorage(kv: KeyValueStore, options: { prefix?: string } = {}): StorageAdapter {
  const prefix = options.prefix ?? '';
  return {
    async getItem(key) {
      const value = await kv.get(prefix + key);
      // A missing key must read as null, never undefined.
      return typeof value === 'string' ? value : null;
    },
    async setItem(key, value) {
      await kv.set(prefix + key, value);
    },
    async removeItem(key) {
      // Removing a missing key must succeed too.
      await kv.delete(prefix + key);
    },
  };
}

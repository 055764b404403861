import type { StorageAdapter } from '@identity-pool/core';
import { keyPrefixer } from './key-prefix.js';

/** The part of React Native's `AsyncStorage` the adapter uses (v1, v2 and v3 all have it). */
export interface AsyncStorageLike {
  getItem(key: string): Promise<string | null | undefined>;
  setItem(key: string, value: string): Promise<unknown>;
  removeItem(key: string): Promise<unknown>;
}

export interface AsyncStorageOptions {
  /**
   * Put before every key; default none (the core's keys are prefixed already). A `:` is added
   * when it does not end with one, so two prefixes never name the same key.
   */
  prefix?: string;
}

/**
 * React Native `AsyncStorage` as a storage adapter:
 * `asyncStorage(AsyncStorage)` with `import AsyncStorage from '@react-native-async-storage/async-storage'`.
 * `AsyncStorage` fits `StorageAdapter` as it is; this adds a key prefix and turns an
 * `undefined` read into `null`. Failures reject and the core reports them as `error` events.
 */
export function asyncStorage(storage: AsyncStorageLike, options: AsyncStorageOptions = {}): StorageAdapter {
  const at = keyPrefixer('asyncStorage', options.prefix);
  return {
    async getItem(key) {
      return (await storage.getItem(at(key))) ?? null;
    },
    async setItem(key, value) {
      await storage.setItem(at(key), value);
    },
    async removeItem(key) {
      await storage.removeItem(at(key));
    },
  };
}

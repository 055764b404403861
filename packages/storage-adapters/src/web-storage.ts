import type { StorageAdapter } from '@identity-pool/core';
import { reason, StorageAdapterError } from './errors.js';
import { keyPrefixer } from './key-prefix.js';

/** The part of the Web Storage `Storage` interface the adapter uses. */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface WebStorageOptions {
  /**
   * Put before every key, e.g. `myapp:`; default none (the core's keys are prefixed already). A
   * `:` is added when it does not end with one, so two prefixes never name the same key.
   */
  prefix?: string;
}

export interface WebStorageAdapter extends StorageAdapter {
  /** Keys currently kept only in memory because the browser refused to store them. */
  readonly memoryOnlyKeys: readonly string[];
}

/**
 * `localStorage` or `sessionStorage` as a storage adapter. Pass the storage or a function that
 * returns it: `webStorage(() => window.localStorage)` also survives browsers where merely reading
 * `window.localStorage` throws (storage blocked, sandboxed frames).
 *
 * When the browser refuses a write (`QuotaExceededError`, Safari's private mode with a zero
 * quota, storage disabled), the value is kept in memory for this page, so the session goes on
 * consistently, and `setItem` throws a `StorageAdapterError`: the core reports it as an `error`
 * event and never fails sign-in. Reads and removes that throw fall back to memory the same way.
 */
export function webStorage(
  storage: WebStorageLike | (() => WebStorageLike),
  options: WebStorageOptions = {},
): WebStorageAdapter {
  const at = keyPrefixer('webStorage', options.prefix);
  const memory = new Map<string, string>();
  const target = (): WebStorageLike => (typeof storage === 'function' ? storage() : storage);

  return {
    getItem(key) {
      const kept = memory.get(key);
      if (kept !== undefined) return kept;
      try {
        return target().getItem(at(key)) ?? null;
      } catch (error) {
        throw new StorageAdapterError('webStorage', `the browser refused to read: ${reason(error)}`, {
          cause: error,
        });
      }
    },
    setItem(key, value) {
      try {
        target().setItem(at(key), value);
        memory.delete(key);
      } catch (error) {
        memory.set(key, value);
        throw new StorageAdapterError(
          'webStorage',
          `the browser refused to store a value (${reason(error)}); it is kept in memory for this page only`,
          { cause: error },
        );
      }
    },
    removeItem(key) {
      memory.delete(key);
      try {
        target().removeItem(at(key));
      } catch (error) {
        throw new StorageAdapterError('webStorage', `the browser refused to remove: ${reason(error)}`, {
          cause: error,
        });
      }
    },
    get memoryOnlyKeys() {
      return [...memory.keys()];
    },
  };
}

export { StorageAdapterError } from './errors.js';

import type { StorageAdapter } from '@identity-pool/core';
import { StorageAdapterError } from './errors.js';
import { keyPrefixer } from './key-prefix.js';
import { keyQueue } from './key-queue.js';
import {
  chunkKey,
  formatJournal,
  formatManifest,
  type Generation,
  journalKey,
  MANIFEST,
  maxChunksFor,
  parseJournal,
  parseManifest,
  SECURE_STORE_CHUNK_BYTES,
  secureStoreKey,
  splitUtf8,
  utf8Length,
} from './secure-store-format.js';

const ADAPTER = 'secureStore';

/** The options expo-secure-store's calls take (`keychainService`, `keychainAccessible`). */
export interface SecureStoreCallOptions {
  keychainService?: string;
  keychainAccessible?: number;
}

/** The part of `expo-secure-store` the adapter uses (`import * as SecureStore from 'expo-secure-store'`). */
export interface SecureStoreLike {
  getItemAsync(key: string, options?: SecureStoreCallOptions): Promise<string | null>;
  setItemAsync(key: string, value: string, options?: SecureStoreCallOptions): Promise<void>;
  deleteItemAsync(key: string, options?: SecureStoreCallOptions): Promise<void>;
  /** iOS: readable after the first unlock since boot, so a background refresh can read it. */
  AFTER_FIRST_UNLOCK?: number;
}

export interface SecureStoreOptions {
  /** Put before every key; default none. */
  prefix?: string;
  /** iOS keychain service / Android preferences file. Default expo-secure-store's own. */
  keychainService?: string;
  /** iOS accessibility. Default `AFTER_FIRST_UNLOCK` (background refresh needs to read). */
  keychainAccessible?: number;
  /**
   * Largest value stored, in UTF-8 bytes; a larger `setItem` fails with a `StorageAdapterError`
   * (the core keeps the session in memory and reports a `StorageError`). Default 16 384: a stored
   * identity and credentials take under 4 KB.
   */
  maxValueBytes?: number;
}

export { SECURE_STORE_CHUNK_BYTES, secureStoreKey, splitUtf8, utf8Length } from './secure-store-format.js';

/**
 * How long a write waits for the previous write of the same key before going ahead anyway (a
 * native call that never answers must not block the key for good). Longer than any keychain call.
 */
export const SECURE_STORE_WRITE_WAIT_MS = 30_000;

/** How often a read starts over when the manifest it followed was replaced under it. */
const READ_ATTEMPTS = 3;

/** Refuses what is not expo-secure-store (a missing import, the wrong module) when the adapter is made. */
function requireSecureStore(store: unknown): asserts store is SecureStoreLike {
  const methods = ['getItemAsync', 'setItemAsync', 'deleteItemAsync'];
  const usable = (() => {
    try {
      return methods.every((name) => typeof (store as Record<string, unknown> | null)?.[name] === 'function');
    } catch {
      return false; // a getter that throws
    }
  })();
  if (!usable) {
    throw new StorageAdapterError(
      ADAPTER,
      "secureStore(SecureStore) needs expo-secure-store's module (getItemAsync, setItemAsync and deleteItemAsync)",
    );
  }
}

/**
 * The platform keychain (iOS) / Keystore-encrypted preferences (Android) through expo-secure-store:
 * `secureStore(SecureStore)` with `import * as SecureStore from 'expo-secure-store'`. Values over
 * {@link SECURE_STORE_CHUNK_BYTES} are written as chunks and then a manifest naming them (so a
 * read never sees half a new value); values over `maxValueBytes` are refused. Writes of one key
 * run one at a time, each first recording in a journal the generations it has in play, so a write
 * killed half-way leaves chunks the next write finds and deletes.
 */
export function secureStore(store: SecureStoreLike, options: SecureStoreOptions = {}): StorageAdapter {
  requireSecureStore(store);
  const at = keyPrefixer(ADAPTER, options.prefix);
  const maxValueBytes = options.maxValueBytes ?? 16_384;
  if (typeof maxValueBytes !== 'number' || !Number.isInteger(maxValueBytes) || maxValueBytes < 1) {
    throw new StorageAdapterError(ADAPTER, 'maxValueBytes must be a whole number of bytes, at least 1');
  }
  const maxChunks = maxChunksFor(maxValueBytes);
  const callOptions: SecureStoreCallOptions = {
    ...(options.keychainService === undefined ? {} : { keychainService: options.keychainService }),
    ...((options.keychainAccessible ?? store.AFTER_FIRST_UNLOCK) === undefined
      ? {}
      : { keychainAccessible: options.keychainAccessible ?? store.AFTER_FIRST_UNLOCK }),
  };
  const serially = keyQueue(store, SECURE_STORE_WRITE_WAIT_MS);
  let generations = 0;
  const newGeneration = () => `${Date.now().toString(36)}${(generations++).toString(36)}`;

  const call = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      // Never the value: only what failed and the platform's error name.
      const name = error instanceof Error ? error.name : typeof error;
      throw new StorageAdapterError(ADAPTER, `${what} failed (${name})`);
    }
  };
  /** A stored string, or `null`: any other answer from the native side is refused, never parsed. */
  const read = async (key: string): Promise<string | null> => {
    const value: unknown = await call('read', () => store.getItemAsync(key, callOptions));
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') {
      throw new StorageAdapterError(ADAPTER, `read returned ${typeof value}, not a string`);
    }
    return value;
  };
  const write = (key: string, value: string) =>
    call('write', () => store.setItemAsync(key, value, callOptions));
  const remove = (key: string) => call('delete', () => store.deleteItemAsync(key, callOptions));
  const removeChunks = async (key: string, generation: Generation | undefined) => {
    if (!generation) return;
    for (let index = 0; index < generation.count; index++) await remove(chunkKey(key, generation, index));
  };

  /** The value `key` holds: `undefined` when a chunk went missing (replaced meanwhile, or damaged). */
  const readOnce = async (key: string, stored: string | null) => {
    const manifest = parseManifest(stored, maxChunks);
    // A plain value never starts with the marker (such values are chunked): a damaged manifest.
    if (!manifest) return stored?.startsWith(MANIFEST) ? null : stored;
    let text = '';
    for (let index = 0; index < manifest.count; index++) {
      const chunk = await read(chunkKey(key, manifest, index));
      if (chunk === null) return undefined;
      text += chunk;
    }
    return text;
  };

  /** Deletes the chunks a killed write left: every journaled generation the manifest does not name. */
  const recover = async (key: string, current: Generation | undefined) => {
    const journal = await read(journalKey(key));
    if (journal === null) return;
    for (const generation of parseJournal(journal, maxChunks)) {
      if (generation.generation !== current?.generation) await removeChunks(key, generation);
    }
    await remove(journalKey(key));
  };

  /** Puts `next` (or nothing) in `key`: journal, chunks, manifest or value, old chunks, journal gone. */
  const replace = async (key: string, next: string | undefined) => {
    const current = parseManifest(await read(key), maxChunks);
    await recover(key, current);
    const chunks =
      next !== undefined && (utf8Length(next) > SECURE_STORE_CHUNK_BYTES || next.startsWith(MANIFEST))
        ? splitUtf8(next, SECURE_STORE_CHUNK_BYTES)
        : undefined;
    const manifest = chunks && { generation: newGeneration(), count: chunks.length };
    const inPlay = [manifest, current].filter((generation): generation is Generation => !!generation);
    if (inPlay.length) await write(journalKey(key), formatJournal(inPlay));
    if (manifest && chunks) {
      for (const [index, chunk] of chunks.entries()) await write(chunkKey(key, manifest, index), chunk);
    }
    if (next === undefined) await remove(key);
    else await write(key, manifest ? formatManifest(manifest) : next);
    await removeChunks(key, current);
    if (inPlay.length) await remove(journalKey(key));
  };

  return {
    async getItem(name) {
      const key = secureStoreKey(at(name));
      let stored = await read(key);
      for (let attempt = 1; ; attempt++) {
        const value = await readOnce(key, stored);
        if (value !== undefined) return value;
        // A chunk gone: if the manifest was replaced meanwhile, read the new value instead.
        const now = await read(key);
        if (now === stored || attempt === READ_ATTEMPTS) return null;
        stored = now;
      }
    },
    async setItem(name, value) {
      const bytes = utf8Length(value);
      if (bytes > maxValueBytes) {
        throw new StorageAdapterError(
          ADAPTER,
          `the value of "${name}" is ${bytes} bytes, over maxValueBytes (${maxValueBytes})`,
        );
      }
      const key = secureStoreKey(at(name));
      await serially(key, () => replace(key, value));
    },
    async removeItem(name) {
      const key = secureStoreKey(at(name));
      await serially(key, () => replace(key, undefined));
    },
  };
}

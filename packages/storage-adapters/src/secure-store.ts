import type { StorageAdapter } from '@identity-pool/core';
import { StorageAdapterError } from './errors.js';
import { keyPrefixer } from './key-prefix.js';

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

/**
 * expo-secure-store documents 2048 bytes as the value size above which a write may fail (iOS
 * keychain); longer values are split into chunks of at most this many UTF-8 bytes.
 */
export const SECURE_STORE_CHUNK_BYTES = 2048;

/** Starts a manifest (a value split into chunks); a plain value starting with it is split too. */
const MANIFEST = '\u0000chunks:';

/** UTF-8 length of `text` (no TextEncoder needed: Hermes before React Native 0.74 has none). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let size = 0;
  for (const char of text) {
    const bytes = utf8Length(char);
    if (size + bytes > maxBytes) {
      pieces.push(piece);
      piece = '';
      size = 0;
    }
    piece += char;
    size += bytes;
  }
  if (piece || pieces.length === 0) pieces.push(piece);
  return pieces;
}

/**
 * SecureStore keys allow only letters, digits, `.`, `-` and `_`; the core's keys have `:`. Every
 * other character (and `_`, the escape) becomes `_` and four hex digits, so distinct keys stay
 * distinct.
 */
export function secureStoreKey(key: string): string {
  return key.replace(/[^A-Za-z0-9.-]/g, (char) => `_${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface Manifest {
  generation: string;
  count: number;
}

function parseManifest(value: string | null): Manifest | undefined {
  if (value === null || !value.startsWith(MANIFEST)) return undefined;
  const [generation, count] = value.slice(MANIFEST.length).split(':');
  const n = Number(count);
  return generation && Number.isInteger(n) && n > 0 && n <= 1000 ? { generation, count: n } : undefined;
}

const chunkKey = (key: string, manifest: Manifest, index: number) => `${key}.${manifest.generation}.${index}`;

/**
 * The platform keychain (iOS) / Keystore-encrypted preferences (Android) through expo-secure-store:
 * `secureStore(SecureStore)` with `import * as SecureStore from 'expo-secure-store'`. Values over
 * {@link SECURE_STORE_CHUNK_BYTES} are written as chunks and then a manifest naming them (so a
 * read never sees half a new value); values over `maxValueBytes` are refused.
 */
export function secureStore(store: SecureStoreLike, options: SecureStoreOptions = {}): StorageAdapter {
  const at = keyPrefixer(ADAPTER, options.prefix);
  const maxValueBytes = options.maxValueBytes ?? 16_384;
  if (typeof maxValueBytes !== 'number' || !Number.isInteger(maxValueBytes) || maxValueBytes < 1) {
    throw new StorageAdapterError(ADAPTER, 'maxValueBytes must be a whole number of bytes, at least 1');
  }
  const callOptions: SecureStoreCallOptions = {
    ...(options.keychainService === undefined ? {} : { keychainService: options.keychainService }),
    ...((options.keychainAccessible ?? store.AFTER_FIRST_UNLOCK) === undefined
      ? {}
      : { keychainAccessible: options.keychainAccessible ?? store.AFTER_FIRST_UNLOCK }),
  };
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
  const read = (key: string) => call('read', () => store.getItemAsync(key, callOptions));
  const remove = (key: string) => call('delete', () => store.deleteItemAsync(key, callOptions));
  const removeChunks = async (key: string, manifest: Manifest | undefined) => {
    if (!manifest) return;
    for (let index = 0; index < manifest.count; index++) await remove(chunkKey(key, manifest, index));
  };

  return {
    async getItem(name) {
      const key = secureStoreKey(at(name));
      const value = await read(key);
      const manifest = parseManifest(value);
      // A plain value never starts with the marker (such values are chunked): a damaged manifest.
      if (!manifest) return value?.startsWith(MANIFEST) ? null : (value ?? null);
      let text = '';
      for (let index = 0; index < manifest.count; index++) {
        const chunk = await read(chunkKey(key, manifest, index));
        // A chunk gone: the value was replaced or removed meanwhile; it is not there any more.
        if (chunk === null) return null;
        text += chunk;
      }
      return text;
    },
    async setItem(name, value) {
      const key = secureStoreKey(at(name));
      const bytes = utf8Length(value);
      if (bytes > maxValueBytes) {
        throw new StorageAdapterError(
          ADAPTER,
          `the value of "${name}" is ${bytes} bytes, over maxValueBytes (${maxValueBytes})`,
        );
      }
      const previous = parseManifest(await read(key));
      if (bytes <= SECURE_STORE_CHUNK_BYTES && !value.startsWith(MANIFEST)) {
        await call('write', () => store.setItemAsync(key, value, callOptions));
      } else {
        const chunks = splitUtf8(value, SECURE_STORE_CHUNK_BYTES);
        const manifest = { generation: newGeneration(), count: chunks.length };
        for (const [index, chunk] of chunks.entries()) {
          await call('write', () => store.setItemAsync(chunkKey(key, manifest, index), chunk, callOptions));
        }
        const pointer = `${MANIFEST}${manifest.generation}:${manifest.count}`;
        await call('write', () => store.setItemAsync(key, pointer, callOptions));
      }
      await removeChunks(key, previous);
    },
    async removeItem(name) {
      const key = secureStoreKey(at(name));
      const previous = parseManifest(await read(key));
      await remove(key);
      await removeChunks(key, previous);
    },
  };
}

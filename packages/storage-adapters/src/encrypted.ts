import type { StorageAdapter } from '@identity-pool/core';
import { reason, StorageAdapterError } from './errors.js';

export interface EncryptedStorageOptions {
  /**
   * An AES-GCM `CryptoKey` (make it non-extractable: `crypto.subtle.generateKey({ name: 'AES-GCM',
   * length: 256 }, false, ['encrypt', 'decrypt'])`), or a passphrase from which a 256-bit key is
   * derived with PBKDF2-SHA-256 and a random salt stored with each value.
   */
  key: CryptoKey | string;
  /** PBKDF2 iterations for a passphrase; default 600 000 (OWASP 2023). */
  iterations?: number;
  /**
   * Without it (the default), a value that cannot be decrypted — tampered with, written with
   * another key, or not encrypted at all — makes `getItem` throw an `EncryptedStorageError`: the
   * core reports it as an `error` event (a `StorageError`) and treats the value as missing. With
   * it, `getItem` calls `onError` and returns `null` instead, for use outside the core.
   */
  onError?: (error: EncryptedStorageError) => void;
}

/** A stored value could not be decrypted; the message never includes the value. */
export class EncryptedStorageError extends StorageAdapterError {
  override name = 'EncryptedStorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('encryptedStorage', message, options);
  }
}

const MARK = 'ipenc1';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Wraps any adapter so it only ever sees AES-256-GCM ciphertext (WebCrypto: browsers, Node,
 * Deno, Bun, workerd). Each value gets a fresh 96-bit IV, and its key name is authenticated as
 * additional data, so a value moved to another key does not decrypt either. Stored form:
 * `ipenc1.<salt>.<iv>.<ciphertext>` in base64 (the salt is empty for a `CryptoKey`).
 * Calls on one key run in the order they were made.
 */
export function encryptedStorage(inner: StorageAdapter, options: EncryptedStorageOptions): StorageAdapter {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new EncryptedStorageError('WebCrypto (crypto.subtle) is not available here');
  const iterations = options.iterations ?? 600_000;
  const derived = new Map<string, Promise<CryptoKey>>();
  let ownSalt: string | undefined;

  if (typeof options.key === 'string') {
    if (options.key.length === 0) throw new EncryptedStorageError('the passphrase is empty');
  } else if (options.key.algorithm?.name !== 'AES-GCM') {
    throw new EncryptedStorageError('key must be an AES-GCM CryptoKey or a passphrase');
  }

  const keyFor = (salt: string): Promise<CryptoKey> => {
    const key = options.key;
    if (typeof key !== 'string') return Promise.resolve(key);
    let found = derived.get(salt);
    if (!found) {
      found = subtle
        .importKey('raw', encoder.encode(key), 'PBKDF2', false, ['deriveKey'])
        .then((material) =>
          subtle.deriveKey(
            { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(salt), iterations },
            material,
            { name: 'AES-GCM', length: 256 },
            false,
            ['encrypt', 'decrypt'],
          ),
        );
      derived.set(salt, found);
    }
    return found;
  };

  const seal = async (name: string, value: string): Promise<string> => {
    if (typeof options.key === 'string') ownSalt ??= toBase64(crypto.getRandomValues(new Uint8Array(16)));
    const salt = typeof options.key === 'string' ? (ownSalt as string) : '';
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(name) },
      await keyFor(salt),
      encoder.encode(value),
    );
    return [MARK, salt, toBase64(iv), toBase64(new Uint8Array(sealed))].join('.');
  };

  const open = async (name: string, stored: string): Promise<string> => {
    const parts = stored.split('.');
    if (parts.length !== 4 || parts[0] !== MARK) {
      throw new EncryptedStorageError(`the value of "${name}" is not one this adapter encrypted`);
    }
    const [, salt = '', iv = '', sealed = ''] = parts;
    if ((salt === '') !== (typeof options.key !== 'string')) {
      throw new EncryptedStorageError(`the value of "${name}" was encrypted with another kind of key`);
    }
    try {
      const plain = await subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64(iv), additionalData: encoder.encode(name) },
        await keyFor(salt),
        fromBase64(sealed),
      );
      return decoder.decode(plain);
    } catch (error) {
      throw new EncryptedStorageError(
        `the value of "${name}" could not be decrypted (tampered with, or another key): ${reason(error)}`,
        { cause: error },
      );
    }
  };

  // One chain per key keeps a write and a later remove (or write) of that key in order.
  const chains = new Map<string, Promise<unknown>>();
  const inOrder = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const result = (chains.get(name) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    chains.set(name, tail);
    void tail.then(() => {
      if (chains.get(name) === tail) chains.delete(name);
    });
    return result;
  };

  return {
    getItem: (name) =>
      inOrder(name, async () => {
        const stored = await inner.getItem(name);
        if (stored === null || stored === undefined) return null;
        try {
          return await open(name, stored);
        } catch (error) {
          if (!options.onError || !(error instanceof EncryptedStorageError)) throw error;
          options.onError(error);
          return null;
        }
      }),
    // The expiry hint passes through, so the inner adapter can still expire what it cannot read.
    setItem: (name, value, writeOptions) =>
      inOrder(name, async () => {
        const sealed = await seal(name, value);
        await (writeOptions ? inner.setItem(name, sealed, writeOptions) : inner.setItem(name, sealed));
      }),
    removeItem: (name) =>
      inOrder(name, async () => {
        await inner.removeItem(name);
      }),
  };
}

export { StorageAdapterError } from './errors.js';

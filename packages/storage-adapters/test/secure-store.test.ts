/**
 * The secure storage adapter over expo-secure-store's real JavaScript layer with its native module
 * stood in for (test/support/expo-secure-store.ts): the conformance suite, plus what is its own —
 * chunking past the 2048-byte native limit, refusing values over maxValueBytes without losing
 * what was stored, keys SecureStore would refuse, the iOS accessibility passed, and errors that
 * never carry the value.
 */
import { storageAdapterSuite } from '@identity-pool/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageAdapterError } from '../src/errors.js';
import {
  SECURE_STORE_CHUNK_BYTES,
  secureStore,
  secureStoreKey,
  splitUtf8,
  utf8Length,
} from '../src/secure-store.js';
import { loadSecureStore, NATIVE_VALUE_LIMIT_BYTES, removeBundle } from './support/expo-secure-store.js';

afterAll(removeBundle);

storageAdapterSuite(
  it,
  async ({ store, namespace }) => {
    const { SecureStore } = await loadSecureStore(store);
    return secureStore(SecureStore, { prefix: namespace });
  },
  // The suite's default 50 000-character value is over the adapter's 16 KB default cap.
  { name: 'secureStore', largeValueLength: 10_000 },
);

const KEY = 'identity-pool:v1:us-east-1:00000000-0000-0000-0000-000000000000:credentials';
let devices = 0;
const device = () => `device-${devices++}`;

describe('secureStore: its own guarantees', () => {
  it('a value over the native limit is stored as chunks and read back whole; replacing it leaves no chunk behind', async () => {
    const { SecureStore, native } = await loadSecureStore(device());
    const storage = secureStore(SecureStore);
    const large = 'é🔐x'.repeat(1500); // 10 500 bytes
    await storage.setItem(KEY, large);
    expect(await storage.getItem(KEY)).toBe(large);
    const written = native.calls.filter((call) => call.method === 'set');
    // The chunks, the manifest, and the journal naming the generation in play (deleted after).
    expect(written.length).toBe(Math.ceil(utf8Length(large) / SECURE_STORE_CHUNK_BYTES) + 2);
    await storage.setItem(KEY, 'small');
    expect(await storage.getItem(KEY)).toBe('small');
    await storage.removeItem(KEY);
    expect(await storage.getItem(KEY)).toBeNull();
    // Every key written was deleted again: nothing is left in the keychain.
    const keys = new Set(written.map((call) => call.key));
    const deleted = new Set(native.calls.filter((call) => call.method === 'delete').map((call) => call.key));
    expect([...keys].filter((key) => !deleted.has(key))).toEqual([]);
  });

  it('a value over maxValueBytes is refused with a StorageAdapterError naming the key, not the value; the stored one stays', async () => {
    const { SecureStore } = await loadSecureStore(device());
    const storage = secureStore(SecureStore, { maxValueBytes: 4096 });
    await storage.setItem(KEY, 'kept');
    const secret = `SECRET-${'s'.repeat(5000)}`;
    const error = await Promise.resolve(storage.setItem(KEY, secret)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(StorageAdapterError);
    expect((error as Error).message).toMatch(/credentials.*5007 bytes, over maxValueBytes \(4096\)/);
    expect((error as Error).message).not.toContain('SECRET');
    expect(await storage.getItem(KEY)).toBe('kept');
  });

  it('a native failure becomes a StorageAdapterError without the value or the native message', async () => {
    const { SecureStore, native } = await loadSecureStore(device());
    const storage = secureStore(SecureStore);
    native.failing = new Error('keychain locked: SECRET-VALUE');
    const error = await Promise.resolve(storage.setItem(KEY, 'SECRET-VALUE')).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(StorageAdapterError);
    expect((error as Error).message).not.toContain('SECRET');
  });

  it('the core’s keys (with `:`) are turned into keys SecureStore accepts, distinct ones staying distinct', async () => {
    expect(secureStoreKey(KEY)).toMatch(/^[\w.-]+$/);
    expect(secureStoreKey('a:b')).not.toBe(secureStoreKey('a_b'));
    expect(secureStoreKey('a_003ab')).not.toBe(secureStoreKey('a:b'));
    const { SecureStore } = await loadSecureStore(device());
    // SecureStore itself refuses such a key: the adapter is what makes it usable.
    await expect(SecureStore.setItemAsync(KEY, 'x')).rejects.toThrow(/Invalid key/);
  });

  it('passes AFTER_FIRST_UNLOCK (background refresh can read) and the keychainService on every call', async () => {
    const { SecureStore, native } = await loadSecureStore(device());
    const storage = secureStore(SecureStore, { keychainService: 'identity-pool' });
    await storage.setItem(KEY, 'v');
    await storage.getItem(KEY);
    await storage.removeItem(KEY);
    expect(native.calls.length).toBeGreaterThan(2);
    for (const call of native.calls) {
      expect(call.options).toMatchObject({
        keychainService: 'identity-pool',
        keychainAccessible: native.AFTER_FIRST_UNLOCK,
      });
    }
  });

  it('a value that looks like the chunk manifest comes back as written', async () => {
    const { SecureStore } = await loadSecureStore(device());
    const storage = secureStore(SecureStore);
    await storage.setItem(KEY, '\u0000chunks:abc:2');
    expect(await storage.getItem(KEY)).toBe('\u0000chunks:abc:2');
  });

  it('a damaged manifest (or a chunk gone) reads as missing, never as the manifest text', async () => {
    const name = `device-${devices++}`;
    const { SecureStore } = await loadSecureStore(name);
    const storage = secureStore(SecureStore);
    await SecureStore.setItemAsync(secureStoreKey(KEY), '\u0000chunks:zz:99999');
    expect(await storage.getItem(KEY)).toBeNull();
    await storage.setItem(KEY, 'y'.repeat(5000)); // three chunks
    const { SecureStore: relaunched, native } = await loadSecureStore(name);
    const chunk = native.calls.length; // none yet on this load
    expect(chunk).toBe(0);
    const pointer = await relaunched.getItemAsync(secureStoreKey(KEY));
    const [, generation] =
      String(pointer)
        .slice('\u0000chunks:'.length)
        .match(/^([^:]+):/) ?? [];
    await relaunched.deleteItemAsync(`${secureStoreKey(KEY)}.${generation}.1`);
    expect(await secureStore(relaunched).getItem(KEY)).toBeNull();
  });

  it('a bad maxValueBytes is refused when the adapter is made', async () => {
    const { SecureStore } = await loadSecureStore(device());
    for (const maxValueBytes of [0, -1, 1.5, Number.NaN, '4096' as unknown as number]) {
      expect(() => secureStore(SecureStore, { maxValueBytes })).toThrow(StorageAdapterError);
    }
  });

  it('splitUtf8 cuts only between characters, each piece within the limit', () => {
    const text = 'a🔐é日'.repeat(700);
    const pieces = splitUtf8(text, NATIVE_VALUE_LIMIT_BYTES);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(utf8Length(piece)).toBeLessThanOrEqual(NATIVE_VALUE_LIMIT_BYTES);
    expect(utf8Length('a🔐é日')).toBe(Buffer.byteLength('a🔐é日'));
  });
});

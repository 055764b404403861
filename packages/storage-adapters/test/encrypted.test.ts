import { createIdentityPoolAuth, memoryStorage } from '@identity-pool/core';
import { startEmulator } from '@identity-pool/emulator';
import { storageAdapterSuite } from '@identity-pool/testkit';
import { describe, expect, it } from 'vitest';
import { EncryptedStorageError, encryptedStorage } from '../src/encrypted.js';

const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
// One inner memory store per `store`, so a new wrapper over it proves persistence.
const inners = new Map<string, ReturnType<typeof memoryStorage>>();
const inner = (store: string) => {
  if (!inners.has(store)) inners.set(store, memoryStorage());
  return inners.get(store)!;
};
const prefixed = (namespace: string, storage: ReturnType<typeof memoryStorage>) => ({
  getItem: (k: string) => storage.getItem(`${namespace}:${k}`),
  setItem: (k: string, v: string) => storage.setItem(`${namespace}:${k}`, v),
  removeItem: (k: string) => storage.removeItem(`${namespace}:${k}`),
});

storageAdapterSuite(
  it,
  ({ store, namespace }) => encryptedStorage(prefixed(namespace, inner(store)), { key }),
  {
    name: 'encryptedStorage (CryptoKey)',
  },
);
storageAdapterSuite(
  it,
  ({ store, namespace }) =>
    encryptedStorage(prefixed(namespace, inner(`pass-${store}`)), {
      key: 'correct horse battery',
      iterations: 1000,
    }),
  { name: 'encryptedStorage (passphrase)' },
);

describe('encryptedStorage', () => {
  it('the inner store only ever sees ciphertext, fresh for each write', async () => {
    const plain = memoryStorage();
    const storage = encryptedStorage(plain, { key });
    await storage.setItem('k', 'secret-session-token');
    const first = plain.getItem('k')!;
    await storage.setItem('k', 'secret-session-token');
    expect(first).toMatch(/^ipenc1\.\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(first).not.toContain('secret');
    expect(plain.getItem('k')).not.toBe(first);
    expect(await storage.getItem('k')).toBe('secret-session-token');
  });

  it('a passphrase derives the key with PBKDF2 (600 000 iterations by default) and another instance reads it', async () => {
    const plain = memoryStorage();
    await encryptedStorage(plain, { key: 'passphrase' }).setItem('k', 'value');
    expect(await encryptedStorage(plain, { key: 'passphrase' }).getItem('k')).toBe('value');
    await expect(encryptedStorage(plain, { key: 'other passphrase' }).getItem('k')).rejects.toThrow(
      EncryptedStorageError,
    );
  });

  it('tampered, moved, foreign or other-key values make getItem throw, or call onError and return null', async () => {
    const plain = memoryStorage();
    const storage = encryptedStorage(plain, { key });
    await storage.setItem('a', 'value');
    const sealed = (await plain.getItem('a'))!;
    const flipped = `${sealed.slice(0, -3)}${sealed.at(-3) === 'A' ? 'B' : 'A'}${sealed.slice(-2)}`;
    plain.setItem('tampered', flipped);
    plain.setItem('moved', sealed); // a value moved to another key
    plain.setItem('foreign', '{"v":1}');
    const otherKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    for (const name of ['tampered', 'moved', 'foreign']) {
      const error = await Promise.resolve(storage.getItem(name)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EncryptedStorageError);
      expect((error as Error).message).toContain(`"${name}"`);
      expect((error as Error).message).not.toContain(sealed);
    }
    await expect(encryptedStorage(plain, { key: otherKey }).getItem('a')).rejects.toThrow(
      /could not be decrypted/,
    );
    const reported: Error[] = [];
    const lenient = encryptedStorage(plain, { key, onError: (e) => reported.push(e) });
    expect(await lenient.getItem('tampered')).toBeNull();
    expect(reported).toHaveLength(1);
  });

  it('passes the expiry hint on to the adapter inside, which only sees ciphertext', async () => {
    const plain = memoryStorage();
    const seen: unknown[] = [];
    const storage = encryptedStorage(
      {
        getItem: (k) => plain.getItem(k),
        setItem: (k, v, ...rest: unknown[]) => {
          seen.push(rest);
          plain.setItem(k, v);
        },
        removeItem: (k) => plain.removeItem(k),
      },
      { key },
    );
    await storage.setItem('a:credentials', '{"expiration":1}', { expiresAt: 1_900_000_000_000 });
    await storage.setItem('a:identity', '{}');
    expect(seen).toEqual([[{ expiresAt: 1_900_000_000_000 }], []]);
  });

  it('rejects a key that is not AES-GCM and an empty passphrase', async () => {
    const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(() => encryptedStorage(memoryStorage(), { key: hmac })).toThrow(/AES-GCM/);
    expect(() => encryptedStorage(memoryStorage(), { key: '' })).toThrow(/empty/);
  });

  it('a tampered stored session is treated as missing and reported as an error event; sign-in works', async () => {
    const emulator = await startEmulator();
    try {
      const identityPoolId = emulator.createPool().identityPoolId;
      const plain = memoryStorage();
      const options = { identityPoolId, endpoint: emulator.endpoint, persistCredentials: true } as const;
      const first = createIdentityPoolAuth({ ...options, storage: encryptedStorage(plain, { key }) });
      const credentials = await first.getCredentials();
      first.stop();
      const credentialsKey = `identity-pool:v1:${identityPoolId}:credentials`;
      const sealed = (await plain.getItem(credentialsKey))!;
      expect(sealed).not.toContain(credentials.secretAccessKey);
      plain.setItem(
        credentialsKey,
        sealed.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      );

      const calls = emulator.calls.length;
      const second = createIdentityPoolAuth({ ...options, storage: encryptedStorage(plain, { key }) });
      const errors: Error[] = [];
      second.on('error', ({ error }) => errors.push(error));
      const again = await second.getCredentials();
      second.stop();
      expect(again.identityId).toBe(credentials.identityId); // the identity key was intact
      expect(emulator.calls.length).toBe(calls + 1); // the credentials were fetched again
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ name: 'StorageError' });
      expect(errors[0]!.message).toMatch(/could not be decrypted/);
      expect(await encryptedStorage(plain, { key }).getItem(credentialsKey)).toContain(again.accessKeyId);
    } finally {
      await emulator.close();
    }
  });
});

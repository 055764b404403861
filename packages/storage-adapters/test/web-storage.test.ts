import { createIdentityPoolAuth } from '@identity-pool/core';
import { startEmulator } from '@identity-pool/emulator';
import { storageAdapterSuite } from '@identity-pool/testkit';
import { describe, expect, it } from 'vitest';
import { type WebStorageLike, webStorage } from '../src/web-storage.js';

// A Map-backed `Storage` per store in Node; real localStorage/sessionStorage in browser.chromium.test.ts.
class MapStorage implements WebStorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}
const stores = new Map<string, MapStorage>();
const storeFor = (name: string) => stores.get(name) ?? stores.set(name, new MapStorage()).get(name)!;

storageAdapterSuite(it, ({ store, namespace }) => webStorage(storeFor(store), { prefix: namespace }), {
  name: 'webStorage (Map-backed Storage)',
});

/** Safari private mode (before 11) and a full quota: every write throws QuotaExceededError. */
class FullStorage extends MapStorage {
  override setItem(): void {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
}

describe('webStorage when the browser refuses', () => {
  it('a full quota never fails sign-in: an error event, and the session keeps the value in memory', async () => {
    const emulator = await startEmulator();
    try {
      const full = new FullStorage();
      const storage = webStorage(full, { prefix: 'app:' });
      const auth = createIdentityPoolAuth({
        identityPoolId: emulator.createPool().identityPoolId,
        endpoint: emulator.endpoint,
        storage,
      });
      const errors: Error[] = [];
      auth.on('error', ({ error }) => errors.push(error));
      const credentials = await auth.getCredentials();
      expect(credentials.identityId).toMatch(/^us-east-1:/);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]).toMatchObject({ name: 'StorageError' });
      expect(errors[0]!.message).toMatch(/QuotaExceededError.*kept in memory for this page only/);
      expect(storage.memoryOnlyKeys).toEqual([expect.stringMatching(/:identity$/)]);
      expect(JSON.parse((await storage.getItem(storage.memoryOnlyKeys[0]!))!)).toMatchObject({
        identityId: credentials.identityId,
      });
      expect(full.items.size).toBe(0);
      await auth.clear();
      // Only the sign-out record clear() writes (no identity, no secret) is left, in memory too.
      expect(storage.memoryOnlyKeys).toEqual([expect.stringMatching(/:signedOut$/)]);
      auth.stop();
    } finally {
      await emulator.close();
    }
  });

  it('storage that cannot even be reached (a throwing getter) is reported on use, not at creation', async () => {
    const storage = webStorage(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    expect(() => storage.getItem('k')).toThrow(/refused to read: SecurityError/);
    expect(() => storage.setItem('k', 'v')).toThrow(/SecurityError/);
    expect(storage.getItem('k')).toBe('v'); // kept in memory
    expect(() => storage.removeItem('k')).toThrow(/refused to remove/);
  });

  it('once the browser accepts writes again, the value moves back to storage', () => {
    let full = true;
    const backing = new MapStorage();
    const storage = webStorage({
      getItem: (k) => backing.getItem(k),
      setItem: (k, v) => {
        if (full) throw new DOMException('full', 'QuotaExceededError');
        backing.setItem(k, v);
      },
      removeItem: (k) => backing.removeItem(k),
    });
    expect(() => storage.setItem('k', 'one')).toThrow();
    full = false;
    storage.setItem('k', 'two');
    expect(storage.memoryOnlyKeys).toEqual([]);
    expect(backing.getItem('k')).toBe('two');
  });
});

/**
 * The expiry hint (`setItem`'s third argument): persisted credentials are written with their
 * expiration, so an adapter that can expire keys does even when a wrapper encrypted the value.
 */
import { describe, expect, it } from 'vitest';
import { memoryStorage, type StorageAdapter, type StorageWriteOptions } from '../../src/index.js';
import { useEmulator } from '../support/emulator.js';

const env = useEmulator();

describe('the storage expiry hint', () => {
  it('persisted credentials are written with expiresAt = their expiration; the identity without one', async () => {
    const inner = memoryStorage();
    const writes: Array<{ key: string; options: StorageWriteOptions | undefined; args: number }> = [];
    const storage: StorageAdapter = {
      getItem: (key) => inner.getItem(key),
      setItem(key, value, ...rest: [StorageWriteOptions?]) {
        writes.push({ key, options: rest[0], args: 2 + rest.length });
        return inner.setItem(key, value);
      },
      removeItem: (key) => inner.removeItem(key),
    };
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    const credentials = await auth.getCredentials();
    const credentialsWrite = writes.find((w) => w.key.endsWith(':credentials'));
    const identityWrite = writes.find((w) => w.key.endsWith(':identity'));
    expect(credentialsWrite?.options).toEqual({ expiresAt: credentials.expiration.getTime() });
    expect(identityWrite).toMatchObject({ options: undefined, args: 2 }); // adapters see two arguments
  });
});

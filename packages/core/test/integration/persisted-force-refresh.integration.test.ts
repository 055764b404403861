/**
 * A forced refresh of a session that restored persisted credentials writes the new credentials
 * (and the identity) back: the next process must not restore the credentials it replaced.
 */
import { describe, expect, it } from 'vitest';
import { memoryStorage, type StorageAdapter } from '../../src/index.js';
import { useEmulator } from '../support/emulator.js';

const env = useEmulator();

describe('persisted credentials and forceRefresh', () => {
  it('a session that restored persisted credentials stores the ones a forced refresh brings', async () => {
    const inner = memoryStorage();
    const writes: string[] = [];
    const storage: StorageAdapter = {
      getItem: (key) => inner.getItem(key),
      setItem(key, value) {
        writes.push(key);
        return inner.setItem(key, value);
      },
      removeItem: (key) => inner.removeItem(key),
    };
    const pool = env.pool();
    const first = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    const original = await first.getCredentials();
    first.stop();

    writes.length = 0;
    const second = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    expect((await second.getCredentials()).accessKeyId).toBe(original.accessKeyId);
    const refreshed = await second.getCredentials({ forceRefresh: true });
    expect(refreshed.accessKeyId).not.toBe(original.accessKeyId);
    second.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes.some((key) => key.endsWith(':credentials'))).toBe(true);

    const third = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    expect((await third.getCredentials()).accessKeyId).toBe(refreshed.accessKeyId);
    third.stop();
  });
});

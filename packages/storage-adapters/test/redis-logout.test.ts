/**
 * Issue 12 §1 against a real redis-server: a logout() or clear() that lands while the session
 * is writing (a refresh, a login) leaves none of the pool's keys in Redis — not when its promise
 * resolves, nor once every command has landed. Before, the refresh went on to write the
 * credentials (secret key, session token) with an hour of TTL after the logout resolved.
 */
import { createIdentityPoolAuth, type StorageAdapter } from '@identity-pool/core';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStorage } from '../src/redis.js';
import { requireBackend } from './support/backend.js';
import { type RedisServer, redisServerMissing, startRedisServer } from './support/redis-server.js';

if (requireBackend('redis-server', redisServerMissing())) {
  let server: RedisServer;
  let client: ReturnType<typeof createClient>;
  let emulator: Emulator;

  beforeAll(async () => {
    server = await startRedisServer();
    client = createClient({ url: server.url });
    client.on('error', () => {});
    await client.connect();
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
    await emulator?.close();
  });

  /** The Redis adapter, with `latencyMs` of network before each write, and a hook as writes are sent. */
  function observed(storage: StorageAdapter, latencyMs: number) {
    const hooks: { onSetItem?: (key: string) => void } = {};
    const adapter: StorageAdapter = {
      getItem: (key) => storage.getItem(key),
      setItem: async (key, value) => {
        hooks.onSetItem?.(key);
        if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
        await storage.setItem(key, value);
      },
      removeItem: (key) => storage.removeItem(key),
    };
    return { adapter, hooks };
  }

  describe.each([0, 30])('over real Redis, %i ms of write latency', (latencyMs) => {
    it.each([
      ['logout', 'refresh'],
      ['clear', 'refresh'],
      ['logout', 'login'],
      ['clear', 'login'],
    ] as const)(
      '%s during a %s, as it writes the identity: no key of the pool left',
      async (forget, phase) => {
        const prefix = `race-${Math.random().toString(36).slice(2)}:`;
        const identityPoolId = emulator.createPool().identityPoolId;
        const { adapter, hooks } = observed(redisStorage(client, { prefix }), latencyMs);
        const auth = createIdentityPoolAuth({
          identityPoolId,
          endpoint: emulator.endpoint,
          storage: adapter,
          persistCredentials: true,
          retry: { baseDelayMs: 1 },
        });
        await auth.getCredentials();
        expect(await client.keys(`${prefix}*`)).toHaveLength(2);
        let forgotten: Promise<void> | undefined;
        hooks.onSetItem = (key) => {
          if (forgotten || !key.endsWith(':identity')) return;
          forgotten = Promise.resolve().then(() => auth[forget]());
        };
        const token = emulator.idp.mintToken('graph.facebook.com', {
          subject: 'alice',
          expiresInSeconds: 3600,
        });
        await (phase === 'login'
          ? auth.login({ providerName: 'graph.facebook.com', token })
          : auth.getCredentials({ forceRefresh: true })
        ).catch(() => {});
        await expect.poll(() => forgotten !== undefined).toBe(true);
        await forgotten;
        // Every key but the sign-out record, which the sign-out writes (no identity, no secret).
        const left = async () =>
          (await client.keys(`${prefix}*`)).filter((key) => !key.endsWith(':signedOut'));
        expect(await left()).toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, 100 + latencyMs * 3));
        expect(await left()).toEqual([]);
        auth.stop();
      },
    );
  });
}

import { createIdentityPoolAuth, type IdentityPoolAuth } from '@identity-pool/core';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { storageAdapterSuite } from '@identity-pool/testkit';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedStorage } from '../src/encrypted.js';
import { redisStorage } from '../src/redis.js';
import { requireBackend } from './support/backend.js';
import { type RedisServer, redisServerMissing, startRedisServer } from './support/redis-server.js';

const connectNodeRedis = async (url: string) => {
  const client = createClient({ url });
  client.on('error', () => {}); // reconnects on its own; failures reach the adapter as rejections
  await client.connect();
  return client;
};
// The client `createClient({ url })` makes (RESP 3, no modules), not the generic one's widest type.
type NodeRedis = Awaited<ReturnType<typeof connectNodeRedis>>;

if (requireBackend('redis-server', redisServerMissing())) {
  let server: RedisServer;
  let nodeRedis: NodeRedis;
  let ioredis: Redis;
  let emulator: Emulator;
  const sessions: IdentityPoolAuth[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    nodeRedis = await connectNodeRedis(server.url);
    ioredis = new Redis(server.port, '127.0.0.1', { lazyConnect: true });
    await ioredis.connect();
    emulator = await startEmulator();
  });
  afterAll(async () => {
    for (const session of sessions) session.stop();
    await nodeRedis?.quit();
    ioredis?.disconnect();
    await server?.stop();
    await emulator?.close();
  });

  const session = (
    storage: Parameters<typeof createIdentityPoolAuth>[0]['storage'],
    identityPoolId: string,
  ) => {
    const auth = createIdentityPoolAuth({
      identityPoolId,
      endpoint: emulator.endpoint,
      storage,
      persistCredentials: true,
      retry: { baseDelayMs: 1 },
    });
    sessions.push(auth);
    return auth;
  };

  storageAdapterSuite(
    it,
    ({ store, namespace }) => redisStorage(nodeRedis, { prefix: `${store}:${namespace}` }),
    {
      name: 'redisStorage (node-redis)',
    },
  );
  storageAdapterSuite(
    it,
    ({ store, namespace }) => redisStorage(ioredis, { prefix: `${store}:${namespace}` }),
    {
      name: 'redisStorage (ioredis)',
    },
  );

  describe('redisStorage TTLs', () => {
    it.each([
      ['node-redis', () => nodeRedis],
      ['ioredis', () => ioredis],
    ] as const)('persisted credentials expire with the credentials (%s)', async (_, client) => {
      const prefix = `ttl-${Math.random().toString(36).slice(2)}:`;
      const identityPoolId = emulator.createPool().identityPoolId;
      const credentials = await session(redisStorage(client(), { prefix }), identityPoolId).getCredentials();
      const keys = (await nodeRedis.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([
        `${prefix}identity-pool:v1:${identityPoolId}:credentials`,
        `${prefix}identity-pool:v1:${identityPoolId}:identity`,
      ]);
      const credentialsTtl = await nodeRedis.pTTL(keys[0]!);
      const left = credentials.expiration.getTime() - Date.now();
      expect(credentialsTtl).toBeGreaterThan(left - 5_000);
      expect(credentialsTtl).toBeLessThanOrEqual(left + 1_000);
      expect(await nodeRedis.pTTL(keys[1]!)).toBe(-1); // the identity has no expiry without `ttl`
    });

    it('through encryptedStorage, persisted credentials still expire with the credentials', async () => {
      const prefix = `encrypted-${Math.random().toString(36).slice(2)}:`;
      const identityPoolId = emulator.createPool().identityPoolId;
      const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
        'decrypt',
      ]);
      const storage = encryptedStorage(redisStorage(ioredis, { prefix }), { key });
      const credentials = await session(storage, identityPoolId).getCredentials();
      const credentialsKey = `${prefix}identity-pool:v1:${identityPoolId}:credentials`;
      expect(await nodeRedis.get(credentialsKey)).toMatch(/^ipenc1\./); // Redis holds only ciphertext
      const left = credentials.expiration.getTime() - Date.now();
      const ttl = await nodeRedis.pTTL(credentialsKey);
      expect(ttl).toBeGreaterThan(left - 5_000);
      expect(ttl).toBeLessThanOrEqual(left + 1_000);
      expect(await nodeRedis.pTTL(`${prefix}identity-pool:v1:${identityPoolId}:identity`)).toBe(-1);
    });

    it('an expiry hint from the caller sets the TTL of any key, and an expired one deletes it', async () => {
      const storage = redisStorage(nodeRedis, { prefix: 'hinted:' });
      await storage.setItem('a:opaque', 'not JSON', { expiresAt: Date.now() + 30_000 });
      const ttl = await nodeRedis.pTTL('hinted:a:opaque');
      expect(ttl).toBeGreaterThan(25_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
      await storage.setItem('a:opaque', 'not JSON', { expiresAt: Date.now() - 1 });
      expect(await nodeRedis.exists('hinted:a:opaque')).toBe(0);
    });

    it('`ttl` bounds every key, credentials included', async () => {
      const storage = redisStorage(ioredis, { prefix: 'bounded:', ttl: 60 });
      await storage.setItem('a:identity', '{}');
      await storage.setItem('a:credentials', JSON.stringify({ expiration: Date.now() + 3_600_000 }));
      expect(await nodeRedis.ttl('bounded:a:identity')).toBeGreaterThan(55);
      expect(await nodeRedis.ttl('bounded:a:identity')).toBeLessThanOrEqual(60);
      expect(await nodeRedis.ttl('bounded:a:credentials')).toBeLessThanOrEqual(60);
    });

    it('expired credentials are deleted, not written', async () => {
      const storage = redisStorage(nodeRedis, { prefix: 'expired:' });
      await storage.setItem('a:credentials', JSON.stringify({ expiration: Date.now() + 60_000 }));
      expect(await storage.getItem('a:credentials')).not.toBeNull();
      await storage.setItem('a:credentials', JSON.stringify({ expiration: Date.now() - 1 }));
      expect(await nodeRedis.exists('expired:a:credentials')).toBe(0);
    });
  });

  it('many servers share one identity cache: the second server costs no call', async () => {
    const identityPoolId = emulator.createPool().identityPoolId;
    const prefix = `shared-${Math.random().toString(36).slice(2)}:`;
    const first = await session(redisStorage(nodeRedis, { prefix }), identityPoolId).getCredentials();
    const calls = emulator.calls.length;
    // Another server: another client, another library, the same Redis and prefix.
    const second = await session(redisStorage(ioredis, { prefix }), identityPoolId).getCredentials();
    expect(second.identityId).toBe(first.identityId);
    expect(second.accessKeyId).toBe(first.accessKeyId);
    expect(emulator.calls.length).toBe(calls);
  });

  it('a Redis outage mid-session: sign-in still works, an error event says why, the next write after it lands', async () => {
    const own = await startRedisServer();
    const client = await connectNodeRedis(own.url);
    try {
      const identityPoolId = emulator.createPool().identityPoolId;
      const storage = redisStorage(client, { commandTimeoutMs: 500 });
      const auth = session(storage, identityPoolId);
      const errors: Error[] = [];
      auth.on('error', ({ error }) => errors.push(error));
      const before = await auth.getCredentials();
      const credentialsKey = `identity-pool:v1:${identityPoolId}:credentials`;
      expect(await client.exists(credentialsKey)).toBe(1);
      expect(errors).toEqual([]);

      await own.stop();
      const during = await auth.getCredentials({ forceRefresh: true });
      expect(during.identityId).toBe(before.identityId);
      expect(during.accessKeyId).not.toBe(before.accessKeyId);
      expect(errors.length).toBeGreaterThan(0);
      // (The read of the sign-out record before the write fails first: a getItem error.)
      const write = errors.find((error) => /setItem/.test(error.message));
      expect(write).toMatchObject({ name: 'StorageError' });
      expect(write!.message).toMatch(/redisStorage/);
      for (const error of errors) expect(error.message).not.toContain(during.secretAccessKey);

      await own.restart(); // empty: the server keeps nothing
      await expect.poll(() => client.isReady, { timeout: 10_000 }).toBe(true);
      errors.length = 0;
      const after = await auth.getCredentials({ forceRefresh: true });
      const stored = JSON.parse((await client.get(credentialsKey)) ?? 'null');
      expect(stored).toMatchObject({ identityId: after.identityId, accessKeyId: after.accessKeyId });
      expect(errors).toEqual([]);
    } finally {
      await client.quit().catch(() => client.destroy());
      await own.stop();
    }
  });
}

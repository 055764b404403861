import type { StorageAdapter } from '@identity-pool/core';
import { reason, StorageAdapterError } from './errors.js';
import { keyPrefixer } from './key-prefix.js';
import { PUSHED_KEY_SUFFIX, type RedisSubscriberLike, watchThrough } from './redis-push.js';

/**
 * The commands the adapter sends, as both node-redis (v4+) and ioredis clients have them. The
 * client is injected: neither library is imported here (both are optional peer dependencies).
 */
export interface RedisClientLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, ...options: unknown[]): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** Announces a sign-out record's write to subscribed sessions (`subscriber`); both clients have it. */
  publish?(channel: string, message: string): Promise<unknown>;
}

export interface RedisStorageOptions {
  /**
   * Put before every key, e.g. `myapp:`; default none (the core's keys are prefixed already). A
   * `:` is added when it does not end with one, so two prefixes never name the same key.
   */
  prefix?: string;
  /**
   * Seconds a key lives; default forever. Persisted credentials always expire with the
   * credentials themselves (the core passes their expiry as `setItem`'s `expiresAt`, which
   * wrappers such as `encryptedStorage` pass on), or after `ttl` if that is sooner.
   */
  ttl?: number;
  /**
   * A command that has not answered after this long rejects, so a Redis outage costs the session
   * an `error` event, not a hang; default 2000 ms. (Clients queue commands while disconnected:
   * node-redis's `disableOfflineQueue` / ioredis's `enableOfflineQueue: false` make them fail
   * sooner still.)
   */
  commandTimeoutMs?: number;
  /** How to pass an expiry to SET; detected from the client (`isOpen` means node-redis). */
  flavor?: 'node-redis' | 'ioredis';
  /** Epoch ms, for the credentials' remaining lifetime; default `Date.now`. */
  now?: () => number;
  /**
   * A second connection of the same server for pub/sub (node-redis: `client.duplicate()`,
   * connected; ioredis: another `Redis`), shareable by every adapter of the process. With it,
   * sessions hear of a sign-out in another process at once (`StorageAdapter.watch`), not at their
   * next request. Sign-outs are published whether or not this is given.
   */
  subscriber?: RedisSubscriberLike;
}

const CREDENTIALS_SUFFIX = ':credentials';

/** The expiration of plain (unencrypted) persisted credentials, from the value itself. */
function expirationIn(key: string, value: string): unknown {
  if (!key.endsWith(CREDENTIALS_SUFFIX)) return undefined;
  try {
    return (JSON.parse(value) as { expiration?: unknown } | null)?.expiration;
  } catch {
    return undefined;
  }
}

/**
 * Redis as a storage adapter, through an injected node-redis or ioredis client. Servers that
 * share one Redis (and prefix) share one identity cache: a pool's identity, and with
 * `persistCredentials` its credentials, are written once and reused by every instance. Persisted
 * credentials are stored with their remaining lifetime as the key's TTL, so Redis drops them
 * when they expire; ones already expired are deleted instead of written.
 */
export function redisStorage(client: RedisClientLike, options: RedisStorageOptions = {}): StorageAdapter {
  const at = keyPrefixer('redisStorage', options.prefix);
  const timeoutMs = options.commandTimeoutMs ?? 2000;
  const now = options.now ?? Date.now;
  const flavor = options.flavor ?? ('isOpen' in client ? 'node-redis' : 'ioredis');
  if (options.ttl !== undefined && !(Number.isInteger(options.ttl) && options.ttl > 0)) {
    throw new StorageAdapterError('redisStorage', 'ttl must be a positive whole number of seconds');
  }

  const command = async <T>(name: string, send: () => Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new StorageAdapterError(
              'redisStorage',
              `${name} got no answer within ${timeoutMs} ms; is the Redis server reachable?`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([send(), timeout]);
    } catch (error) {
      if (error instanceof StorageAdapterError) throw error;
      throw new StorageAdapterError('redisStorage', `${name} failed: ${reason(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * Milliseconds the key should live, `undefined` for no expiry, `0` for already expired. The
   * caller's `expiresAt` wins (it reaches through wrappers that encrypt the value); otherwise
   * plain persisted credentials are read for their expiration.
   */
  const lifetimeMs = (key: string, value: string, expiresAt?: number): number | undefined => {
    const ttlMs = options.ttl === undefined ? undefined : options.ttl * 1000;
    const expiration = Number.isFinite(expiresAt) ? expiresAt : expirationIn(key, value);
    if (typeof expiration !== 'number' || !Number.isFinite(expiration)) return ttlMs;
    const left = Math.max(0, Math.floor(expiration - now()));
    return ttlMs === undefined ? left : Math.min(left, ttlMs);
  };

  const setWithExpiry = (key: string, value: string, ms: number) =>
    flavor === 'node-redis' ? client.set(key, value, { PX: ms }) : client.set(key, value, 'PX', ms);

  const adapter: StorageAdapter = {
    async getItem(key) {
      const value = await command('GET', () => client.get(at(key)));
      if (value === null || value === undefined) return null;
      return typeof value === 'string' ? value : String(value);
    },
    async setItem(key, value, writeOptions) {
      const ms = lifetimeMs(key, value, writeOptions?.expiresAt);
      if (ms === 0) {
        await command('DEL', () => client.del(at(key)));
      } else if (ms === undefined) {
        await command('SET', () => client.set(at(key), value));
      } else {
        await command('SET', () => setWithExpiry(at(key), value, ms));
      }
    },
    async removeItem(key) {
      await command('DEL', () => client.del(at(key)));
    },
  };
  return withSignOutPush(adapter, client, at, options.subscriber, command);
}

/** Publishes writes of the core's sign-out record, and offers `watch` when there is a subscriber (`redis-push.ts`). */
function withSignOutPush(
  adapter: StorageAdapter,
  client: RedisClientLike,
  at: (key: string) => string,
  subscriber: RedisSubscriberLike | undefined,
  command: <T>(name: string, send: () => Promise<T>) => Promise<T>,
): StorageAdapter {
  const publish = client.publish;
  const setItem: StorageAdapter['setItem'] = async (key, value, writeOptions) => {
    await adapter.setItem(key, value, writeOptions);
    if (publish && key.endsWith(PUSHED_KEY_SUFFIX))
      await command('PUBLISH', () => publish.call(client, at(key), 'changed'));
  };
  return { ...adapter, setItem, ...(subscriber ? { watch: watchThrough(subscriber, at) } : {}) };
}

export { StorageAdapterError } from './errors.js';
export type { RedisSubscriberLike } from './redis-push.js';

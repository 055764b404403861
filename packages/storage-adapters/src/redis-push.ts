/**
 * The optional push of `redisStorage` (`StorageAdapter.watch`): a write of the core's sign-out
 * record (a key ending `:signedOut`) is followed by a `PUBLISH` on a channel named after the key,
 * and sessions whose adapter was given a subscriber client hear of it at once instead of at their
 * next request. The message carries nothing (the core re-reads the key), so a forged message can
 * cost a session one read, never its identity.
 *
 * One subscriber connection serves every adapter of a process: its channels are counted here,
 * per subscriber (weakly), so each channel is subscribed once however many sessions watch it and
 * unsubscribed when the last stops.
 */
import type { StorageAdapter } from '@identity-pool/core';

/** A client in subscriber mode: node-redis (`client.duplicate()`, connected) or ioredis (a second connection). */
export interface RedisSubscriberLike {
  subscribe(channel: string, ...rest: never[]): Promise<unknown>;
  unsubscribe(channel: string, ...rest: never[]): Promise<unknown>;
  /** ioredis delivers messages as `message` events. */
  on?(event: 'message', listener: (channel: string, message: string) => void): unknown;
}

/** Keys the core watches: its sign-out record (`…:signedOut`). */
export const PUSHED_KEY_SUFFIX = ':signedOut';

type Channels = Map<string, { listeners: Set<() => void>; nodeRedisListener: () => void }>;
const channelsBySubscriber = new WeakMap<RedisSubscriberLike, Channels>();

/** A subscribe failing costs only the push: the core still reads the record at the next request. */
const ignore = () => {};

function channelsOf(subscriber: RedisSubscriberLike): Channels {
  let channels = channelsBySubscriber.get(subscriber);
  if (!channels) {
    const created: Channels = new Map();
    channels = created;
    channelsBySubscriber.set(subscriber, created);
    if (!('isOpen' in subscriber)) {
      // ioredis: one `message` listener for every channel of this connection.
      subscriber.on?.('message', (channel) => {
        for (const listener of created.get(channel)?.listeners ?? []) listener();
      });
    }
  }
  return channels;
}

/** `watch` for `redisStorage`: the stored key's name (`at(key)`, with the adapter's prefix) is the channel. */
export function watchThrough(
  subscriber: RedisSubscriberLike,
  at: (key: string) => string,
): NonNullable<StorageAdapter['watch']> {
  const nodeRedis = 'isOpen' in subscriber;
  return (key, onChange) => {
    const channel = at(key);
    const channels = channelsOf(subscriber);
    let entry = channels.get(channel);
    if (!entry) {
      const listeners = new Set<() => void>();
      const nodeRedisListener = () => {
        for (const listener of listeners) listener();
      };
      entry = { listeners, nodeRedisListener };
      channels.set(channel, entry);
      const subscribed = nodeRedis
        ? subscriber.subscribe(channel, nodeRedisListener as never)
        : subscriber.subscribe(channel);
      Promise.resolve(subscribed).catch(ignore);
    }
    const { listeners, nodeRedisListener } = entry;
    listeners.add(onChange);
    return () => {
      if (!listeners.delete(onChange) || listeners.size > 0) return;
      channels.delete(channel);
      const unsubscribed = nodeRedis
        ? subscriber.unsubscribe(channel, nodeRedisListener as never)
        : subscriber.unsubscribe(channel);
      Promise.resolve(unsubscribed).catch(ignore);
    };
  };
}

/**
 * SessionStore against adapters of every timing: calls on a key reach the adapter in order,
 * writes of work begun before a clear() never land after it, every call is bounded in time, and
 * records that are not this pool's (another pool, another region) are discarded.
 */
import { describe, expect, it } from 'vitest';
import type { StorageError } from '../../src/errors.js';
import { SessionStore, storageKeys } from '../../src/storage/session-store.js';
import type { StorageAdapter } from '../../src/types.js';
import { adapterKinds, slowWriteAdapter, syncAdapter, type TestAdapter } from '../support/adapters.js';
import { credentialsFor, IDENTITY_A, POOL_ID } from '../support/fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const keys = storageKeys('t', POOL_ID);
const guest = { identityId: IDENTITY_A, authenticated: false, providers: [] };

function storeOver(adapter: StorageAdapter, options: { timeoutMs?: number; now?: number } = {}) {
  const errors: StorageError[] = [];
  const store = new SessionStore(adapter, 't', POOL_ID, (error) => errors.push(error), {
    timeoutMs: options.timeoutMs,
    clock: { now: () => options.now ?? Date.now() },
  });
  return { store, errors };
}

const poolKeysLeft = (adapter: TestAdapter) =>
  [...adapter.items.keys()].filter((key) => key.includes(POOL_ID));

describe.each(adapterKinds)('SessionStore over a %s adapter', (_name, make) => {
  it('clear() during writes in flight: no key left when it resolves, nor once every call landed', async () => {
    const adapter = make();
    const { store } = storeOver(adapter);
    const writes = [
      store.saveIdentity(guest),
      store.saveCredentials(credentialsFor(IDENTITY_A, Date.now() + HOUR)),
    ];
    await store.clear();
    expect(poolKeysLeft(adapter)).toEqual([]);
    await Promise.all(writes);
    await adapter.drain();
    expect(poolKeysLeft(adapter)).toEqual([]);
  });

  it('a write of work begun before clear() is dropped, even when it is made after', async () => {
    const adapter = make();
    const { store } = storeOver(adapter);
    const lease = store.lease();
    await store.clear();
    await store.saveIdentity(guest, undefined, lease);
    await store.saveCredentials(credentialsFor(IDENTITY_A, Date.now() + HOUR), lease);
    await adapter.drain();
    expect(poolKeysLeft(adapter)).toEqual([]);
    // Work begun after the clear writes as usual.
    await store.saveIdentity(guest);
    expect(await store.loadIdentity()).toEqual(guest);
  });

  it('removeCredentials() drops earlier credential writes, not the identity', async () => {
    const adapter = make();
    const { store } = storeOver(adapter);
    const lease = store.lease();
    const writing = store.saveCredentials(credentialsFor(IDENTITY_A, Date.now() + HOUR), lease);
    await store.removeCredentials();
    await store.saveCredentials(credentialsFor(IDENTITY_A, Date.now() + HOUR), lease);
    await store.saveIdentity(guest, undefined, lease);
    await writing;
    await adapter.drain();
    expect(adapter.items.has(keys.credentials)).toBe(false);
    expect(adapter.items.has(keys.identity)).toBe(true);
  });

  it('writes on one key land in the order they were made', async () => {
    const adapter = make();
    const { store } = storeOver(adapter);
    const ids = [IDENTITY_A, IDENTITY_A.replace('aaaa', 'bbbb'), IDENTITY_A.replace('aaaa', 'cccc')];
    await Promise.all(ids.map((identityId) => store.saveIdentity({ ...guest, identityId })));
    await adapter.drain();
    expect((await store.loadIdentity())?.identityId).toBe(ids[2]);
  });
});

describe('SessionStore: time is bounded', () => {
  const never = (): TestAdapter => {
    const adapter = syncAdapter();
    return Object.assign(adapter, {
      getItem: () => new Promise<string | null>(() => {}),
      setItem: () => new Promise<void>(() => {}),
      removeItem: () => new Promise<void>(() => {}),
    });
  };

  it('a getItem that never settles counts as a failed read after the time-out', async () => {
    const { store, errors } = storeOver(never(), { timeoutMs: 50 });
    const started = Date.now();
    expect(await store.loadIdentity()).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(errors.map((error) => [error.name, error.operation])).toEqual([['StorageError', 'getItem']]);
    expect(errors[0]?.message).toMatch(/no answer within 50 ms/);
  });

  it('a setItem or removeItem that never settles fails after the time-out, and later calls go on', async () => {
    const { store, errors } = storeOver(never(), { timeoutMs: 50 });
    await store.saveIdentity(guest);
    await store.clear();
    expect(errors.map((error) => error.operation).sort()).toEqual(['removeItem', 'removeItem', 'setItem']);
  });

  it('a write that timed out and lands after a later clear() is undone', async () => {
    const adapter = slowWriteAdapter(120);
    const { store, errors } = storeOver(adapter, { timeoutMs: 30 });
    await store.saveCredentials(credentialsFor(IDENTITY_A, Date.now() + HOUR));
    expect(errors.map((error) => error.operation)).toEqual(['setItem']);
    await store.clear();
    await adapter.drain(); // the late write lands…
    await new Promise((resolve) => setTimeout(resolve, 10));
    await adapter.drain(); // …and the remove sent again after it
    expect(poolKeysLeft(adapter)).toEqual([]);
  });
});

describe('SessionStore: stored records are untrusted', () => {
  const record = (value: object) => JSON.stringify(value);

  it.each([
    ['another pool', { pool: 'us-east-1:11111111-0000-4000-8000-000000000000', region: 'us-east-1' }],
    ['another region', { pool: POOL_ID, region: 'eu-west-1' }],
    [
      'an identity ID of another region',
      { pool: POOL_ID, region: 'us-east-1', identityId: 'eu-west-1:aaaaaaaa-0000-4000-8000-000000000000' },
    ],
  ])('an identity of %s is discarded, reported and removed', async (_name, scope) => {
    const adapter = syncAdapter();
    adapter.items.set(
      keys.identity,
      record({ v: 2, identityId: IDENTITY_A, authenticated: false, providers: [], ...scope }),
    );
    const { store, errors } = storeOver(adapter);
    expect(await store.loadIdentity()).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.operation).toBe('parse');
    expect(errors[0]?.message).toMatch(/not this pool's/);
    expect(adapter.items.has(keys.identity)).toBe(false);
  });

  it('a version-1 record of another region (the previous release had no scope) is discarded', async () => {
    const adapter = syncAdapter();
    const foreign = 'eu-west-1:aaaaaaaa-0000-4000-8000-000000000000';
    adapter.items.set(
      keys.identity,
      record({ v: 1, identityId: foreign, authenticated: false, providers: [] }),
    );
    const { store, errors } = storeOver(adapter);
    expect(await store.loadIdentity()).toBeUndefined();
    expect(errors[0]?.message).toMatch(/identity ID is not of the pool's region/);
  });

  it('a version-1 record of the previous release is kept, and rewritten naming its pool and region', async () => {
    const adapter = syncAdapter();
    adapter.items.set(
      keys.identity,
      record({ v: 1, identityId: IDENTITY_A, authenticated: true, providers: ['x'], s: 7, o: 3 }),
    );
    const expiration = Date.now() + HOUR;
    adapter.items.set(
      keys.credentials,
      JSON.stringify({ v: 1, ...credentialsFor(IDENTITY_A, expiration), expiration }),
    );
    const { store, errors } = storeOver(adapter);
    expect(await store.loadStampedIdentity()).toEqual({
      identity: { identityId: IDENTITY_A, authenticated: true, providers: ['x'] },
      stamp: { seq: 7, signedOutAt: 3 },
    });
    expect((await store.loadCredentials(IDENTITY_A))?.expiration.getTime()).toBe(expiration);
    expect(errors).toEqual([]);
    expect(JSON.parse(adapter.items.get(keys.identity) as string)).toMatchObject({
      v: 2,
      pool: POOL_ID,
      region: 'us-east-1',
      s: 7,
      o: 3,
    });
    expect(JSON.parse(adapter.items.get(keys.credentials) as string)).toMatchObject({
      v: 2,
      pool: POOL_ID,
      region: 'us-east-1',
      expiration,
    });
  });

  it.each([
    ['10 days', 10 * DAY],
    ['30 days', 30 * DAY],
  ])('credentials expiring %s ahead are trusted for at most 12 hours', async (_name, ahead) => {
    const adapter = syncAdapter();
    const now = Date.UTC(2026, 0, 1);
    const { store: writer } = storeOver(adapter, { now });
    await writer.saveCredentials(credentialsFor(IDENTITY_A, now + ahead));
    const { store } = storeOver(adapter, { now });
    const loaded = await store.loadCredentials(IDENTITY_A);
    expect(loaded?.expiration.getTime()).toBe(now + 12 * HOUR);
    // Never past their own expiry either.
    await writer.saveCredentials(credentialsFor(IDENTITY_A, now + HOUR));
    expect((await store.loadCredentials(IDENTITY_A))?.expiration.getTime()).toBe(now + HOUR);
  });
});

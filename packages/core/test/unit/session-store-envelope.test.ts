/**
 * The storage envelope (`storage/session-store.ts`) rule by rule: what a stored record must look
 * like to be used, how the keys are named, what is written and with which arguments, and what a
 * failure reports — so that a one-token change to the envelope fails a test that names the rule
 * (mutation testing found the gaps: issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import type { StorageError } from '../../src/errors.js';
import {
  credentialsEnvelope,
  DEFAULT_STORAGE_TIMEOUT_MS,
  identityEnvelope,
  readCredentialsEnvelope,
  readIdentityEnvelope,
  SessionStore,
  type SessionStoreOptions,
  STORAGE_SCHEMA_VERSION,
  STORED_RECORD_VERSION,
  sameIdentity,
  storageKeys,
  storedIdentityOf,
} from '../../src/storage/session-store.js';
import type { StorageAdapter, StorageWriteOptions } from '../../src/types.js';
import { syncAdapter } from '../support/adapters.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B, POOL_ID } from '../support/fixtures.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 1);
const keys = storageKeys('t', POOL_ID);
const scope = { pool: POOL_ID, region: 'us-east-1' };
const guest = { identityId: IDENTITY_A, authenticated: false, providers: [] as string[] };
const user = { identityId: IDENTITY_A, authenticated: true, providers: ['accounts.google.com'] };

function storeOver(adapter: StorageAdapter, options: SessionStoreOptions = {}) {
  const errors: StorageError[] = [];
  const store = new SessionStore(adapter, 't', POOL_ID, (error) => errors.push(error), {
    clock: { now: () => NOW },
    ...options,
  });
  return { store, errors };
}

/** An adapter holding `items` (values as given: strings or not), recording every call. */
function recordingAdapter(items: Record<string, unknown> = {}) {
  const values = new Map<string, unknown>(Object.entries(items));
  const calls: unknown[][] = [];
  const adapter: StorageAdapter = {
    getItem: (key) => {
      calls.push(['getItem', key]);
      return (values.get(key) ?? null) as string | null;
    },
    setItem: (...args: [string, string, StorageWriteOptions?]) => {
      calls.push(['setItem', ...args]);
      values.set(args[0], args[1]);
    },
    removeItem: (key) => {
      calls.push(['removeItem', key]);
      values.delete(key);
    },
  };
  return { adapter, values, calls };
}

const identityRecord = (fields: object = {}) => ({ v: 2, ...guest, ...scope, ...fields });
const credentialsRecord = (fields: object = {}) => ({
  v: 2,
  ...credentialsFor(IDENTITY_A, NOW + HOUR),
  expiration: NOW + HOUR,
  ...scope,
  ...fields,
});

describe('storage keys and versions', () => {
  it('keys name the prefix, the schema version and the pool', () => {
    expect(storageKeys('app', POOL_ID)).toEqual({
      identity: `app:v1:${POOL_ID}:identity`,
      credentials: `app:v1:${POOL_ID}:credentials`,
      signedOut: `app:v1:${POOL_ID}:signedOut`,
    });
    expect(new SessionStore(syncAdapter(), 'app', POOL_ID, () => {}).keys).toEqual(
      storageKeys('app', POOL_ID),
    );
  });

  it('the versions and the default time-out are the documented ones', () => {
    expect([STORAGE_SCHEMA_VERSION, STORED_RECORD_VERSION, DEFAULT_STORAGE_TIMEOUT_MS]).toEqual([
      1, 2, 5_000,
    ]);
  });
});

describe('identity envelope', () => {
  it('keeps exactly the identity fields', () => {
    expect(storedIdentityOf({ ...user, extra: 1 } as typeof user)).toEqual(user);
    expect(identityEnvelope({ ...user, extra: 1 } as typeof user)).toEqual({ v: 1, ...user });
    expect(readIdentityEnvelope({ v: 1, ...user, s: 3, o: 1, m: 'abcdefgh' })).toEqual(user);
  });

  it.each([
    ['no version', { ...user }],
    ['another version', { v: 2, ...user }],
    ['an identity ID with no region', { v: 1, ...user, identityId: 'aaaaaaaa-0000-4000-8000-000000000000' }],
    ['an identity ID with text around it', { v: 1, ...user, identityId: ` ${IDENTITY_A}` }],
    ['an identity ID with a suffix', { v: 1, ...user, identityId: `${IDENTITY_A}!` }],
    ['an identity ID with upper-case hex', { v: 1, ...user, identityId: IDENTITY_A.toUpperCase() }],
    ['an identity ID of 56 characters', { v: 1, ...user, identityId: `us-east-1:${'a'.repeat(46)}` }],
    ['authenticated not a boolean', { v: 1, ...user, authenticated: 'true' }],
    ['an empty provider name', { v: 1, ...user, providers: [''] }],
    ['a provider name of 129 characters', { v: 1, ...user, providers: ['p'.repeat(129)] }],
    ['21 providers', { v: 1, ...user, providers: Array.from({ length: 21 }, (_, i) => `p${i}`) }],
    ['a fractional stamp', { v: 1, ...user, s: 1.5 }],
    ['a negative stamp', { v: 1, ...user, o: -1 }],
    ['a sign-out ID of 65 characters', { v: 1, ...user, m: 'm'.repeat(65) }],
    ['null', null],
  ])('refuses %s', (_name, value) => {
    expect(readIdentityEnvelope(value)).toBeUndefined();
  });

  it.each([
    ['an identity ID of 55 characters', { identityId: `us-east-1:${'a'.repeat(45)}` }],
    ['a provider name of 128 characters', { providers: ['p'.repeat(128)] }],
    ['20 providers', { providers: Array.from({ length: 20 }, (_, i) => `p${i}`) }],
  ])('accepts %s (the limit itself)', (_name, fields) => {
    expect(readIdentityEnvelope({ v: 1, ...user, ...fields })).toEqual({ ...user, ...fields });
  });

  it('zero stamps and a 64-character sign-out ID are accepted', () => {
    expect(readIdentityEnvelope({ v: 1, ...user, s: 0, o: 0, m: 'm'.repeat(64) })).toEqual(user);
  });
});

describe('credentials envelope', () => {
  const credentials = credentialsFor(IDENTITY_A, NOW + HOUR);
  const envelope = { v: 1, ...credentials, expiration: NOW + HOUR };

  it('is written with the expiration as epoch ms, and read back frozen with a Date', () => {
    expect(credentialsEnvelope(credentials)).toEqual(envelope);
    const read = readCredentialsEnvelope(envelope);
    expect(read).toEqual(credentials);
    expect(Object.isFrozen(read)).toBe(true);
  });

  it.each([
    ['another version', { v: 2 }],
    ['an empty access key', { accessKeyId: '' }],
    ['an access key of 257 characters', { accessKeyId: 'A'.repeat(257) }],
    ['an empty secret key', { secretAccessKey: '' }],
    ['a secret key of 1025 characters', { secretAccessKey: 's'.repeat(1025) }],
    ['an empty session token', { sessionToken: '' }],
    ['a session token of 16385 characters', { sessionToken: 't'.repeat(16_385) }],
    ['a zero expiration', { expiration: 0 }],
    ['a fractional expiration', { expiration: NOW + 0.5 }],
    ['an expiration as text', { expiration: String(NOW + HOUR) }],
    ['a malformed identity ID', { identityId: 'nope' }],
  ])('refuses %s', (_name, fields) => {
    expect(readCredentialsEnvelope({ ...envelope, ...fields })).toBeUndefined();
  });

  it.each([
    ['an access key of 256 characters', { accessKeyId: 'A'.repeat(256) }],
    ['a secret key of 1024 characters', { secretAccessKey: 's'.repeat(1024) }],
    ['a session token of 16384 characters', { sessionToken: 't'.repeat(16_384) }],
    ['an expiration of 1 ms', { expiration: 1 }],
  ])('accepts %s (the limit itself)', (_name, fields) => {
    expect(readCredentialsEnvelope({ ...envelope, ...fields })).toBeDefined();
  });
});

describe('sameIdentity: same ID, same standing, same providers in any order', () => {
  const a = { identityId: IDENTITY_A, authenticated: true, providers: ['x', 'y'] };
  it.each([
    ['the same', a, { ...a }, true],
    ['providers in another order', a, { ...a, providers: ['y', 'x'] }, true],
    ['providers in another order, on the left', { ...a, providers: ['y', 'x'] }, a, true],
    ['another ID', a, { ...a, identityId: IDENTITY_B }, false],
    ['another standing', a, { ...a, authenticated: false }, false],
    ['fewer providers', a, { ...a, providers: ['x'] }, false],
    ['other providers', a, { ...a, providers: ['x', 'z'] }, false],
    ['nothing on the left', undefined, a, false],
    ['nothing on the right', a, undefined, false],
    ['nothing on either side', undefined, undefined, false],
  ])('%s → %s', (_name, left, right, expected) => {
    expect(sameIdentity(left, right)).toBe(expected);
  });

  it('does not reorder the providers it compares', () => {
    const providers = ['y', 'x'];
    sameIdentity({ ...a, providers }, a);
    expect(providers).toEqual(['y', 'x']);
  });
});

describe('SessionStore: what is written', () => {
  it('an identity: the record names its pool and region, with the stamp and sign-out ID given', async () => {
    const { adapter, values, calls } = recordingAdapter();
    const { store } = storeOver(adapter);
    await store.saveIdentity(user, { seq: 4, signedOutAt: 2 }, store.lease(), 'signout-1');
    expect(JSON.parse(values.get(keys.identity) as string)).toEqual({
      ...user,
      v: 2,
      ...scope,
      s: 4,
      o: 2,
      m: 'signout-1',
    });
    // Two arguments: an identity has no expiry for adapters that support one.
    expect(calls.at(-1)).toEqual(['setItem', keys.identity, values.get(keys.identity)]);
    await store.saveIdentity(user, undefined, store.lease(), null);
    expect(JSON.parse(values.get(keys.identity) as string)).toEqual({ ...user, v: 2, ...scope });
  });

  it('the region option, not the pool ID, names the region of what is written and read', async () => {
    const { adapter, values } = recordingAdapter();
    const { store, errors } = storeOver(adapter, { region: 'us-east-1' });
    await store.saveIdentity(guest);
    expect(JSON.parse(values.get(keys.identity) as string).region).toBe('us-east-1');
    const other = storeOver(adapter, { region: 'eu-west-1' });
    expect(await other.store.loadIdentity()).toBeUndefined();
    expect(other.errors[0]?.message).toMatch(/another region/);
    expect(errors).toEqual([]);
  });

  it('credentials: written with their expiry as the adapter option', async () => {
    const { adapter, values, calls } = recordingAdapter();
    const { store } = storeOver(adapter);
    const credentials = credentialsFor(IDENTITY_A, NOW + HOUR);
    await store.saveCredentials(credentials);
    const written = values.get(keys.credentials) as string;
    expect(JSON.parse(written)).toEqual({ ...credentialsRecord() });
    expect(calls.at(-1)).toEqual(['setItem', keys.credentials, written, { expiresAt: NOW + HOUR }]);
  });

  it('the sign-out record is written as given and read back', async () => {
    const { adapter, values } = recordingAdapter();
    const { store } = storeOver(adapter);
    const record = { v: 1 as const, id: 'abcdefgh-1234', at: NOW };
    await store.saveSignOut(record);
    expect(JSON.parse(values.get(keys.signedOut) as string)).toEqual(record);
    expect(await store.loadSignOut()).toEqual(record);
  });

  it('clear() removes the identity and credentials, and keeps the sign-out record', async () => {
    const { adapter, values } = recordingAdapter();
    const { store } = storeOver(adapter);
    await store.saveIdentity(guest);
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR));
    await store.saveSignOut({ v: 1, id: 'abcdefgh', at: NOW });
    await store.clear();
    expect([...values.keys()]).toEqual([keys.signedOut]);
  });

  it('removeKeys() removes both keys and leaves leases running', async () => {
    const { adapter, values } = recordingAdapter();
    const { store } = storeOver(adapter);
    const lease = store.lease();
    await store.saveIdentity(guest, undefined, lease);
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR), lease);
    await store.removeKeys();
    expect(values.size).toBe(0);
    await store.saveIdentity(guest, undefined, lease);
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR), lease);
    expect([...values.keys()].sort()).toEqual([keys.credentials, keys.identity].sort());
  });

  it('endLeases() drops later writes of earlier leases on both keys', async () => {
    const { adapter, values } = recordingAdapter();
    const { store } = storeOver(adapter);
    const lease = store.lease();
    store.endLeases();
    await store.saveIdentity(guest, undefined, lease);
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR), lease);
    expect(values.size).toBe(0);
  });

  it('removeCredentials() ends credential writes of earlier leases only', async () => {
    const { adapter, values } = recordingAdapter();
    const { store } = storeOver(adapter);
    const lease = store.lease();
    await store.removeCredentials();
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR), lease);
    expect(values.has(keys.credentials)).toBe(false);
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR));
    expect(values.has(keys.credentials)).toBe(true);
  });
});

describe('SessionStore: what is read', () => {
  it('an identity with its stamp and sign-out ID; a stamp of sequence 0 is none', async () => {
    const { adapter } = recordingAdapter({
      [keys.identity]: JSON.stringify(identityRecord({ s: 5, m: 'signout-1' })),
    });
    const { store, errors } = storeOver(adapter);
    expect(await store.loadStampedIdentity()).toEqual({
      identity: guest,
      stamp: { seq: 5, signedOutAt: 0 },
      signOutId: 'signout-1',
    });
    const unstamped = recordingAdapter({ [keys.identity]: JSON.stringify(identityRecord({ s: 0, o: 0 })) });
    const loaded = await storeOver(unstamped.adapter).store.loadStampedIdentity();
    expect(loaded).toEqual({ identity: guest, signOutId: undefined });
    expect(loaded && 'stamp' in loaded).toBe(false);
    expect(errors).toEqual([]);
  });

  it('a current record is not rewritten on read', async () => {
    const { adapter, calls } = recordingAdapter({
      [keys.identity]: JSON.stringify(identityRecord()),
      [keys.credentials]: JSON.stringify(credentialsRecord()),
    });
    const { store } = storeOver(adapter);
    expect(await store.loadIdentity()).toEqual(guest);
    expect(await store.loadCredentials(IDENTITY_A)).toEqual(credentialsFor(IDENTITY_A, NOW + HOUR));
    expect(calls.map(([operation]) => operation)).toEqual(['getItem', 'getItem']);
  });

  it('an adapter answering undefined for a missing key: missing, not an unreadable value', async () => {
    const adapter: StorageAdapter = {
      getItem: () => undefined as unknown as null,
      setItem: () => {},
      removeItem: () => {},
    };
    const { store, errors } = storeOver(adapter);
    expect(await store.loadIdentity()).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('a value an adapter keeps as an object (not a string) is read as it is', async () => {
    const { adapter } = recordingAdapter({ [keys.identity]: identityRecord() });
    expect(await storeOver(adapter).store.loadIdentity()).toEqual(guest);
  });

  it("credentials of another identity are not served, and not discarded (they may be another session's)", async () => {
    const { adapter, values } = recordingAdapter({ [keys.credentials]: JSON.stringify(credentialsRecord()) });
    const { store, errors } = storeOver(adapter);
    expect(await store.loadCredentials(IDENTITY_B)).toBeUndefined();
    expect(errors).toEqual([]);
    expect(values.has(keys.credentials)).toBe(true);
  });

  it('credentials within the trusted window keep their own Date', async () => {
    const { adapter } = recordingAdapter({ [keys.credentials]: JSON.stringify(credentialsRecord()) });
    const loaded = await storeOver(adapter).store.loadCredentials(IDENTITY_A);
    expect(loaded?.expiration.getTime()).toBe(NOW + HOUR);
    expect(Object.isFrozen(loaded)).toBe(true);
  });

  it('credentials beyond the trusted window are served frozen, cut to 12 hours', async () => {
    const far = NOW + 48 * HOUR;
    const { adapter } = recordingAdapter({
      [keys.credentials]: JSON.stringify(credentialsRecord({ expiration: far })),
    });
    const loaded = await storeOver(adapter).store.loadCredentials(IDENTITY_A);
    expect(loaded?.expiration.getTime()).toBe(NOW + 12 * HOUR);
    expect(loaded?.secretAccessKey).toBe(credentialsFor(IDENTITY_A, far).secretAccessKey);
    expect(Object.isFrozen(loaded)).toBe(true);
  });

  it.each([
    ['not JSON', '{nope'],
    ['JSON of another shape', JSON.stringify({ hello: 'world' })],
    ['a record of a future version', JSON.stringify(identityRecord({ v: 3 }))],
  ])('an identity that is %s is reported, read as missing and removed', async (_name, raw) => {
    const { adapter, values } = recordingAdapter({ [keys.identity]: raw });
    const { store, errors } = storeOver(adapter);
    expect(await store.loadIdentity()).toBeUndefined();
    expect(errors.map((error) => [error.name, error.operation, error.key])).toEqual([
      ['StorageError', 'parse', keys.identity],
    ]);
    expect(errors[0]?.message).toMatch(/the stored value is not one this version wrote; it was discarded$/);
    expect(values.has(keys.identity)).toBe(false);
  });

  it.each([
    ['no pool', { pool: undefined }],
    ['no region', { region: undefined }],
  ])('a current-version record naming %s is discarded', async (_name, fields) => {
    const { adapter, values } = recordingAdapter({ [keys.identity]: JSON.stringify(identityRecord(fields)) });
    const { store, errors } = storeOver(adapter);
    expect(await store.loadIdentity()).toBeUndefined();
    expect(errors[0]?.message).toMatch(/does not name its pool and region; it was discarded/);
    expect(values.has(keys.identity)).toBe(false);
  });

  it("the foreign reason is quoted: another pool's record says so", async () => {
    const { adapter } = recordingAdapter({
      [keys.identity]: JSON.stringify(identityRecord({ pool: 'us-east-1:other' })),
    });
    const { store, errors } = storeOver(adapter);
    await store.loadIdentity();
    expect(errors[0]?.message).toMatch(
      /the stored value is not this pool's: it belongs to another identity pool; it was discarded/,
    );
  });

  it('a bad value is not removed when a write reached the key after it was read', async () => {
    const { adapter, values } = recordingAdapter({ [keys.identity]: '{nope' });
    const { store } = storeOver(adapter);
    const loading = store.loadIdentity();
    const saving = store.saveIdentity(guest);
    expect(await loading).toBeUndefined();
    await saving;
    expect(JSON.parse(values.get(keys.identity) as string)).toMatchObject(guest);
  });

  it('an unreadable sign-out record is no news: reported, removed, read as missing', async () => {
    const { adapter, values } = recordingAdapter({
      [keys.signedOut]: JSON.stringify({ v: 1, id: 'short', at: 1 }),
    });
    const { store, errors } = storeOver(adapter);
    expect(await store.loadSignOut()).toBeUndefined();
    expect(errors.map((error) => error.operation)).toEqual(['parse']);
    expect(values.has(keys.signedOut)).toBe(false);
  });
});

describe('SessionStore: failures', () => {
  const failing = (error: unknown): StorageAdapter => ({
    getItem: () => {
      throw error;
    },
    setItem: () => Promise.reject(error),
    removeItem: () => {
      throw error;
    },
  });

  it('each failed call is reported with its operation and key, and nothing throws', async () => {
    const { store, errors } = storeOver(failing(new Error('disk full')));
    expect(await store.loadIdentity()).toBeUndefined();
    await store.saveIdentity(guest);
    await store.removeCredentials();
    expect(errors.map((error) => [error.name, error.operation, error.key])).toEqual([
      ['StorageError', 'getItem', keys.identity],
      ['StorageError', 'setItem', keys.identity],
      ['StorageError', 'removeItem', keys.credentials],
    ]);
    expect(errors.every((error) => /disk full/.test(error.message))).toBe(true);
  });

  it('an adapter quoting what it was asked to write has the value and its secrets redacted', async () => {
    const credentials = credentialsFor(IDENTITY_A, NOW + HOUR, 'leak');
    let quoted = '';
    const adapter: StorageAdapter = {
      getItem: () => null,
      setItem: (_key, value) => {
        quoted = value;
        const parsed = JSON.parse(value);
        throw new Error(`refused ${value} / ${parsed.secretAccessKey} / ${parsed.sessionToken}`);
      },
      removeItem: () => {},
    };
    const { store, errors } = storeOver(adapter);
    await store.saveCredentials(credentials);
    expect(quoted).toContain(credentials.secretAccessKey);
    const message = errors[0]?.message ?? '';
    expect(message).toMatch(/refused/);
    expect(message).not.toContain(credentials.secretAccessKey);
    expect(message).not.toContain(credentials.sessionToken);
  });

  it('the time-out is 5 000 ms by default, on the timers given', async () => {
    const pending: { fn: () => void; ms: number }[] = [];
    const timers = {
      setTimeout: (fn: () => void, ms: number) => pending.push({ fn, ms }),
      clearTimeout: () => {},
    };
    const never: StorageAdapter = {
      getItem: () => new Promise<string | null>(() => {}),
      setItem: () => {},
      removeItem: () => {},
    };
    const { store, errors } = storeOver(never, { timers });
    const loading = store.loadIdentity();
    await Promise.resolve();
    await Promise.resolve();
    expect(pending.map(({ ms }) => ms)).toEqual([5_000]);
    pending[0]?.fn();
    expect(await loading).toBeUndefined();
    expect(errors[0]?.message).toMatch(/no answer within 5000 ms \(storageTimeoutMs\); treated as failed$/);
  });
});

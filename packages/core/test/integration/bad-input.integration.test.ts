/**
 * Bad input never crashes and never loses what is stored: bad options throw a
 * `ConfigurationError` naming the field; unreadable storage values are discarded with an `error`
 * event; malformed service answers become typed errors.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createIdentityPoolAuth,
  type IdentityPoolAuthOptions,
  memoryStorage,
  type StorageAdapter,
  storageKeys,
} from '../../src/index.js';
import { recordEvents, useEmulator } from '../support/emulator.js';

const env = useEmulator();
const POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';

describe('options', () => {
  const cases: Array<[string, unknown, string]> = [
    ['missing pool', {}, 'identityPoolId'],
    ['pool not a string', { identityPoolId: 42 }, 'identityPoolId'],
    ['pool pattern', { identityPoolId: 'not-a-pool' }, 'identityPoolId'],
    [
      'pool uppercase hex',
      { identityPoolId: 'us-east-1:ABCDEF00-0000-4000-8000-000000000000' },
      'identityPoolId',
    ],
    ['pool too long', { identityPoolId: `us-east-1:${'0'.repeat(60)}` }, 'identityPoolId'],
    ['region', { identityPoolId: POOL, region: 'US EAST' }, 'region'],
    ['endpoint not a URL', { identityPoolId: POOL, endpoint: 'localhost:4566' }, 'endpoint'],
    ['endpoint scheme', { identityPoolId: POOL, endpoint: 'ftp://example.com' }, 'endpoint'],
    ['transport', { identityPoolId: POOL, transport: { getId() {} } }, 'transport'],
    ['storage', { identityPoolId: POOL, storage: { getItem() {} } }, 'storage'],
    ['logins not an object', { identityPoolId: POOL, logins: 'token' }, 'logins'],
    [
      'empty token',
      { identityPoolId: POOL, logins: { 'graph.facebook.com': '' } },
      'logins.graph.facebook.com',
    ],
    [
      'token of wrong type',
      { identityPoolId: POOL, logins: { 'graph.facebook.com': 7 } },
      'logins.graph.facebook.com',
    ],
    [
      'more than 10 logins',
      {
        identityPoolId: POOL,
        logins: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 't'])),
      },
      'logins',
    ],
    [
      'provider under another key',
      {
        identityPoolId: POOL,
        logins: {
          'accounts.google.com': {
            id: 'facebook',
            loginsKey: 'graph.facebook.com',
            signIn: async () => ({ token: 't' }),
          },
        },
      },
      'logins.accounts.google.com',
    ],
    ['allowGuest', { identityPoolId: POOL, allowGuest: 'yes' }, 'allowGuest'],
    ['refresh window negative', { identityPoolId: POOL, refreshWindowSeconds: -1 }, 'refreshWindowSeconds'],
    ['refresh window too long', { identityPoolId: POOL, refreshWindowSeconds: 3600 }, 'refreshWindowSeconds'],
    [
      'refresh window NaN',
      { identityPoolId: POOL, refreshWindowSeconds: Number.NaN },
      'refreshWindowSeconds',
    ],
    ['persistCredentials', { identityPoolId: POOL, persistCredentials: 1 }, 'persistCredentials'],
    ['customRoleArn short', { identityPoolId: POOL, customRoleArn: 'arn:aws' }, 'customRoleArn'],
    ['customRoleArn not an ARN', { identityPoolId: POOL, customRoleArn: 'x'.repeat(30) }, 'customRoleArn'],
    ['accountId', { identityPoolId: POOL, accountId: '12ab' }, 'accountId'],
    ['clock', { identityPoolId: POOL, clock: Date }, 'clock'],
    ['retry attempts', { identityPoolId: POOL, retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    ['retry attempts fraction', { identityPoolId: POOL, retry: { maxAttempts: 1.5 } }, 'retry.maxAttempts'],
    ['retry delay', { identityPoolId: POOL, retry: { baseDelayMs: -5 } }, 'retry.baseDelayMs'],
    ['retry unknown key', { identityPoolId: POOL, retry: { attempts: 3 } }, 'retry.attempts'],
    ['storageKeyPrefix', { identityPoolId: POOL, storageKeyPrefix: 'has space' }, 'storageKeyPrefix'],
    ['unknown option (a typo)', { identityPoolId: POOL, persistCredential: true }, 'persistCredential'],
  ];
  it.each(cases)('%s → ConfigurationError naming the field', (_name, options, field) => {
    let error: unknown;
    try {
      createIdentityPoolAuth(options as IdentityPoolAuthOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ name: 'ConfigurationError', field });
    expect((error as Error).message).toMatch(
      new RegExp(`^Invalid option "${field.replace(/\./g, '\\.')}": \\S`),
    );
  });

  it.each([undefined, null, 'us-east-1:0', [], 5])('options %j → ConfigurationError', (options) => {
    expect(() => createIdentityPoolAuth(options as unknown as IdentityPoolAuthOptions)).toThrow(
      ConfigurationError,
    );
  });

  it('never echoes a bad token in the error', () => {
    const token = 'x'.repeat(50_001);
    let message = '';
    try {
      createIdentityPoolAuth({ identityPoolId: POOL, logins: { 'graph.facebook.com': token } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('at most 50000');
    expect(message).not.toContain('xxxxxxxxxx');
  });

  it('login() with bad input rejects with a ConfigurationError and changes nothing', async () => {
    const auth = env.auth({ identityPoolId: env.pool() });
    const id = await auth.getIdentityId();
    for (const bad of [
      null,
      { providerName: '', token: 't' },
      { providerName: 'graph.facebook.com', token: 5 },
      { providerName: 'graph.facebook.com', token: 't', expiresAt: 'soon' },
      { id: 'x', loginsKey: 'graph.facebook.com', signIn: async () => ({}) },
      // A token that names its identity must name an identity.
      {
        id: 'x',
        loginsKey: 'graph.facebook.com',
        signIn: async () => ({ token: 't', identityId: 'DROP TABLE' }),
      },
    ]) {
      await expect(auth.login(bad as never)).rejects.toBeInstanceOf(ConfigurationError);
    }
    expect(auth.getCachedIdentityId()).toBe(id);
    expect(auth.getState().authenticated).toBe(false);
  });
});

describe('storage contents', () => {
  const keysFor = (pool: string) => storageKeys('identity-pool', pool);

  it.each([
    ['not JSON', '{{{'],
    ['JSON of another shape', '{"hello":"world"}'],
    [
      'an older schema version',
      JSON.stringify({ v: 0, identityId: 'us-east-1:aaaaaaaa-0000-4000-8000-000000000000' }),
    ],
    [
      'a bad identity ID',
      JSON.stringify({ v: 1, identityId: 'DROP TABLE', authenticated: false, providers: [] }),
    ],
    ['a prototype-polluting value', '{"__proto__":{"polluted":true},"v":1}'],
    ['a number', '42'],
  ])('an identity value that is %s is discarded with an error event', async (_name, value) => {
    const pool = env.pool();
    const storage = memoryStorage();
    storage.setItem(keysFor(pool).identity, value);
    storage.setItem('unrelated', 'kept');
    const auth = env.auth({ identityPoolId: pool, storage });
    const events = recordEvents(auth);
    const credentials = await auth.getCredentials();
    expect(credentials.identityId).toMatch(/^us-east-1:/);
    expect(events.filter((e) => e.type === 'error').map((e) => (e.error as Error).name)).toEqual([
      'StorageError',
    ]);
    expect(JSON.parse(storage.getItem(keysFor(pool).identity) as string).identityId).toBe(
      credentials.identityId,
    );
    expect(storage.getItem('unrelated')).toBe('kept');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a corrupt credentials value costs the credentials only, never the valid identity', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const before = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    const first = await before.getCredentials();
    before.stop(); // a restart: one live session per storage namespace
    storage.setItem(keysFor(pool).credentials, '{"v":1,"identityId":"oops"}');
    env.emulator.resetCalls();
    const auth = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    const events = recordEvents(auth);
    const second = await auth.getCredentials();
    expect(second.identityId).toBe(first.identityId);
    expect(env.calls(pool).map((c) => c.operation)).toEqual(['GetCredentialsForIdentity']);
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
  });

  it('stored credentials of another identity are ignored', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const before = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    await before.getCredentials();
    before.stop();
    const stored = JSON.parse(storage.getItem(keysFor(pool).credentials) as string);
    storage.setItem(
      keysFor(pool).credentials,
      JSON.stringify({ ...stored, identityId: 'us-east-1:bbbbbbbb-0000-4000-8000-000000000000' }),
    );
    env.emulator.resetCalls();
    await env.auth({ identityPoolId: pool, storage, persistCredentials: true }).getCredentials();
    expect(env.calls(pool)).toHaveLength(1);
  });

  it('a storage adapter that throws never fails sign-in; it is reported', async () => {
    const pool = env.pool();
    const broken: StorageAdapter = {
      getItem: () => {
        throw new Error('disk on fire');
      },
      setItem: () => Promise.reject(new Error('quota exceeded')),
      removeItem: () => {
        throw new Error('read-only');
      },
    };
    const auth = env.auth({ identityPoolId: pool, storage: broken, persistCredentials: true });
    const events = recordEvents(auth);
    const credentials = await auth.getCredentials();
    expect(credentials.identityId).toMatch(/^us-east-1:/);
    const errors = events.filter((e) => e.type === 'error').map((e) => (e.error as Error).message);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('getItem failed'),
        expect.stringContaining('quota exceeded'),
      ]),
    );
    await expect(auth.logout()).resolves.toBeUndefined();
  });
});

describe('malformed service answers', () => {
  const ID = 'us-east-1:aaaaaaaa-0000-4000-8000-000000000000';
  const body = (value: unknown) => JSON.stringify(value);
  it.each([
    ['GetId', body({}), 'IdentityId is missing'],
    ['GetId', body({ IdentityId: 5 }), 'invalid response'],
    ['GetId', body({ IdentityId: 'not an id' }), 'IdentityId is missing or not'],
    ['GetId', 'not json at all', 'invalid response'],
    ['GetCredentialsForIdentity', body({ IdentityId: ID }), 'Credentials are missing'],
    [
      'GetCredentialsForIdentity',
      body({ IdentityId: ID, Credentials: { AccessKeyId: 'A', SecretKey: 'S', SessionToken: 'T' } }),
      'Expiration',
    ],
    [
      'GetCredentialsForIdentity',
      body({
        IdentityId: ID,
        Credentials: {
          AccessKeyId: 'A',
          SecretKey: 'S',
          SessionToken: 'T',
          Expiration: '2030-01-01T00:00:00Z',
        },
      }),
      'invalid response',
    ],
    [
      'GetCredentialsForIdentity',
      body({
        IdentityId: ID,
        Credentials: { AccessKeyId: 7, SecretKey: 'S', SessionToken: 'T', Expiration: 1.9e9 },
      }),
      'invalid response',
    ],
    [
      'GetCredentialsForIdentity',
      body({
        IdentityId: ID,
        Credentials: { AccessKeyId: 'A', SecretKey: 'S', SessionToken: 'T', Expiration: 1000 },
      }),
      'under a minute',
    ],
  ])('%s answering %s → InvalidResponseError', async (operation, responseBody, text) => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    if (operation === 'GetCredentialsForIdentity') await auth.getIdentityId();
    env.emulator.faults.inject({ kind: 'status', status: 200, operation, body: responseBody });
    const error = await auth.getCredentials().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidResponseError', operation });
    expect((error as Error).message).toContain(text);
    expect(auth.getState().status).toBe('failed');
    await expect(auth.getCredentials()).resolves.toMatchObject({
      identityId: expect.stringMatching(/^us-east-1:/),
    });
  });

  it('a 502 from a proxy is retried, then reported as a ServiceError', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    env.emulator.faults.inject({
      kind: 'status',
      status: 502,
      operation: 'GetId',
      count: 3,
      body: '<html>Bad Gateway</html>',
      contentType: 'text/html',
    });
    const error = await auth.getCredentials().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ServiceError', statusCode: 502 });
    expect(env.calls(pool, 'GetId')).toHaveLength(3);
  });
});

describe('cancellation', () => {
  it('an aborted getCredentials() rejects with AbortError; the shared request serves the others', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    env.emulator.faults.inject({ kind: 'latency', ms: 100, operation: 'GetId' });
    const controller = new AbortController();
    const aborted = auth.getCredentials({ signal: controller.signal });
    const other = auth.getCredentials();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await expect(other).resolves.toMatchObject({ identityId: expect.any(String) });
    expect(env.calls(pool)).toHaveLength(2);
  });

  it('an already-aborted signal rejects at once without a request', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    await expect(auth.getCredentials({ signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(env.calls(pool)).toHaveLength(0);
  });
});

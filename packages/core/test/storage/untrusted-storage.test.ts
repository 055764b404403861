/**
 * Issue 12 §5: storage is untrusted input, and time is bounded. Planted records of another pool
 * or region are not used; credentials with an expiry the service could not have issued are not
 * trusted past 12 hours (nor overflow the refresh timer); an adapter that never answers costs
 * the session `storageTimeoutMs`, not its sign-in.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createIdentityPoolAuth,
  type IdentityPoolAuthOptions,
  memoryStorage,
} from '../../src/index.js';
import { storageKeys } from '../../src/storage/session-store.js';
import type { CognitoIdentityTransport, StorageAdapter } from '../../src/types.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { IDENTITY_A, IDENTITY_B, POOL_ID } from '../support/fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const keys = storageKeys('identity-pool', POOL_ID);

function service(clock: { now(): number } = Date) {
  const calls = { getId: 0, getCredentialsForIdentity: 0 };
  const transport: CognitoIdentityTransport = {
    getId: async () => {
      calls.getId++;
      return { identityId: IDENTITY_B };
    },
    getCredentialsForIdentity: async ({ identityId }) => {
      calls.getCredentialsForIdentity++;
      return {
        identityId,
        credentials: {
          accessKeyId: `ASIAFRESH${calls.getCredentialsForIdentity}`,
          secretAccessKey: 'secret',
          sessionToken: 'token',
          expiration: new Date(clock.now() + HOUR),
        },
      };
    },
  };
  return { transport, calls };
}

function session(options: Partial<IdentityPoolAuthOptions> & { storage: StorageAdapter }) {
  const { transport, calls } = service(options.clock ?? Date);
  const auth = createIdentityPoolAuth({ identityPoolId: POOL_ID, transport, ...options });
  const errors: Error[] = [];
  auth.on('error', ({ error }) => errors.push(error));
  return { auth, calls, errors };
}

const plantedIdentity = (scope: object) =>
  JSON.stringify({ v: 2, identityId: IDENTITY_A, authenticated: false, providers: [], ...scope });
const plantedCredentials = (expiration: number) =>
  JSON.stringify({
    v: 2,
    pool: POOL_ID,
    region: 'us-east-1',
    identityId: IDENTITY_A,
    accessKeyId: 'ASIAPLANTED',
    secretAccessKey: 'planted-secret',
    sessionToken: 'planted-token',
    expiration,
  });

describe('records that are not this pool’s', () => {
  it.each([
    [
      'an identity ID of another region',
      { pool: POOL_ID, region: 'us-east-1', identityId: 'eu-west-1:aaaaaaaa-0000-4000-8000-000000000000' },
    ],
    ['another region', { pool: POOL_ID, region: 'eu-west-1' }],
    ['another pool', { pool: 'us-east-1:11111111-0000-4000-8000-000000000000', region: 'us-east-1' }],
  ])('an identity of %s planted under this pool’s key is not used', async (_name, scope) => {
    const storage = memoryStorage();
    storage.setItem(keys.identity, plantedIdentity(scope));
    const { auth, calls, errors } = session({ storage });
    const credentials = await auth.getCredentials();
    expect(credentials.identityId).toBe(IDENTITY_B);
    expect(calls.getId).toBe(1);
    expect(errors.map((error) => error.name)).toEqual(['StorageError']);
    expect(errors[0]?.message).toMatch(/not this pool's/);
    expect(JSON.parse(storage.getItem(keys.identity) as string)).toMatchObject({
      identityId: IDENTITY_B,
      pool: POOL_ID,
      region: 'us-east-1',
    });
    auth.stop();
  });

  it('an identity of the previous release (version 1) is kept: the returning user keeps their identity', async () => {
    const storage = memoryStorage();
    storage.setItem(
      keys.identity,
      JSON.stringify({ v: 1, identityId: IDENTITY_A, authenticated: false, providers: [] }),
    );
    const { auth, calls, errors } = session({ storage });
    expect((await auth.getCredentials()).identityId).toBe(IDENTITY_A);
    expect(calls.getId).toBe(0);
    expect(errors).toEqual([]);
    expect(JSON.parse(storage.getItem(keys.identity) as string)).toMatchObject({ v: 2, pool: POOL_ID });
    auth.stop();
  });
});

describe('stored credentials are trusted no longer than the service could issue them for', () => {
  it.each([
    ['10 days', 10 * DAY],
    ['30 days', 30 * DAY],
  ])('credentials stored with an expiry %s ahead are refreshed within 12 hours', async (_name, ahead) => {
    const clock = new ControlledClock();
    const storage = memoryStorage();
    storage.setItem(keys.identity, plantedIdentity({ pool: POOL_ID, region: 'us-east-1' }));
    storage.setItem(keys.credentials, plantedCredentials(clock.now() + ahead));
    const { auth, calls } = session({ storage, clock, persistCredentials: true });
    const served = await auth.getCredentials();
    expect(served.accessKeyId).toBe('ASIAPLANTED');
    expect(served.expiration.getTime()).toBeLessThanOrEqual(clock.now() + 12 * HOUR);
    expect(calls.getCredentialsForIdentity).toBe(0);
    clock.advance(12 * HOUR - 5 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls.getCredentialsForIdentity).toBe(1);
    expect((await auth.getCredentials()).accessKeyId).toBe('ASIAFRESH1');
    auth.stop();
  });

  it('30-day credentials on the real clock neither overflow the refresh timer nor refresh at once', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const storage = memoryStorage();
      storage.setItem(keys.identity, plantedIdentity({ pool: POOL_ID, region: 'us-east-1' }));
      storage.setItem(keys.credentials, plantedCredentials(Date.now() + 30 * DAY));
      const { auth, calls } = session({ storage, persistCredentials: true });
      await auth.getCredentials();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings).toEqual([]);
      expect(calls.getCredentialsForIdentity).toBe(0);
      auth.stop();
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('every storage call is bounded in time (storageTimeoutMs)', () => {
  const silent = (answer: 'getItem' | 'setItem'): StorageAdapter => {
    const memory = memoryStorage();
    return {
      getItem: answer === 'getItem' ? () => new Promise<string | null>(() => {}) : memory.getItem,
      setItem: answer === 'setItem' ? () => new Promise<void>(() => {}) : memory.setItem,
      removeItem: memory.removeItem,
    };
  };

  it.each(['getItem', 'setItem'] as const)(
    'a %s that never settles: credentials are served, a StorageError reported',
    async (method) => {
      const { auth, errors } = session({ storage: silent(method), storageTimeoutMs: 50 });
      const started = Date.now();
      const credentials = await auth.getCredentials();
      expect(credentials.identityId).toBe(IDENTITY_B);
      expect(Date.now() - started).toBeLessThan(2_000);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(errors.map((error) => error.name)).toContain('StorageError');
      expect(errors.some((error) => /no answer within 50 ms/.test(error.message))).toBe(true);
      auth.stop();
    },
  );

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 600_001, '5000'])(
    'storageTimeoutMs %s is refused with a ConfigurationError naming it',
    (value) => {
      expect(() =>
        createIdentityPoolAuth({ identityPoolId: POOL_ID, storageTimeoutMs: value as number }),
      ).toThrow(ConfigurationError);
      expect(() =>
        createIdentityPoolAuth({ identityPoolId: POOL_ID, storageTimeoutMs: value as number }),
      ).toThrow(/storageTimeoutMs/);
    },
  );
});

describe('hostile credentials beside a good identity: read as absent, the identity kept', () => {
  const hostileProxy = new Proxy(
    {},
    {
      get() {
        throw new Error('a trap');
      },
      has() {
        throw new Error('a trap');
      },
      getOwnPropertyDescriptor() {
        throw new Error('a trap');
      },
    },
  );
  const credentialsJson = (change: object) =>
    JSON.stringify({ ...JSON.parse(plantedCredentials(0)), ...change });
  it.each<[string, unknown]>([
    ['an expiration of 1e308', credentialsJson({ expiration: 1e308 })],
    ['an expiration past the last Date', credentialsJson({ expiration: Number.MAX_SAFE_INTEGER })],
    ['an expiration of -0', credentialsJson({ expiration: -0 })],
    ['an expiration as a date string', credentialsJson({ expiration: '2099-01-01T00:00:00Z' })],
    ['an expiration of null (NaN once through JSON)', credentialsJson({ expiration: null })],
    ['a "__proto__" key carrying the fields', `{"__proto__":${credentialsJson({ expiration: 4e12 })}}`],
    ['a secret key 1 MB long', credentialsJson({ expiration: 4e12, secretAccessKey: 'x'.repeat(1 << 20) })],
    ['a Proxy whose traps throw (an adapter returning objects)', hostileProxy],
    [
      'a throwing getter',
      Object.defineProperty({}, 'v', {
        enumerable: true,
        get() {
          throw new Error('planted-secret from a getter');
        },
      }),
    ],
  ])('%s', async (_name, planted) => {
    const inner = memoryStorage();
    inner.setItem(keys.identity, plantedIdentity({ pool: POOL_ID, region: 'us-east-1' }));
    const storage: StorageAdapter = {
      getItem: (key) => (key === keys.credentials ? (planted as string) : inner.getItem(key)),
      setItem: (key, value) => inner.setItem(key, value),
      removeItem: (key) => inner.removeItem(key),
    };
    const clock = new ControlledClock();
    clock.advance(4e12 - clock.now() - HOUR); // the planted 4e12 would still be an hour ahead
    const { auth, calls, errors } = session({ storage, clock, persistCredentials: true });
    const credentials = await auth.getCredentials();
    expect(credentials.identityId).toBe(IDENTITY_A);
    expect(credentials.accessKeyId).toBe('ASIAFRESH1');
    expect(credentials.expiration.getTime()).toBeGreaterThan(clock.now());
    expect(calls.getId).toBe(0);
    expect(errors.map((error) => error.name)).toEqual(['StorageError']);
    for (const error of errors) expect(`${error.message} ${error.stack}`).not.toMatch(/planted-secret|xxxx/);
    expect(JSON.parse(inner.getItem(keys.identity) as string)).toMatchObject({ identityId: IDENTITY_A });
    auth.stop();
  });
});

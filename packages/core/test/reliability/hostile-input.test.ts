/**
 * Hostile input, fuzzed with fast-check: the option object, the service's responses and the
 * storage's contents. Always a typed error (or event), never a crash, a hang or prototype
 * pollution; stored data that is still valid is never deleted because of an unrelated bad value.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createIdentityPoolAuth,
  fetchTransport,
  IdentityPoolError,
  memoryStorage,
  sdkTransport,
} from '../../src/index.js';
import { storageKeys } from '../../src/storage/session-store.js';
import { useEmulator } from '../support/emulator.js';
import { IDENTITY_A, POOL_ID } from '../support/fixtures.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const env = useEmulator();

const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const cleanPrototype = prototypeKeys();
afterEach(() => {
  expect(prototypeKeys()).toBe(cleanPrototype);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

/** Values with the shapes attackers like: `__proto__` keys, huge strings, throwing getters. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 3 }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": "yes"}}')),
  fc.constant(
    Object.defineProperty({}, 'identityPoolId', {
      get: () => {
        throw new Error('getter');
      },
      enumerable: true,
    }),
  ),
  fc.integer({ min: 100_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, '', null, undefined, [], () => {}),
);

/** Hostile values that survive JSON (for response bodies). */
const jsonHostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": "yes"}}')),
  fc.integer({ min: 100_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(-1, 0, '', null, [], '2026-01-01T00:00:00Z'),
);

function isTyped(error: unknown): boolean {
  return error instanceof IdentityPoolError && typeof error.message === 'string';
}

describe('hostile option objects', () => {
  it('a getter throwing a value whose every trap throws (even its prototype) is a ConfigurationError', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap: prototype');
        },
        get() {
          throw new Error('trap: get');
        },
      },
    );
    const options = { identityPoolId: POOL_ID } as Record<string, unknown>;
    Object.defineProperty(options, 'storage', {
      get: () => {
        throw hostile;
      },
      enumerable: true,
    });
    let thrown: unknown;
    try {
      createIdentityPoolAuth(options as never).stop();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    // The option whose getter threw (options-read.ts reads them one by one).
    expect((thrown as ConfigurationError).field).toBe('storage');
  });

  it('createIdentityPoolAuth either works or throws a ConfigurationError', () => {
    const optionKeys = fc.constantFrom(
      'identityPoolId',
      'region',
      'endpoint',
      'transport',
      'storage',
      'logins',
      'allowGuest',
      'refreshWindowSeconds',
      'persistCredentials',
      'customRoleArn',
      'accountId',
      'clock',
      'retry',
      'storageKeyPrefix',
      '__proto__',
      'constructor',
      'toString',
    );
    const options = fc.oneof(
      hostileValue,
      fc.dictionary(optionKeys, hostileValue, { maxKeys: 5 }).map((o) => ({ identityPoolId: POOL_ID, ...o })),
      fc.dictionary(optionKeys, hostileValue, { maxKeys: 5 }),
      jsonHostile.map((v) =>
        JSON.parse(`{"identityPoolId":"${POOL_ID}","__proto__":${JSON.stringify(v ?? null) ?? 'null'}}`),
      ),
      hostileValue.map((bad) => {
        const o: Record<string, unknown> = { identityPoolId: POOL_ID };
        Object.defineProperty(o, 'storage', {
          get: () => {
            throw new Error('storage getter');
          },
          enumerable: true,
        });
        o.extra = bad;
        return o;
      }),
    );
    fc.assert(
      fc.property(options, (input) => {
        try {
          const auth = createIdentityPoolAuth(input as never);
          auth.stop();
        } catch (error) {
          expect((error as Error).name).toBe('ConfigurationError');
          expect(isTyped(error)).toBe(true);
          expect((error as Error).message.length).toBeLessThan(2_000);
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

/** A service answer: malformed JSON, missing/extra fields, wrong types, huge strings, `__proto__`. */
const credentialsBody = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        IdentityId: fc.oneof(fc.constant(IDENTITY_A), jsonHostile),
        Credentials: fc.oneof(
          jsonHostile,
          fc.record(
            {
              AccessKeyId: fc.oneof(fc.constant('ASIAFUZZ'), jsonHostile),
              SecretKey: fc.oneof(fc.constant('fuzz-secret'), jsonHostile),
              SessionToken: fc.oneof(fc.constant('fuzz-token'), jsonHostile),
              Expiration: fc.oneof(fc.constant(Math.floor(Date.now() / 1000) + 3600), jsonHostile),
            },
            { requiredKeys: [] },
          ),
        ),
        __type: fc.oneof(fc.constant('NotAuthorizedException'), jsonHostile),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o) ?? 'null'),
  fc.constant('{"__proto__":{"polluted":"yes"},"IdentityId":{"__proto__":{"polluted":"yes"}}}'),
  fc.integer({ min: 100_000, max: 1_000_000 }).map((n) => `{"IdentityId":"${'9'.repeat(n)}"}`),
);

describe('hostile service responses', () => {
  it('fetchTransport: any 200 or error body gives credentials or a typed error, never a hang', async () => {
    await fc.assert(
      fc.asyncProperty(
        credentialsBody,
        fc.constantFrom(200, 200, 400, 500, 503),
        fc.option(fc.string({ maxLength: 80 })),
        async (body, status, errorType) => {
          const auth = createIdentityPoolAuth({
            identityPoolId: POOL_ID,
            retry: { maxAttempts: 2, baseDelayMs: 0 },
            transport: fetchTransport({
              endpoint: 'https://fuzz.test/',
              fetch: async (_url, init) => {
                const getId = init.headers['x-amz-target']?.endsWith('GetId');
                return {
                  status: getId ? 200 : status,
                  headers: {
                    get: (name: string) => (name === 'x-amzn-errortype' && !getId ? errorType : null),
                  },
                  text: async () => (getId ? JSON.stringify({ IdentityId: IDENTITY_A }) : body),
                };
              },
            }),
          });
          const errors: unknown[] = [];
          auth.on('error', ({ error }) => errors.push(error));
          try {
            const credentials = await Promise.race([
              auth.getCredentials(),
              new Promise<never>((_, reject) => setTimeout(() => reject(new Error('hang')), 2_000)),
            ]);
            expect(credentials.expiration.getTime() - Date.now()).toBeGreaterThan(60_000);
            expect(typeof credentials.secretAccessKey).toBe('string');
          } catch (error) {
            expect((error as Error).message).not.toBe('hang');
            expect(isTyped(error), `${(error as Error).name}: ${(error as Error).message}`).toBe(true);
          } finally {
            auth.stop();
          }
          for (const error of errors) expect(isTyped(error)).toBe(true);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  }, 60_000);

  it('the AWS SDK transport against the emulator answering any 200 body: a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(credentialsBody, async (body) => {
        const pool = env.pool();
        const auth = env.auth({
          identityPoolId: pool,
          transport: sdkTransport({ region: 'us-east-1', endpoint: env.emulator.endpoint }),
          retry: { maxAttempts: 1 },
        });
        await auth.getIdentityId();
        env.emulator.faults.inject({
          kind: 'status',
          status: 200,
          body,
          operation: 'GetCredentialsForIdentity',
        });
        try {
          const credentials = await auth.getCredentials();
          expect(credentials.expiration.getTime() - Date.now()).toBeGreaterThan(60_000);
        } catch (error) {
          expect(isTyped(error), `${(error as Error).name}: ${(error as Error).message}`).toBe(true);
        } finally {
          auth.stop();
          env.emulator.faults.clear();
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  }, 60_000);
});

describe('hostile storage contents', () => {
  const keys = storageKeys('identity-pool', POOL_ID);
  const validIdentity = JSON.stringify({ v: 1, identityId: IDENTITY_A, authenticated: false, providers: [] });
  const junk = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.json({ maxDepth: 3 }),
    hostileValue.map((v) => {
      try {
        return JSON.stringify(v) ?? 'null';
      } catch {
        return '{';
      }
    }),
    fc.constant('{"__proto__":{"polluted":"yes"},"v":1}'),
    fc.constant(
      `{"v":1,"identityId":"${IDENTITY_A}","authenticated":false,"providers":[],"__proto__":{"polluted":"yes"}}`,
    ),
  );

  it('a bad credentials value never costs the valid stored identity; the session reuses it', async () => {
    await fc.assert(
      fc.asyncProperty(junk, fc.boolean(), async (badCredentials, persistCredentials) => {
        const storage = memoryStorage();
        storage.setItem(keys.identity, validIdentity);
        storage.setItem(keys.credentials, badCredentials);
        let getIdCalls = 0;
        const errors: unknown[] = [];
        const auth = createIdentityPoolAuth({
          identityPoolId: POOL_ID,
          storage,
          persistCredentials,
          transport: {
            getId: async () => {
              getIdCalls++;
              return { identityId: 'us-east-1:ffffffff-0000-4000-8000-000000000000' };
            },
            getCredentialsForIdentity: async ({ identityId }) => ({
              identityId,
              credentials: {
                accessKeyId: 'ASIAOK',
                secretAccessKey: 'secret',
                sessionToken: 'token',
                expiration: new Date(Date.now() + 3_600_000),
              },
            }),
          },
        });
        auth.on('error', ({ error }) => errors.push(error));
        try {
          const credentials = await auth.getCredentials();
          expect(credentials.identityId).toBe(IDENTITY_A);
          expect(getIdCalls).toBe(0);
          expect(JSON.parse(storage.getItem(keys.identity) as string).identityId).toBe(IDENTITY_A);
        } finally {
          auth.stop();
        }
        for (const error of errors) expect(isTyped(error)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('any identity value gives a working session (a new identity when it is unreadable), and typed error events', async () => {
    await fc.assert(
      fc.asyncProperty(junk, async (badIdentity) => {
        const storage = memoryStorage();
        storage.setItem(keys.identity, badIdentity);
        const errors: unknown[] = [];
        const auth = createIdentityPoolAuth({
          identityPoolId: POOL_ID,
          storage,
          transport: {
            getId: async () => ({ identityId: IDENTITY_A }),
            getCredentialsForIdentity: async ({ identityId }) => ({
              identityId,
              credentials: {
                accessKeyId: 'ASIAOK',
                secretAccessKey: 'secret',
                sessionToken: 'token',
                expiration: new Date(Date.now() + 3_600_000),
              },
            }),
          },
        });
        auth.on('error', ({ error }) => errors.push(error));
        try {
          await expect(auth.getCredentials()).resolves.toMatchObject({ identityId: IDENTITY_A });
        } finally {
          auth.stop();
        }
        for (const error of errors) expect((error as Error).name).toBe('StorageError');
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * The two validators of options — zod's schema (development builds, Node, servers) and the
 * hand-written check of production browser builds (`production` export condition) — held to one
 * table: each bad option is a `ConfigurationError` naming the same field in both, each good one
 * passes both, and no message echoes the bad value.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { checkOptions as production } from '../../src/options-checks.js';
import { checkOptions as development } from '../../src/options-schema.js';

const POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';
const ARN = 'arn:aws:iam::123456789012:role/guest';
const provider = { id: 'fb', loginsKey: 'graph.facebook.com', signIn: async () => ({ token: 't' }) };

const bad: Array<[string, Record<string, unknown>, string]> = [
  ['missing pool', { identityPoolId: undefined }, 'identityPoolId'],
  ['pool not a string', { identityPoolId: 42 }, 'identityPoolId'],
  ['pool pattern', { identityPoolId: 'not-a-pool' }, 'identityPoolId'],
  ['pool uppercase hex', { identityPoolId: 'us-east-1:ABCDEF00-0000' }, 'identityPoolId'],
  ['pool too long', { identityPoolId: `us-east-1:${'0'.repeat(60)}` }, 'identityPoolId'],
  ['region', { region: 'US EAST' }, 'region'],
  ['region too long', { region: 'a'.repeat(65) }, 'region'],
  ['endpoint not a URL', { endpoint: 'localhost:4566' }, 'endpoint'],
  ['endpoint scheme', { endpoint: 'ftp://example.com' }, 'endpoint'],
  ['endpoint with a space', { endpoint: 'http://a b' }, 'endpoint'],
  ['transport', { transport: { getId() {} } }, 'transport'],
  ['storage', { storage: { getItem() {} } }, 'storage'],
  ['logins not an object', { logins: 'token' }, 'logins'],
  ['logins an array', { logins: ['token'] }, 'logins'],
  ['logins null', { logins: null }, 'logins'],
  ['empty token', { logins: { 'graph.facebook.com': '' } }, 'logins.graph.facebook.com'],
  ['empty key', { logins: { '': 'token' } }, 'logins.'],
  ['token too long', { logins: { 'graph.facebook.com': 'x'.repeat(50_001) } }, 'logins.graph.facebook.com'],
  ['token of wrong type', { logins: { 'graph.facebook.com': 7 } }, 'logins.graph.facebook.com'],
  ['half a provider', { logins: { 'graph.facebook.com': { id: 'fb' } } }, 'logins.graph.facebook.com'],
  ['key too long', { logins: { ['k'.repeat(129)]: 't' } }, `logins.${'k'.repeat(129)}`],
  [
    'more than 10 logins',
    { logins: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 't'])) },
    'logins',
  ],
  ['allowGuest', { allowGuest: 'yes' }, 'allowGuest'],
  ['refresh window negative', { refreshWindowSeconds: -1 }, 'refreshWindowSeconds'],
  ['refresh window too long', { refreshWindowSeconds: 3600 }, 'refreshWindowSeconds'],
  ['refresh window NaN', { refreshWindowSeconds: Number.NaN }, 'refreshWindowSeconds'],
  ['refresh window a string', { refreshWindowSeconds: '300' }, 'refreshWindowSeconds'],
  ['persistCredentials', { persistCredentials: 1 }, 'persistCredentials'],
  ['customRoleArn short', { customRoleArn: 'arn:aws' }, 'customRoleArn'],
  ['customRoleArn not an ARN', { customRoleArn: 'x'.repeat(30) }, 'customRoleArn'],
  ['customRoleArn too long', { customRoleArn: `arn:${'x'.repeat(2045)}` }, 'customRoleArn'],
  ['accountId', { accountId: '12ab' }, 'accountId'],
  ['accountId of 16 digits', { accountId: '1'.repeat(16) }, 'accountId'],
  ['clock', { clock: Date }, 'clock'],
  ['retry not an object', { retry: 3 }, 'retry'],
  ['retry an array', { retry: [3] }, 'retry'],
  ['retry null', { retry: null }, 'retry'],
  ['retry attempts', { retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
  ['retry attempts over 10', { retry: { maxAttempts: 11 } }, 'retry.maxAttempts'],
  ['retry attempts fraction', { retry: { maxAttempts: 1.5 } }, 'retry.maxAttempts'],
  ['retry delay', { retry: { baseDelayMs: -5 } }, 'retry.baseDelayMs'],
  ['retry max delay infinite', { retry: { maxDelayMs: Number.POSITIVE_INFINITY } }, 'retry.maxDelayMs'],
  ['retry unknown key', { retry: { attempts: 3 } }, 'retry.attempts'],
  ['request timeout too short', { requestTimeoutMs: 99 }, 'requestTimeoutMs'],
  ['request timeout fraction', { requestTimeoutMs: 1000.5 }, 'requestTimeoutMs'],
  ['request timeout too long', { requestTimeoutMs: 300_001 }, 'requestTimeoutMs'],
  ['storageKeyPrefix', { storageKeyPrefix: 'has space' }, 'storageKeyPrefix'],
  ['storageKeyPrefix too long', { storageKeyPrefix: 'a'.repeat(65) }, 'storageKeyPrefix'],
  ['storageKeyPrefix empty', { storageKeyPrefix: '' }, 'storageKeyPrefix'],
  ['storage timeout 0', { storageTimeoutMs: 0 }, 'storageTimeoutMs'],
  ['storage timeout too long', { storageTimeoutMs: 600_001 }, 'storageTimeoutMs'],
  ['coordinateTabs', { coordinateTabs: 'no' }, 'coordinateTabs'],
  ['flow', { flow: 'classic' }, 'flow'],
  ['roleArn', { roleArn: 'role' }, 'roleArn'],
  ['unauthRoleArn', { unauthRoleArn: 5 }, 'unauthRoleArn'],
  ['authRoleArn', { authRoleArn: 'x'.repeat(30) }, 'authRoleArn'],
  ['inspect', { inspect: {} }, 'inspect'],
  ['unknown option (a typo)', { persistCredential: true }, 'persistCredential'],
];

const good: Array<[string, Record<string, unknown>]> = [
  ['the pool alone', {}],
  ['explicit undefined', { region: undefined, retry: undefined, logins: undefined }],
  [
    'every option',
    {
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4566',
      transport: { getId() {}, getCredentialsForIdentity() {} },
      storage: { getItem() {}, setItem() {}, removeItem() {} },
      logins: { 'graph.facebook.com': provider, 'accounts.google.com': 'token' },
      allowGuest: false,
      refreshWindowSeconds: 0,
      persistCredentials: true,
      customRoleArn: ARN,
      accountId: '123456789012',
      clock: { now: () => 0 },
      retry: { maxAttempts: 10, baseDelayMs: 0, maxDelayMs: 0 },
      requestTimeoutMs: 300_000,
      storageKeyPrefix: 'app.v2@x-y',
      storageTimeoutMs: 600_000,
      coordinateTabs: false,
      flow: 'basic',
      roleArn: ARN,
      inspect: { next() {} },
    },
  ],
];

const errorOf = (check: (input: object) => unknown, input: object): unknown => {
  try {
    check(input);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe.each([
  ['development (zod)', development],
  ['production (hand-written)', production],
])('options check, %s', (_build, check) => {
  it.each(bad)('%s → ConfigurationError naming the field', (_name, change, field) => {
    const error = errorOf(check, { identityPoolId: POOL, ...change });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ name: 'ConfigurationError', field });
    expect((error as Error).message).toMatch(/^Invalid option "[^"]+": \S/);
    expect((error as Error).message).not.toContain('x'.repeat(100));
  });

  it.each(good)('%s passes', (_name, change) => {
    const input = { identityPoolId: POOL, ...change };
    expect(errorOf(check, input)).toBeUndefined();
    expect(check(input)).toMatchObject(
      Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
    );
  });
});

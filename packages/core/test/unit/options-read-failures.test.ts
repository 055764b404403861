/**
 * `resolveOptions` (exported from the package) given options it cannot read — a throwing getter,
 * a Proxy trap that throws, at the top, in `retry` or `logins`, or in an object the checks look
 * into (a storage adapter, a login provider) — throws a `ConfigurationError` itself, not only
 * when `createIdentityPoolAuth` calls it. The error names the field that could not be read and
 * never quotes what the getter threw: that may hold a secret (a token).
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, createIdentityPoolAuth, resolveOptions } from '../../src/index.js';

const POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';
/** A JWT-shaped token, as an ID token a getter might quote in its error. */
const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTc5OTk5OTk5OX0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

const throwsSecret = () => {
  throw new Error(`could not refresh token ${JWT}`);
};
const getter = (target: object, key: string) =>
  Object.defineProperty(target, key, { enumerable: true, get: throwsSecret });

const unreadable: Array<[string, () => object, string]> = [
  [
    'a Proxy whose ownKeys throws',
    () => new Proxy({ identityPoolId: POOL }, { ownKeys: throwsSecret }),
    'options',
  ],
  [
    'a Proxy whose get throws',
    () => new Proxy({ identityPoolId: POOL }, { get: throwsSecret }),
    'identityPoolId',
  ],
  ['a throwing getter for identityPoolId', () => getter({}, 'identityPoolId'), 'identityPoolId'],
  ['a throwing getter for region', () => getter({ identityPoolId: POOL }, 'region'), 'region'],
  [
    'a throwing getter in retry',
    () => ({ identityPoolId: POOL, retry: getter({}, 'maxAttempts') }),
    'retry.maxAttempts',
  ],
  [
    'a throwing getter in logins',
    () => ({ identityPoolId: POOL, logins: getter({}, 'accounts.google.com') }),
    'logins.accounts.google.com',
  ],
  [
    'a Proxy for logins',
    () => ({ identityPoolId: POOL, logins: new Proxy({}, { ownKeys: throwsSecret }) }),
    'logins',
  ],
  [
    'a storage adapter whose getItem getter throws',
    () => ({
      identityPoolId: POOL,
      storage: getter({ setItem() {}, removeItem() {} }, 'getItem'),
    }),
    'options',
  ],
  [
    'a login provider whose loginsKey getter throws',
    () => ({
      identityPoolId: POOL,
      logins: { 'accounts.google.com': getter({ id: 'google', signIn() {} }, 'loginsKey') },
    }),
    'options',
  ],
];

/** What `call` threw. */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('options that cannot be read', () => {
  it.each(unreadable)(
    '%s: resolveOptions throws a ConfigurationError naming the field',
    (_name, make, field) => {
      const error = thrownBy(() => resolveOptions(make()));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).field).toBe(field);
    },
  );

  it.each(unreadable)('%s: the error never quotes what was thrown (a JWT)', (_name, make) => {
    for (const call of [() => resolveOptions(make()), () => createIdentityPoolAuth(make() as never)]) {
      const error = thrownBy(call) as ConfigurationError;
      expect(error).toBeInstanceOf(ConfigurationError);
      const emitted = [error.message, error.rule, error.field, String(error), JSON.stringify(error)].join(
        '\n',
      );
      expect(emitted).not.toContain(JWT);
      expect(emitted).not.toContain('could not refresh token');
    }
  });
});

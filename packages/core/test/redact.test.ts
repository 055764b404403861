/**
 * The redaction walker (`src/redact.ts`) on its own: any value, however hostile, comes back as a
 * copy with no secret in it, the walk never throws and stays bounded, and the library's own
 * errors keep their class and fields (the machine's recovery table reads them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  describeError,
  ExternalError,
  IdentityPoolError,
  NetworkError,
  LoginCancelledError as OwnLoginCancelledError,
  REDACTED,
  recoveryFor,
  redactValue,
  ServiceError,
} from '../src/index.js';
import { SessionSecrets, toLibraryError } from '../src/redact.js';
import { hostileShapes } from './support/hostile-shapes.js';
import { findSecrets } from './support/secret-scan.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const secrets = [SECRET, TOKEN];
const at = { source: 'transport', operation: 'GetId' } as const;

/** Strings that carry a secret, in the places and forms a plug-in might put it. */
const leaf = fc.oneof(
  fc.constantFrom(SECRET, TOKEN, encodeURIComponent(SECRET), `{"Logins":{"graph.facebook.com":"${TOKEN}"}}`),
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...secrets), fc.string({ maxLength: 8 }))
    .map((p) => p.join('')),
  fc.string({ maxLength: 12 }),
);
const hostileValue = fc
  .tuple(
    fc.anything({
      values: [leaf, fc.integer(), fc.boolean()],
      key: leaf,
      withNullPrototype: true,
      maxDepth: 4,
    }),
    fc.constantFrom(...Object.values(hostileShapes)),
    fc.constantFrom('bare', 'cause', 'errors', 'property'),
  )
  .map(([value, shape, wrap]) => {
    if (wrap === 'bare') return value;
    if (wrap === 'cause') return new Error('outer', { cause: { value, thrown: shape(secrets) } });
    if (wrap === 'errors') return new AggregateError([value, shape(secrets)], 'all failed');
    return Object.assign(new Error('with a property'), { value, thrown: shape(secrets) });
  });

describe('redactValue', () => {
  it('leaves no secret anywhere in the copy of any value, and never throws (fast-check)', () => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        const copy = redactValue(value, secrets);
        expect(findSecrets(copy, secrets)).toEqual([]);
        const error = toLibraryError(value, secrets, at);
        expect(error).toBeInstanceOf(IdentityPoolError);
        expect(findSecrets(error, secrets)).toEqual([]);
        expect(findSecrets(describeError(value, secrets), secrets)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a library error’s class and fields, so recovery still reads it', () => {
    const original = new ServiceError({
      code: 'NotAuthorizedException',
      message: `Invalid login token. Token expired: ${TOKEN}`,
      operation: 'GetCredentialsForIdentity',
      statusCode: 400,
      requestId: 'r-1',
    });
    const copy = redactValue(Object.freeze(original), secrets);
    expect(copy).not.toBe(original);
    expect(copy).toBeInstanceOf(ServiceError);
    expect(copy).toMatchObject({
      name: 'ServiceError',
      code: 'NotAuthorizedException',
      statusCode: 400,
      requestId: 'r-1',
    });
    expect(copy.serviceMessage).toBe(`Invalid login token. Token expired: ${REDACTED}`);
    expect(copy.message).toBe(
      `GetCredentialsForIdentity failed: NotAuthorizedException: Invalid login token. Token expired: ${REDACTED}`,
    );
    expect(recoveryFor(copy, { withLogins: true })).toBe('renewLogins');
    expect(toLibraryError(original, secrets, at)).toBeInstanceOf(ServiceError);
  });

  it('leaves a foreign subclass’s methods and getters behind', () => {
    class Leaky extends NetworkError {
      override toString() {
        return SECRET;
      }
      get detail() {
        return TOKEN;
      }
    }
    const copy = redactValue(new Leaky('GetId', 'reset'), secrets);
    expect(copy).toBeInstanceOf(NetworkError);
    expect(String(copy)).toBe('NetworkError: GetId failed: network error: reset');
    expect((copy as unknown as { detail?: string }).detail).toBeUndefined();
  });

  it('wraps what is not a library error: ExternalError (AbortError for an abort), the copy as cause', () => {
    const wrapped = toLibraryError(`refused ${TOKEN}`, secrets, at);
    expect(wrapped).toBeInstanceOf(ExternalError);
    expect(wrapped).toMatchObject({ name: 'ExternalError', source: 'transport', operation: 'GetId' });
    expect(wrapped.message).toBe(`refused ${REDACTED}`);
    expect(wrapped.cause).toBe(`refused ${REDACTED}`);
    const typeError = toLibraryError(new TypeError(`bad ${SECRET}`), secrets, at);
    expect(typeError.message).toBe(`bad ${REDACTED}`);
    expect(typeError.cause).toBeInstanceOf(TypeError);
    const aborted = toLibraryError(new DOMException('The operation was aborted', 'AbortError'), secrets, at);
    expect(aborted).toBeInstanceOf(AbortError);
  });

  it('keeps the class of an error from another copy of the library, by its name', () => {
    class LoginCancelledError extends Error {
      override name = 'LoginCancelledError';
    }
    const copy = toLibraryError(new LoginCancelledError(`closed ${TOKEN}`), secrets, at);
    expect(copy).toBeInstanceOf(OwnLoginCancelledError);
    expect(copy.message).toBe(`closed ${REDACTED}`);
  });

  it('survives revoked Proxies, throwing toString and Symbol.toPrimitive, and symbols', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const liar = {
      toString() {
        throw new Error(SECRET);
      },
      [Symbol.toPrimitive]() {
        throw new Error(SECRET);
      },
    };
    for (const value of [proxy, liar, Symbol(SECRET), () => SECRET]) {
      expect(() => redactValue(value, secrets)).not.toThrow();
      expect(findSecrets(describeError(value, secrets), secrets)).toEqual([]);
      expect(toLibraryError(value, secrets, at)).toBeInstanceOf(ExternalError);
    }
  });

  it('is bounded: a cause chain 10 000 deep, an object of 100 000 keys, a 1 MB string', () => {
    let deep: Error = new Error(SECRET);
    for (let i = 0; i < 10_000; i++) deep = new Error(`level ${i}`, { cause: deep });
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, SECRET]));
    const started = performance.now();
    const copies = [
      redactValue(deep, secrets),
      redactValue(wide, secrets),
      redactValue(SECRET.repeat(25_000), secrets),
    ];
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(findSecrets(copies, secrets)).toEqual([]);
    expect(Object.keys(copies[1] as object).length).toBeLessThanOrEqual(50);
    expect((copies[2] as string).length).toBeLessThan(10_000);
  });

  it('redacts a secret inside another longest first, URL-encoded forms, and JSON or XML secret fields it was not told of', () => {
    const redact = (text: string) => redactValue(text, [SECRET, SECRET.slice(0, 10)]);
    expect(redact(`a ${SECRET} b`)).toBe(`a ${REDACTED} b`);
    expect(redact(`q=${encodeURIComponent(SECRET)}`)).toBe(`q=${REDACTED}`);
    const record = JSON.stringify({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'unknown-secret',
      sessionToken: 'unknown-token',
    });
    expect(redactValue(`could not read ${record}`, [])).toBe(
      `could not read {"accessKeyId":"ASIA1","secretAccessKey":"${REDACTED}","sessionToken":"${REDACTED}"}`,
    );
    expect(redactValue(JSON.stringify({ quoted: record }), [])).not.toContain('unknown-');
    expect(
      redactValue('<Credentials><SecretAccessKey>k/+1</SecretAccessKey><SessionToken>t=</SessionToken>', []),
    ).toBe(
      `<Credentials><SecretAccessKey>${REDACTED}</SecretAccessKey><SessionToken>${REDACTED}</SessionToken>`,
    );
  });
});

describe('SessionSecrets', () => {
  it('remembers the 32 latest secrets of 4 characters or more, and forgets them all on demand', () => {
    const held = new SessionSecrets();
    held.add('abc', undefined, 42, ...Array.from({ length: 40 }, (_, i) => `secret-${i}`));
    expect([...held]).toHaveLength(32);
    expect([...held]).not.toContain('abc');
    expect([...held].at(-1)).toBe('secret-39');
    expect([...held]).not.toContain('secret-0');
    held.forget();
    expect([...held]).toEqual([]);
  });
});

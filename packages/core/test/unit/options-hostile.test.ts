/**
 * The development (zod) and production (hand-written) options checks, given hostile option
 * objects — Proxies, throwing getters, symbols, frozen objects, class instances, keys named like
 * Object.prototype's — as `resolveOptions` hands them over (`options-read.ts`): both agree, and
 * `createIdentityPoolAuth` refuses with a `ConfigurationError`, never a foreign error.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { createIdentityPoolAuth } from '../../src/index.js';
import { checkOptions as production } from '../../src/options-checks.js';
import { readOptionsObject } from '../../src/options-read.js';
import { checkOptions as development } from '../../src/options-schema.js';

const POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';

const throwing = (what: string) => () => {
  throw new Error(`hostile ${what}`);
};

class OptionsWithGetters {
  get identityPoolId() {
    return POOL;
  }
}
class OptionsWithFields {
  identityPoolId = POOL;
  region = 'us-east-1';
}

const hostile: Array<[string, () => object]> = [
  [
    'a Proxy whose every trap throws',
    () =>
      new Proxy(
        { identityPoolId: POOL },
        {
          get: throwing('get'),
          ownKeys: throwing('ownKeys'),
          getOwnPropertyDescriptor: throwing('descriptor'),
          has: throwing('has'),
        },
      ),
  ],
  ['a Proxy whose get throws', () => new Proxy({ identityPoolId: POOL }, { get: throwing('get') })],
  [
    'a Proxy whose ownKeys throws',
    () => new Proxy({ identityPoolId: POOL }, { ownKeys: throwing('ownKeys') }),
  ],
  [
    'a Proxy lying about its keys',
    () => new Proxy({ identityPoolId: POOL }, { ownKeys: () => ['identityPoolId', 'region'] }),
  ],
  [
    'a throwing getter for identityPoolId',
    () => Object.defineProperty({}, 'identityPoolId', { enumerable: true, get: throwing('getter') }),
  ],
  [
    'a throwing getter for region',
    () =>
      Object.defineProperty({ identityPoolId: POOL }, 'region', {
        enumerable: true,
        get: throwing('getter'),
      }),
  ],
  [
    'a throwing getter inside retry',
    () => ({
      identityPoolId: POOL,
      retry: Object.defineProperty({}, 'maxAttempts', { enumerable: true, get: throwing('getter') }),
    }),
  ],
  [
    'a throwing getter inside logins',
    () => ({
      identityPoolId: POOL,
      logins: Object.defineProperty({}, 'accounts.google.com', { enumerable: true, get: throwing('getter') }),
    }),
  ],
  [
    'a Proxy for logins',
    () => ({ identityPoolId: POOL, logins: new Proxy({}, { ownKeys: throwing('ownKeys') }) }),
  ],
  ['a symbol key', () => ({ identityPoolId: POOL, [Symbol('extra')]: 1 })],
  ['a frozen object', () => Object.freeze({ identityPoolId: POOL, region: 'us-east-1' })],
  ['a frozen object with a bad region', () => Object.freeze({ identityPoolId: POOL, region: 'BAD REGION' })],
  ['a class instance with fields', () => new OptionsWithFields()],
  ['a class instance with prototype getters', () => new OptionsWithGetters()],
  ['an object of a null prototype', () => Object.assign(Object.create(null), { identityPoolId: POOL })],
  ['an inherited identityPoolId', () => Object.create({ identityPoolId: POOL })],
  [
    'a non-enumerable bad region',
    () =>
      Object.defineProperty({ identityPoolId: POOL }, 'region', { value: 'BAD REGION', enumerable: false }),
  ],
  ['a JSON "__proto__" key', () => JSON.parse(`{"identityPoolId":"${POOL}","__proto__":{"region":"x"}}`)],
  ['a String object for identityPoolId', () => ({ identityPoolId: new String(POOL) })],
  ['a 1 MB identityPoolId', () => ({ identityPoolId: `us-east-1:${'0'.repeat(1 << 20)}` })],
];

type Outcome = { accepted: true } | { accepted: false; name: string; field?: string; isConfig: boolean };
const outcomeOf = (check: (input: object) => unknown, input: object): Outcome => {
  try {
    check(input);
    return { accepted: true };
  } catch (error) {
    return {
      accepted: false,
      name: (error as Error)?.name,
      field: (error as ConfigurationError)?.field,
      isConfig: error instanceof ConfigurationError,
    };
  }
};

const prototypeNamed: Array<[string, Record<string, unknown>, string]> = [
  ['hasOwnProperty', { hasOwnProperty: 'x' }, 'hasOwnProperty'],
  ['constructor', { constructor: 1 }, 'constructor'],
  ['toString', { toString: 'x' }, 'toString'],
  ['valueOf', { valueOf: 1 }, 'valueOf'],
  ['retry.constructor', { retry: { constructor: 1 } }, 'retry.constructor'],
  ['retry.hasOwnProperty', { retry: { hasOwnProperty: 1 } }, 'retry.hasOwnProperty'],
  ['a JSON "__proto__" key', JSON.parse('{"__proto__":{"region":"x"}}'), '__proto__'],
];

describe('options checks: keys named like Object.prototype’s are unknown options in both builds', () => {
  it.each(prototypeNamed)('%s', (_name, change, field) => {
    const input = readOptionsObject({ identityPoolId: POOL, ...change });
    for (const check of [development, production]) {
      expect(outcomeOf(check, input)).toEqual({
        accepted: false,
        name: 'ConfigurationError',
        field,
        isConfig: true,
      });
    }
  });
});

describe('options checks on hostile option objects', () => {
  it.each(hostile)('%s: both builds agree, a refusal is a ConfigurationError', (_name, make) => {
    // The public entry: whatever the object does, a working session or a ConfigurationError.
    const created = outcomeOf((input) => createIdentityPoolAuth(input as never).stop(), make());
    if (!created.accepted) expect(created).toMatchObject({ name: 'ConfigurationError', isConfig: true });
    if (!outcomeOf(readOptionsObject, make()).accepted) return; // unreadable: neither check runs
    const dev = outcomeOf(development, readOptionsObject(make()));
    const prod = outcomeOf(production, readOptionsObject(make()));
    expect(prod).toEqual(dev);
    if (!dev.accepted) expect(dev.isConfig).toBe(true);
  });
});

import { ServiceError } from '../../src/errors.js';

/**
 * Ways a transport, login provider or storage adapter can throw the secrets it holds: each puts
 * them somewhere a redaction of `message` and `stack` alone misses (or makes that redaction
 * crash). `secrets` are the strings to leak; every shape carries all of them.
 */
export const hostileShapes: Record<string, (secrets: readonly string[]) => unknown> = {
  'in cause': (secrets) =>
    new Error('the request failed', { cause: new Error(`upstream: ${secrets.join(' ')}`) }),
  'in a nested cause chain': (secrets) =>
    new Error('outer', {
      cause: new Error('middle', { cause: new TypeError('inner', { cause: { detail: [...secrets] } }) }),
    }),
  'in an own property': (secrets) =>
    Object.assign(new Error('bad request'), { request: { body: JSON.stringify({ quoted: secrets }) } }),
  'in AggregateError.errors': (secrets) =>
    new AggregateError([new Error(`first: ${secrets[0]}`), ...secrets], 'every attempt failed'),
  'as a thrown string': (secrets) => `refused: ${secrets.join(', ')}`,
  'as a plain object': (secrets) => ({ code: 'Refused', message: `refused ${secrets.join(' ')}`, secrets }),
  'with a throwing getter': (secrets) =>
    Object.defineProperties(new Error(`boom ${secrets.join(' ')}`), {
      detail: {
        enumerable: true,
        get() {
          throw new Error(secrets.join(' '));
        },
      },
      leaked: { enumerable: true, get: () => secrets.join(' ') },
    }),
  'with a cycle': (secrets) => {
    const error = new Error(`cyclic ${secrets.join(' ')}`) as Error & { self?: unknown };
    error.cause = error;
    error.self = { error, secrets };
    return error;
  },
  'frozen, as a library error': (secrets) =>
    Object.freeze(
      Object.assign(
        new ServiceError({
          code: 'ValidationException',
          message: `bad ${secrets.join(' ')}`,
          operation: 'GetId',
        }),
        { echoed: [...secrets] },
      ),
    ),
  'as a Proxy whose traps throw': (secrets) =>
    new Proxy(new Error(`proxied ${secrets.join(' ')}`), {
      ownKeys() {
        throw new Error(secrets.join(' '));
      },
      getPrototypeOf() {
        throw new Error(secrets.join(' '));
      },
    }),
  'with a lying toString': (secrets) =>
    Object.assign(Object.create({ toString: () => secrets.join(' ') }), { message: secrets.join(' ') }),
};

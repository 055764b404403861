/**
 * The hand-written checks of untrusted data (`shape.ts`): what storage and tab messages are held
 * to in every build, with no schema library in a production bundle.
 */
import { describe, expect, it } from 'vitest';
import * as is from '../../src/shape.js';

const record = is.object({
  v: is.literal(1, 2),
  id: is.string(10, /^[a-z]+$/),
  token: is.nonEmptyString(5),
  n: is.optional(is.integer(0)),
  flag: is.boolean,
  list: is.array(is.nonEmptyString(3), 2),
});
const good = { v: 2, id: 'abc', token: 'x', flag: false, list: ['a', 'bc'] };

describe('shape checks', () => {
  it('accepts a good value and rebuilds it from its known keys only', () => {
    expect(is.parse(record, { ...good, n: 0, extra: 'dropped' })).toEqual({ ...good, n: 0 });
    expect(is.parse(record, good)).not.toHaveProperty('n');
  });

  it.each([
    ['a version not listed', { v: 3 }],
    ['a string too long', { id: 'abcdefghijk' }],
    ['a string off its pattern', { id: 'ABC' }],
    ['an empty string where one is required', { token: '' }],
    ['a number where a string is expected', { token: 5 }],
    ['a negative integer', { n: -1 }],
    ['a fraction', { n: 1.5 }],
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['an unsafe integer', { n: 2 ** 53 }],
    ['a numeric string for a number', { n: '1' }],
    ['a string for a boolean', { flag: 'false' }],
    ['too many items', { list: ['a', 'b', 'c'] }],
    ['a bad item', { list: ['a', ''] }],
    ['an object for an array', { list: { 0: 'a', length: 1 } }],
    ['a missing required key', { flag: undefined }],
  ])('rejects %s', (_, change) => {
    expect(is.parse(record, { ...good, ...change })).toBeUndefined();
  });

  it.each([null, undefined, 'text', 42, [good]])('rejects %j for an object', (value) => {
    expect(is.parse(record, value)).toBeUndefined();
  });

  it('reads a hostile object (a throwing getter, a throwing Proxy) as unreadable, without throwing', () => {
    const getter = Object.defineProperty({ ...good }, 'id', {
      get() {
        throw new Error('boom');
      },
    });
    const proxy = new Proxy(good, {
      get() {
        throw new Error('boom');
      },
    });
    expect(is.parse(record, getter)).toBeUndefined();
    expect(is.parse(record, proxy)).toBeUndefined();
  });

  // Each value here was refused by the zod schemas shape.ts replaced (or by any reading of the
  // record's own data): a regression if shape.ts let it through.
  it('rejects an array with a hole (a structured-cloned message keeps holes; zod refused them)', () => {
    const holey: string[] = [];
    holey.length = 1;
    expect(is.parse(record, { ...good, list: holey })).toBeUndefined();
  });

  it('checks an array’s items itself, not through an own or inherited map() that lies', () => {
    const lying = Object.assign(['', 'toolong'], { map: () => ['a'] });
    class Lying extends Array<string> {
      override map = (() => ['a']) as never;
    }
    expect(is.parse(record, { ...good, list: lying })).toBeUndefined();
    expect(is.parse(record, { ...good, list: Lying.from(['', '']) })).toBeUndefined();
  });

  it('reads only a value’s own keys: a polluted or forged prototype adds nothing', () => {
    const forged = Object.assign(Object.create({ flag: true, n: 3 }), { ...good, flag: undefined });
    delete forged.flag;
    expect(is.parse(record, forged)).toBeUndefined();
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.n = 7;
    polluted.extraCheck = 'not a check';
    try {
      expect(is.parse(record, good)).toEqual(good);
    } finally {
      delete polluted.n;
      delete polluted.extraCheck;
    }
  });

  it('reads a JSON "__proto__" key as data, never as the prototype', () => {
    const value = JSON.parse('{"__proto__":{"flag":true},"v":2,"id":"abc","token":"x","list":[]}');
    expect(is.parse(record, value)).toBeUndefined();
    expect(is.parse(record, { ...value, flag: false })).toEqual({ ...good, list: [] });
  });
});

/**
 * A few hundred bytes of hand-written shape checks for untrusted data (storage values, tab
 * messages), used in every build: a browser production bundle then carries no schema library
 * (zod stays the validator of options in development builds and on servers, `options.ts`).
 * A check returns the value it accepted (objects rebuilt from their known keys only, as zod's
 * `z.object` strips the rest), or {@link INVALID}.
 */
export const INVALID: unique symbol = Symbol('invalid');

export type Check<T> = (value: unknown) => T | typeof INVALID;

/** A string of at most `max` characters (default: any), matching `pattern` when given. */
export const string =
  (max = Number.POSITIVE_INFINITY, pattern?: RegExp): Check<string> =>
  (value) =>
    typeof value === 'string' && value.length <= max && (!pattern || pattern.test(value)) ? value : INVALID;

/** A string of 1 to `max` characters. */
export const nonEmptyString = (max: number): Check<string> => string(max, /./s);

/** A safe integer from `min` to `max` (default: the largest safe integer). */
export const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check<number> =>
  (value) =>
    Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
      ? (value as number)
      : INVALID;

export const boolean: Check<boolean> = (value) => (typeof value === 'boolean' ? value : INVALID);

export const literal =
  <T extends number>(...values: T[]): Check<T> =>
  (value) =>
    values.includes(value as T) ? (value as T) : INVALID;

export const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (value) =>
    value === undefined ? undefined : check(value);

/** An array of at most `max` items, each passing `item`. */
export const array =
  <T>(item: Check<T>, max: number): Check<T[]> =>
  (value) => {
    if (!Array.isArray(value)) return INVALID;
    const length: number = value.length; // read once: a Proxy may answer differently each time
    if (length > max) return INVALID;
    // Index by index, not `value.map`: a value's own or inherited `map` could answer for it, and
    // `map` skips holes (a structured-cloned message keeps them), which would pass unchecked.
    const items: T[] = [];
    for (let i = 0; i < length; i++) {
      const checked = item(ownValue(value, String(i)));
      if (checked === INVALID) return INVALID;
      items.push(checked);
    }
    return items;
  };

/**
 * `value[key]` when it is the value's own: what JSON and structured clone produce. An inherited
 * one (a polluted `Object.prototype`, a forged prototype) is absent.
 */
const ownValue = (value: object, key: string): unknown =>
  Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;

/**
 * Sets `target[key]` as an own data property, whatever `key` is: an assignment of `"__proto__"`
 * would set the object's prototype instead of an entry (a key an untrusted message or record can
 * name). For every map this library builds from keys it did not choose.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The own enumerable fields of data (JSON, a structured clone) in an object of no prototype:
 * reading a field it lacks gives undefined, never one inherited from a polluted `Object.prototype`.
 */
export const ownFields = (value: object): Record<string, unknown> =>
  Object.assign(Object.create(null), value);

type Shape = Record<string, Check<unknown>>;
type Accepted<C> = C extends Check<infer T> ? T : never;
type OptionalKey<S extends Shape> = { [K in keyof S]: undefined extends Accepted<S[K]> ? K : never }[keyof S];
/** What `object(shape)` accepts: keys whose check takes undefined are optional. */
export type Checked<S extends Shape> = { [K in Exclude<keyof S, OptionalKey<S>>]: Accepted<S[K]> } & {
  [K in OptionalKey<S>]?: Accepted<S[K]>;
};

/** An object (not an array) whose own known keys pass their checks; other keys are dropped. */
export const object =
  <S extends Shape>(shape: S): Check<Checked<S>> =>
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return INVALID;
    const result: Record<string, unknown> = {};
    // Object.keys, not for…in: keys added to Object.prototype are no part of a shape.
    for (const key of Object.keys(shape)) {
      const checked = (shape[key] as Check<unknown>)(ownValue(value, key));
      if (checked === INVALID) return INVALID;
      if (checked !== undefined) setOwn(result, key, checked);
    }
    return result as Checked<S>;
  };

/** The value if `check` accepts it, else undefined (never throws). */
export const parse = <T>(check: Check<T>, value: unknown): T | undefined => {
  try {
    const checked = check(value);
    return checked === INVALID ? undefined : checked;
  } catch {
    return undefined; // a hostile object (a throwing getter, a Proxy) is as unreadable as garbage
  }
};

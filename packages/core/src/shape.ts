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

/** A safe integer ≥ `min`. */
export const integer =
  (min: number): Check<number> =>
  (value) =>
    Number.isSafeInteger(value) && (value as number) >= min ? (value as number) : INVALID;

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
    if (!Array.isArray(value) || value.length > max) return INVALID;
    const items = value.map(item);
    return items.includes(INVALID) ? INVALID : (items as T[]);
  };

type Shape = Record<string, Check<unknown>>;
type Accepted<C> = C extends Check<infer T> ? T : never;
type OptionalKey<S extends Shape> = { [K in keyof S]: undefined extends Accepted<S[K]> ? K : never }[keyof S];
/** What `object(shape)` accepts: keys whose check takes undefined are optional. */
export type Checked<S extends Shape> = { [K in Exclude<keyof S, OptionalKey<S>>]: Accepted<S[K]> } & {
  [K in OptionalKey<S>]?: Accepted<S[K]>;
};

/** An object (not an array) whose known keys pass their checks; other keys are dropped. */
export const object =
  <S extends Shape>(shape: S): Check<Checked<S>> =>
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return INVALID;
    const result: Record<string, unknown> = {};
    for (const key in shape) {
      const checked = (shape[key] as Check<unknown>)((value as Record<string, unknown>)[key]);
      if (checked === INVALID) return INVALID;
      if (checked !== undefined) result[key] = checked;
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

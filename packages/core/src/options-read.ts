/**
 * The options as both checks see them (`options-schema.ts` in development, `options-checks.ts`
 * in production): a plain copy of the object's own enumerable string keys, each read once, and
 * likewise of `retry` and of `logins` (its providers kept as they are). Both builds then judge
 * the same data: an inherited or non-enumerable option, a getter answering differently on each
 * read, or a Proxy cannot make a development build accept what production refuses.
 *
 * Reading may fail (a throwing getter, a Proxy trap): that is a `ConfigurationError` naming what
 * could not be read, and never quoting what was thrown — a getter's error may hold a token.
 */
import { ConfigurationError, isInstanceOf } from './errors.js';

const UNREADABLE = 'could not be read (a getter or Proxy trap threw)';

/** `read()`, whose failure is a `ConfigurationError` for `field` that quotes nothing of it. */
export function readingOption<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (isInstanceOf(error, ConfigurationError)) throw error;
    throw new ConfigurationError(field, UNREADABLE);
  }
}

/** Own enumerable string keys as data (`fromEntries` keeps a `"__proto__"` key a key). */
const copyOwn = (value: object, path: string, field: string): Record<string, unknown> =>
  Object.fromEntries(
    readingOption(field, () => Object.keys(value)).map((key) => [
      key,
      readingOption(path + key, () => (value as Record<string, unknown>)[key]),
    ]),
  );

/** The options object copied for checking. */
export function readOptionsObject(input: object): Record<string, unknown> {
  const options = copyOwn(input, '', 'options');
  for (const nested of ['retry', 'logins']) {
    const value = options[nested];
    // Array.isArray throws for a revoked Proxy.
    if (typeof value === 'object' && value !== null && !readingOption(nested, () => Array.isArray(value)))
      options[nested] = copyOwn(value, `${nested}.`, nested);
  }
  return options;
}

/**
 * The options as both checks see them (`options-schema.ts` in development, `options-checks.ts`
 * in production): a plain copy of the object's own enumerable string keys, each read once, and
 * likewise of `retry` and of `logins` (its providers kept as they are). Both builds then judge
 * the same data: an inherited or non-enumerable option, a getter answering differently on each
 * read, or a Proxy cannot make a development build accept what production refuses. A getter or
 * Proxy trap that throws here is turned into a `ConfigurationError` by `createIdentityPoolAuth`.
 */

/** Own enumerable string keys as data (`fromEntries` keeps a `"__proto__"` key a key). */
const copyOwn = (value: object): Record<string, unknown> =>
  Object.fromEntries(Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]));

/** The options object copied for checking. */
export function readOptionsObject(input: object): Record<string, unknown> {
  const options = copyOwn(input);
  for (const nested of ['retry', 'logins']) {
    const value = options[nested];
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      options[nested] = copyOwn(value);
  }
  return options;
}

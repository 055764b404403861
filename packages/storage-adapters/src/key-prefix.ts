import { StorageAdapterError } from './errors.js';

/** Ends every non-empty adapter prefix: the separator the core's own keys use. */
export const PREFIX_SEPARATOR = ':';

/**
 * The function putting an adapter's `prefix` before each key. A non-empty prefix that does not end
 * with `:` gets one, so prefixes never run into keys: `tenant` + `1x:…` is `tenant:1x:…`, never
 * `tenant1` + `x:…`. With that, no two (prefix, core key) pairs name one stored key: a core key is
 * `<storageKeyPrefix>:v1:<region>:<guid>:<name>` with no `:` inside its parts, so the last five
 * `:`-separated parts of a stored key are the core's and everything before them is the prefix.
 */
export function keyPrefixer(adapter: string, prefix: string | undefined): (key: string) => string {
  if (prefix === undefined || prefix === '') return (key) => key;
  if (typeof prefix !== 'string') throw new StorageAdapterError(adapter, 'prefix must be a string');
  const full = prefix.endsWith(PREFIX_SEPARATOR) ? prefix : `${prefix}${PREFIX_SEPARATOR}`;
  return (key) => full + key;
}

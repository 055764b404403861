/**
 * Reading what `createIdentityPoolAuth` is given: its options, and the configured `logins` as the
 * machine's login entries.
 */
import { ConfigurationError, isInstanceOf } from './errors.js';
import { type IdentityPoolAuthOptions, resolveOptions } from './options.js';
import { describeError } from './redact.js';
import type { LoginEntry } from './session.js';
import type { LoginProvider } from './types.js';

/** `resolveOptions`, where reading the object itself failing (a throwing getter, a Proxy) is a ConfigurationError too. */
export function readOptions(options: IdentityPoolAuthOptions) {
  try {
    return resolveOptions(options);
  } catch (error) {
    if (isInstanceOf(error, ConfigurationError)) throw error;
    throw new ConfigurationError('options', `could not be read (${describeError(error).slice(0, 200)})`);
  }
}

export function loginEntries(logins: Record<string, string | LoginProvider>): Record<string, LoginEntry> {
  return Object.fromEntries(
    Object.entries(logins).map(([key, value]) => [
      key,
      typeof value === 'string' ? { token: value } : { provider: value },
    ]),
  );
}

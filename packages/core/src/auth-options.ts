/** The configured `logins` as the machine's login entries (`resolveOptions` reads the options). */
import type { LoginEntry } from './session.js';
import type { LoginProvider } from './types.js';

export function loginEntries(logins: Record<string, string | LoginProvider>): Record<string, LoginEntry> {
  return Object.fromEntries(
    Object.entries(logins).map(([key, value]) => [
      key,
      typeof value === 'string' ? { token: value } : { provider: value },
    ]),
  );
}

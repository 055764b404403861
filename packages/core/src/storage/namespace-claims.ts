/**
 * One live session per storage namespace in a process. Two sessions of one pool on one storage
 * under one key prefix would each keep an identity of their own and overwrite the other's in
 * storage; a sign-out record does not help them (they would take turns undoing each other's
 * identity). Tabs coordinate through the lock manager instead (`tabs.ts`); sessions on their own
 * claim the namespace here, and a second claim is refused until the first session is stopped.
 *
 * The claims are keyed by the adapter object (weakly: an adapter nobody holds is forgotten with
 * its claims) and hold no user data. Separate adapter objects over one backing store (two
 * `redisStorage` objects on one client and prefix) cannot be told apart here; between them, as
 * between processes, the sign-out record keeps sign-outs shared (`sign-out-record.ts`).
 */
import { ConfigurationError } from '../errors.js';

const claims = new WeakMap<object, Set<string>>();

/**
 * Claims `prefix` + `identityPoolId` on `adapter` for a session; returns the release.
 * @throws ConfigurationError when a live session of this process holds the same claim.
 */
export function claimNamespace(adapter: object, prefix: string, identityPoolId: string): () => void {
  const namespace = `${prefix}\u0000${identityPoolId}`;
  const held = claims.get(adapter) ?? new Set<string>();
  if (held.has(namespace)) {
    throw new ConfigurationError(
      'storage',
      `is in use by a live session of pool "${identityPoolId}" under storageKeyPrefix "${prefix}": stop() it first, or use another storageKeyPrefix`,
    );
  }
  held.add(namespace);
  claims.set(adapter, held);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(namespace);
  };
}

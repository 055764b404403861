/**
 * One live session per storage namespace in a process. Two sessions of one pool on one storage
 * under one key prefix would each keep an identity of their own and overwrite the other's in
 * storage; a sign-out record does not help them (they would take turns undoing each other's
 * identity). Tabs coordinate through the lock manager instead (`tabs.ts`) and share a claim here;
 * a session on its own claims the namespace alone, and a second claim — by any session, a
 * coordinating tab too — is refused until the first session is stopped.
 *
 * The claims are keyed by the adapter object (weakly: an adapter nobody holds is forgotten with
 * its claims) and hold no user data. Separate adapter objects over one backing store (two
 * `redisStorage` objects on one client and prefix) cannot be told apart here; between them, as
 * between processes, the sign-out record keeps sign-outs shared (`sign-out-record.ts`).
 */
import { ConfigurationError } from '../errors.js';

/** How the claiming session shares the namespace: coordinating tabs share it, a session on its own does not. */
export type ClaimMode = 'single' | 'tabs';

/** Per adapter object: the live claims on each namespace, by mode. */
const claims = new WeakMap<object, Map<string, { mode: ClaimMode; count: number }>>();

/**
 * Claims `prefix` + `identityPoolId` on `adapter` for a session; returns the release. Coordinating
 * tabs share a claim (they agree through the lock manager); a session on its own shares it with
 * nobody — not with a coordinating tab either, which neither hears its sign-outs (it writes the
 * storage's sign-out record, which tabs do not read) nor tells it of its own (on the channel).
 * @throws ConfigurationError when a live session of this process holds a claim that clashes.
 */
export function claimNamespace(
  adapter: object,
  prefix: string,
  identityPoolId: string,
  mode: ClaimMode = 'single',
): () => void {
  const namespace = `${prefix}\u0000${identityPoolId}`;
  const held = claims.get(adapter) ?? new Map<string, { mode: ClaimMode; count: number }>();
  const claim = held.get(namespace);
  if (claim && (claim.mode === 'single' || mode === 'single')) {
    const other =
      claim.mode === mode ? '' : ` (one ${claim.mode === 'tabs' ? 'coordinating tabs' : 'on its own'})`;
    throw new ConfigurationError(
      'storage',
      `is in use by a live session${other} of pool "${identityPoolId}" under storageKeyPrefix "${prefix}": stop() it first, or use another storageKeyPrefix`,
    );
  }
  const mine = claim ?? { mode, count: 0 };
  mine.count++;
  held.set(namespace, mine);
  claims.set(adapter, held);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    mine.count--;
    if (mine.count === 0 && held.get(namespace) === mine) held.delete(namespace);
  };
}

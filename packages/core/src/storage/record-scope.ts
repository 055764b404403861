import type { IdentityPoolCredentials } from '../types.js';

/**
 * What a stored record belongs to. Storage is untrusted input: another pool's or another
 * region's records can be planted under this pool's keys (a shared Redis, a copied profile), so
 * every record names its pool and region and is used only by a session of that pool and region.
 */
export interface RecordScope {
  identityPoolId: string;
  /** The session's region (the `region` option, by default the pool ID's prefix). */
  region: string;
}

/** The region an identity or pool ID names: its prefix, `us-east-1` in `us-east-1:<guid>`. */
export const regionOf = (id: string): string => id.slice(0, id.indexOf(':'));

/**
 * Why a record is not this scope's, or undefined when it is. `pool`/`region` are absent in
 * records of schema version 1 (before records named their scope); those are judged by their
 * identity ID alone, which must still name the pool's region.
 */
export function foreignReason(
  record: { identityId: string; pool?: string | undefined; region?: string | undefined },
  scope: RecordScope,
): string | undefined {
  if (record.pool !== undefined && record.pool !== scope.identityPoolId)
    return 'it belongs to another identity pool';
  if (record.region !== undefined && record.region !== scope.region) return 'it belongs to another region';
  if (regionOf(record.identityId) !== regionOf(scope.identityPoolId))
    return "its identity ID is not of the pool's region";
  return undefined;
}

/** The longest the service issues credentials for (STS's ceiling); Cognito issues one hour. */
export const MAX_CREDENTIAL_TRUST_MS = 12 * 3_600_000;

/**
 * When stored credentials stop being trusted: their own expiry, but no later than the service
 * could have issued them for from now — a planted or corrupted expiry ten days ahead is not
 * served for ten days (nor does it overflow a timer).
 */
export const trustedUntil = (expiration: number, now: number): number =>
  Math.min(expiration, now + MAX_CREDENTIAL_TRUST_MS);

/**
 * Credentials from untrusted input (storage, another tab's message) as they are served: the same
 * object when their expiry is trusted, else a copy expiring at {@link trustedUntil}.
 */
export function trustedCredentials(
  credentials: IdentityPoolCredentials,
  now: number,
): IdentityPoolCredentials {
  const expiration = credentials.expiration.getTime();
  const until = trustedUntil(expiration, now);
  return until === expiration ? credentials : Object.freeze({ ...credentials, expiration: new Date(until) });
}

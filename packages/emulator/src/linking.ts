/**
 * How logins attach to identities: linking a login to an identity, and merging identities when
 * logins that belong to different identities meet in one request (research doc §3.3–3.4).
 */
import { ServiceError } from './errors.js';
import { type IdentityRecord, type IdentityStore, maxLinkedLogins } from './identity-store.js';
import type { VerifiedLogin } from './logins.js';
import { messages } from './messages.js';
import type { PoolInfo } from './types.js';

function distinctOwners(store: IdentityStore, pool: PoolInfo, logins: VerifiedLogin[]): IdentityRecord[] {
  const owners: IdentityRecord[] = [];
  for (const login of logins) {
    const owner = store.ownerOf(pool.identityPoolId, login.providerName, login.subject);
    if (owner && !owners.includes(owner)) owners.push(owner);
  }
  const disabledOwner = owners.find((owner) => owner.status !== 'active');
  if (disabledOwner) {
    throw new ServiceError('NotAuthorizedException', messages.identityForbidden(disabledOwner.identityId));
  }
  return owners;
}

/**
 * Makes `target` own `logins` and everything `losers` own; each loser is disabled with
 * `mergedInto` set. Checks first, then changes the store, so a refused request changes nothing:
 * two different subjects of one provider → `ResourceConflictException`; more than 20 linked
 * logins → `LimitExceededException`.
 */
function consolidate(
  store: IdentityStore,
  target: IdentityRecord,
  losers: IdentityRecord[],
  logins: VerifiedLogin[],
): void {
  const resulting = new Map(target.logins);
  const add = (providerName: string, subject: string): void => {
    const existing = resulting.get(providerName);
    if (existing !== undefined && existing !== subject) {
      throw new ServiceError('ResourceConflictException', messages.loginConflict(providerName));
    }
    resulting.set(providerName, subject);
  };
  for (const loser of losers) for (const [providerName, subject] of loser.logins) add(providerName, subject);
  for (const login of logins) add(login.providerName, login.subject);
  if (resulting.size > maxLinkedLogins) {
    throw new ServiceError('LimitExceededException', messages.tooManyLogins(maxLinkedLogins));
  }

  for (const loser of losers) store.merge(loser, target);
  for (const { providerName, subject } of logins) {
    if (target.logins.get(providerName) !== subject) store.link(target, providerName, subject);
  }
}

/**
 * GetId with logins: the identity that owns any of the logins (other owners are merged into the
 * first one), else a new authenticated identity linked to all of them.
 */
export function identityForLogins(
  store: IdentityStore,
  pool: PoolInfo,
  logins: VerifiedLogin[],
): IdentityRecord {
  const owners = distinctOwners(store, pool, logins);
  const [firstOwner, ...otherOwners] = owners;
  if (!firstOwner) {
    const identity = store.createIdentity(pool.identityPoolId);
    consolidate(store, identity, [], logins);
    return identity;
  }
  consolidate(store, firstOwner, otherOwners, logins);
  return firstOwner;
}

/**
 * The identity a GetCredentialsForIdentity / GetOpenIdToken call acts as, for an active
 * `identity` presenting `logins`:
 * - no logins: a guest (if the pool allows guests); an authenticated identity gets "Logins don't match";
 * - a login it owns: itself, absorbing identities that own the other logins;
 * - a guest presenting a login another identity owns: merged into that owner, whose ID is returned;
 * - an authenticated identity presenting only other identities' logins: "Logins don't match";
 * - logins nobody owns: linked to it (a guest becomes authenticated, the ID stays).
 */
export function actingIdentity(
  store: IdentityStore,
  pool: PoolInfo,
  identity: IdentityRecord,
  logins: VerifiedLogin[],
): IdentityRecord {
  if (logins.length === 0) {
    if (identity.authenticated) throw new ServiceError('NotAuthorizedException', messages.loginsDontMatch);
    if (!pool.allowUnauthenticatedIdentities) {
      throw new ServiceError('NotAuthorizedException', messages.unauthenticatedNotSupported);
    }
    return identity;
  }
  const owners = distinctOwners(store, pool, logins);
  if (owners.includes(identity)) {
    consolidate(
      store,
      identity,
      owners.filter((owner) => owner !== identity),
      logins,
    );
    return identity;
  }
  const [firstOwner, ...otherOwners] = owners;
  if (!firstOwner) {
    consolidate(store, identity, [], logins);
    return identity;
  }
  if (identity.authenticated) throw new ServiceError('NotAuthorizedException', messages.loginsDontMatch);
  consolidate(store, firstOwner, [...otherOwners, identity], logins);
  return firstOwner;
}

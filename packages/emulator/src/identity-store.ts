import { randomUUID } from 'node:crypto';
import type { IdentityInfo, IdentityStatus, PoolInfo, PoolOptions, PoolRoles } from './types.js';
import { regionGuidPattern } from './validation.js';

/** The AWS account every emulated pool belongs to. */
export const emulatorAccountId = '123456789012';

/** The roles a pool gets unless told otherwise. */
export const defaultRoles: Readonly<Required<PoolRoles>> = {
  authenticated: `arn:aws:iam::${emulatorAccountId}:role/Cognito_EmulatorAuth_Role`,
  unauthenticated: `arn:aws:iam::${emulatorAccountId}:role/Cognito_EmulatorUnauth_Role`,
};

/** The login providers a pool supports unless told otherwise, each accepting any audience. */
export const defaultLoginProviders: Readonly<Record<string, string>> = {
  'graph.facebook.com': '*',
  'accounts.google.com': '*',
  'www.amazon.com': '*',
  'appleid.apple.com': '*',
};

/** A pool's maximum number of linked logins per identity. */
export const maxLinkedLogins = 20;

/** An identity as the store holds it (mutable; hand out {@link IdentityInfo} snapshots instead). */
export interface IdentityRecord {
  readonly identityId: string;
  readonly identityPoolId: string;
  status: IdentityStatus;
  authenticated: boolean;
  /** Provider name → subject. */
  readonly logins: Map<string, string>;
  mergedInto?: string;
  readonly createdAt: number;
  lastModifiedAt: number;
}

/** Thrown by the admin surface for an unknown pool or identity. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

const poolIdRegex = new RegExp(`^(?:${regionGuidPattern})$`);

/** The region prefix of a pool or identity ID. */
export function regionOf(id: string): string {
  return id.slice(0, id.indexOf(':'));
}

function loginKey(identityPoolId: string, providerName: string, subject: string): string {
  return JSON.stringify([identityPoolId, providerName, subject]);
}

function copyRoles(roles: PoolRoles | false): PoolRoles | false {
  return roles === false ? false : { ...roles };
}

/**
 * The emulator's state: identity pools, identities and the login index
 * `(pool, provider, subject) → identity` that drives GetId, linking and merging.
 * Pure bookkeeping: the service rules live in the operations.
 */
export class IdentityStore {
  readonly #pools = new Map<string, PoolInfo>();
  readonly #identities = new Map<string, IdentityRecord>();
  readonly #loginOwners = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private readonly defaultRegion: string,
  ) {}

  /** Creates a pool; throws on a malformed or duplicate pool ID. */
  createPool(options: PoolOptions = {}): PoolInfo {
    const identityPoolId = options.identityPoolId ?? `${this.defaultRegion}:${randomUUID()}`;
    if (identityPoolId.length > 55 || !poolIdRegex.test(identityPoolId)) {
      throw new Error(
        `Invalid identity pool ID '${identityPoolId}': expected <region>:<guid> (lowercase hex)`,
      );
    }
    if (this.#pools.has(identityPoolId)) throw new Error(`Identity pool '${identityPoolId}' already exists`);
    const pool: PoolInfo = {
      identityPoolId,
      region: regionOf(identityPoolId),
      allowUnauthenticatedIdentities: options.allowUnauthenticatedIdentities ?? true,
      supportedLoginProviders: { ...(options.supportedLoginProviders ?? defaultLoginProviders) },
      roles: copyRoles(options.roles ?? defaultRoles),
    };
    if (options.allowClassicFlow !== undefined) pool.allowClassicFlow = options.allowClassicFlow;
    if (options.developerProviderName !== undefined)
      pool.developerProviderName = options.developerProviderName;
    if (options.trustedRoleArns !== undefined) pool.trustedRoleArns = [...options.trustedRoleArns];
    this.#pools.set(identityPoolId, pool);
    return snapshotPool(pool);
  }

  /** Changes a pool's settings; a member present with `undefined` resets it to its default. */
  updatePool(identityPoolId: string, patch: Partial<PoolOptions>): PoolInfo {
    const pool = this.#requirePool(identityPoolId);
    if (patch.identityPoolId !== undefined && patch.identityPoolId !== identityPoolId) {
      throw new Error('updatePool: the identity pool ID cannot change');
    }
    if ('allowUnauthenticatedIdentities' in patch) {
      pool.allowUnauthenticatedIdentities = patch.allowUnauthenticatedIdentities ?? true;
    }
    if ('supportedLoginProviders' in patch) {
      pool.supportedLoginProviders = { ...(patch.supportedLoginProviders ?? defaultLoginProviders) };
    }
    if ('roles' in patch) pool.roles = copyRoles(patch.roles ?? defaultRoles);
    if ('allowClassicFlow' in patch) {
      if (patch.allowClassicFlow === undefined) delete pool.allowClassicFlow;
      else pool.allowClassicFlow = patch.allowClassicFlow;
    }
    if ('developerProviderName' in patch) {
      if (patch.developerProviderName === undefined) delete pool.developerProviderName;
      else pool.developerProviderName = patch.developerProviderName;
    }
    if ('trustedRoleArns' in patch) {
      if (patch.trustedRoleArns === undefined) delete pool.trustedRoleArns;
      else pool.trustedRoleArns = [...patch.trustedRoleArns];
    }
    return snapshotPool(pool);
  }

  /** Deletes a pool; its identities become `deleted` and their logins are forgotten. */
  deletePool(identityPoolId: string): void {
    this.#requirePool(identityPoolId);
    for (const identity of this.#identities.values()) {
      if (identity.identityPoolId === identityPoolId) this.delete(identity);
    }
    this.#pools.delete(identityPoolId);
  }

  /** The live pool record (mutating it changes the pool). */
  pool(identityPoolId: string): PoolInfo | undefined {
    return this.#pools.get(identityPoolId);
  }

  pools(): PoolInfo[] {
    return [...this.#pools.values()].map(snapshotPool);
  }

  identity(identityId: string): IdentityRecord | undefined {
    return this.#identities.get(identityId);
  }

  identities(identityPoolId?: string): IdentityRecord[] {
    const all = [...this.#identities.values()];
    return identityPoolId === undefined
      ? all
      : all.filter((identity) => identity.identityPoolId === identityPoolId);
  }

  /** Creates an active identity without logins (a guest until a login is linked). */
  createIdentity(identityPoolId: string): IdentityRecord {
    const pool = this.#requirePool(identityPoolId);
    const now = this.now();
    const identity: IdentityRecord = {
      identityId: `${pool.region}:${randomUUID()}`,
      identityPoolId,
      status: 'active',
      authenticated: false,
      logins: new Map(),
      createdAt: now,
      lastModifiedAt: now,
    };
    this.#identities.set(identity.identityId, identity);
    return identity;
  }

  /** The identity a login belongs to in a pool, if any. */
  ownerOf(identityPoolId: string, providerName: string, subject: string): IdentityRecord | undefined {
    const owner = this.#loginOwners.get(loginKey(identityPoolId, providerName, subject));
    return owner === undefined ? undefined : this.#identities.get(owner);
  }

  /** Links a login to an identity, which becomes authenticated. The caller checks conflicts. */
  link(identity: IdentityRecord, providerName: string, subject: string): void {
    identity.logins.set(providerName, subject);
    identity.authenticated = true;
    identity.lastModifiedAt = this.now();
    this.#loginOwners.set(loginKey(identity.identityPoolId, providerName, subject), identity.identityId);
  }

  /** Removes a provider's login from an identity (it stays authenticated). */
  unlink(identity: IdentityRecord, providerName: string): void {
    const subject = identity.logins.get(providerName);
    if (subject === undefined) return;
    identity.logins.delete(providerName);
    identity.lastModifiedAt = this.now();
    this.#loginOwners.delete(loginKey(identity.identityPoolId, providerName, subject));
  }

  /** Moves every login of `loser` to `winner` and disables `loser`, remembering where it went. */
  merge(loser: IdentityRecord, winner: IdentityRecord): void {
    for (const [providerName, subject] of [...loser.logins]) {
      this.unlink(loser, providerName);
      this.link(winner, providerName, subject);
    }
    loser.mergedInto = winner.identityId;
    this.disable(loser);
  }

  disable(identity: IdentityRecord): void {
    if (identity.status === 'deleted') return;
    identity.status = 'disabled';
    identity.lastModifiedAt = this.now();
  }

  /** Marks an identity deleted and forgets its logins (they are new users next time they are seen). */
  delete(identity: IdentityRecord): void {
    for (const [providerName, subject] of identity.logins) {
      this.#loginOwners.delete(loginKey(identity.identityPoolId, providerName, subject));
    }
    identity.status = 'deleted';
    identity.lastModifiedAt = this.now();
  }

  #requirePool(identityPoolId: string): PoolInfo {
    const pool = this.#pools.get(identityPoolId);
    if (!pool) throw new NotFoundError(`IdentityPool '${identityPoolId}' not found.`);
    return pool;
  }
}

/** A deep copy of a pool, safe to hand out. */
export function snapshotPool(pool: PoolInfo): PoolInfo {
  const snapshot: PoolInfo = {
    ...pool,
    supportedLoginProviders: { ...pool.supportedLoginProviders },
    roles: copyRoles(pool.roles),
  };
  if (pool.trustedRoleArns) snapshot.trustedRoleArns = [...pool.trustedRoleArns];
  return snapshot;
}

/** A plain snapshot of an identity, safe to hand out. */
export function snapshotIdentity(identity: IdentityRecord): IdentityInfo {
  const info: IdentityInfo = {
    identityId: identity.identityId,
    identityPoolId: identity.identityPoolId,
    status: identity.status,
    authenticated: identity.authenticated,
    logins: Object.fromEntries(identity.logins),
    createdAt: identity.createdAt,
    lastModifiedAt: identity.lastModifiedAt,
  };
  if (identity.mergedInto !== undefined) info.mergedInto = identity.mergedInto;
  return info;
}

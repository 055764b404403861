import { ServiceError } from '../errors.js';
import type { IdentityRecord, IdentityStore } from '../identity-store.js';
import type { JsonObject } from '../jwt.js';
import type { TokenVerifier } from '../logins.js';
import { messages } from '../messages.js';
import type { OpenIdTokenSigner } from '../openid-token.js';
import type { DeveloperCredentials } from '../sigv4.js';
import type { PoolInfo } from '../types.js';
import { type InputOf, type InputShape, regionGuidPattern, validateInput } from '../validation.js';

/** What an operation works with. */
export interface ServiceContext {
  readonly store: IdentityStore;
  /** The service clock, epoch ms (base clock + offset). */
  now(): number;
  readonly verifyToken: TokenVerifier;
  readonly openIdSigner: OpenIdTokenSigner;
  readonly credentialsTtlSeconds: number;
  /** The access keys SigV4-verified operations accept signatures from. */
  readonly developerCredentials: readonly DeveloperCredentials[];
}

/**
 * How callers must authenticate: the public operations accept unsigned requests; `'sigv4'` needs
 * an `Authorization` header (not verified); `'sigv4-verified'` needs a valid SigV4 signature by the
 * emulator's developer credentials.
 */
export type OperationAuth = 'none' | 'sigv4' | 'sigv4-verified';

/** An operation as written: its input shape and its behaviour on validated input. */
export interface OperationDefinition<S extends InputShape> {
  readonly auth: OperationAuth;
  readonly input: S;
  run(context: ServiceContext, input: InputOf<S>): JsonObject;
}

/** An operation ready to dispatch: validates the raw body, then runs. */
export interface Operation {
  readonly auth: OperationAuth;
  invoke(context: ServiceContext, body: JsonObject): JsonObject;
}

/** Turns a definition into a dispatchable {@link Operation}. */
export function defineOperation<const S extends InputShape>(definition: OperationDefinition<S>): Operation {
  return {
    auth: definition.auth,
    invoke: (context, body) => definition.run(context, validateInput(definition.input, body)),
  };
}

/** Model constraints shared by the operations. */
export const rules = {
  identityPoolId: { type: 'string', required: true, min: 1, max: 55, pattern: regionGuidPattern },
  identityId: { type: 'string', required: true, min: 1, max: 55, pattern: regionGuidPattern },
  accountId: { type: 'string', min: 1, max: 15, pattern: '\\d+' },
  logins: { type: 'map', maxEntries: 10, key: { min: 1, max: 128 }, value: { min: 1, max: 50000 } },
  providerNames: { type: 'list', item: { min: 1, max: 128 } },
  roleArn: { type: 'string', min: 20, max: 2048 },
  principalTags: { type: 'map', maxEntries: 50, key: { min: 1, max: 128 }, value: { min: 1, max: 256 } },
  tokenDuration: { type: 'long', min: 1, max: 86400 },
} as const;

/** The pool, or `ResourceNotFoundException "IdentityPool '<id>' not found."`. */
export function requirePool(context: ServiceContext, identityPoolId: string): PoolInfo {
  const pool = context.store.pool(identityPoolId);
  if (!pool) throw new ServiceError('ResourceNotFoundException', messages.poolNotFound(identityPoolId));
  return pool;
}

/** An identity that exists (it may be disabled) and its pool, or "Identity '<id>' not found.". */
export function requireIdentity(
  context: ServiceContext,
  identityId: string,
): { identity: IdentityRecord; pool: PoolInfo } {
  const identity = context.store.identity(identityId);
  const pool = identity && context.store.pool(identity.identityPoolId);
  if (!identity || !pool || identity.status === 'deleted') {
    throw new ServiceError('ResourceNotFoundException', messages.identityNotFound(identityId));
  }
  return { identity, pool };
}

/** As {@link requireIdentity}, and refuses a disabled identity: "Access to Identity '<id>' is forbidden.". */
export function requireActiveIdentity(
  context: ServiceContext,
  identityId: string,
): { identity: IdentityRecord; pool: PoolInfo } {
  const found = requireIdentity(context, identityId);
  if (found.identity.status !== 'active') {
    throw new ServiceError('NotAuthorizedException', messages.identityForbidden(identityId));
  }
  return found;
}

import { cognitoIdentityProviderName } from '../cognito-login.js';
import { ServiceError } from '../errors.js';
import { emulatorAccountId, type IdentityRecord } from '../identity-store.js';
import { actingIdentity } from '../linking.js';
import { type VerifiedLogin, verifyLogins } from '../logins.js';
import { messages } from '../messages.js';
import type { PoolInfo } from '../types.js';
import { defineOperation, requireActiveIdentity, rules, type ServiceContext } from './operation.js';

/** Lifetime of the tokens GetOpenIdToken returns: 10 minutes. */
export const openIdTokenLifetimeSeconds = 600;

/**
 * GetOpenIdToken (the basic flow's first step): the same identity and login rules as
 * GetCredentialsForIdentity, refused when the pool sets `allowClassicFlow: false`; returns an
 * RS512 JWT for the identity.
 */
export const getOpenIdToken = defineOperation({
  auth: 'none',
  input: { IdentityId: rules.identityId, Logins: rules.logins },
  run(context, input) {
    const { identity, pool } = requireActiveIdentity(context, input.IdentityId);
    if (pool.allowClassicFlow === false) {
      throw new ServiceError('InvalidParameterException', messages.classicFlowDisabled);
    }
    if (input.Logins && Object.hasOwn(input.Logins, cognitoIdentityProviderName)) {
      throw new ServiceError('NotAuthorizedException', messages.cognitoTokenNotAllowed);
    }
    const now = context.now();
    const logins = verifyLogins(pool, input.Logins, context.verifyToken, now);
    const acting = actingIdentity(context.store, pool, identity, logins);
    const token = signOpenIdToken(context, pool, acting, logins, now, openIdTokenLifetimeSeconds);
    return { IdentityId: acting.identityId, Token: token };
  },
});

/**
 * Signs the OpenID token of `identity`: `amr` is `['unauthenticated']` for a guest, else
 * `['authenticated', <provider>, '<provider>:<audience>:<subject>', …]` for each presented login.
 */
export function signOpenIdToken(
  context: ServiceContext,
  pool: PoolInfo,
  identity: IdentityRecord,
  logins: readonly VerifiedLogin[],
  now: number,
  lifetimeSeconds: number,
): string {
  const amr = identity.authenticated
    ? [
        'authenticated',
        ...logins.flatMap((login) => [
          login.providerName,
          `${login.providerName}:${login.audience}:${login.subject}`,
        ]),
      ]
    : ['unauthenticated'];
  return context.openIdSigner.sign({
    region: pool.region,
    identityId: identity.identityId,
    identityPoolId: pool.identityPoolId,
    accountId: emulatorAccountId,
    amr,
    now,
    lifetimeSeconds,
  });
}

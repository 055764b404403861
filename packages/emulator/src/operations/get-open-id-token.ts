import { ServiceError } from '../errors.js';
import { emulatorAccountId } from '../identity-store.js';
import { actingIdentity } from '../linking.js';
import { verifyLogins } from '../logins.js';
import { messages } from '../messages.js';
import { defineOperation, requireActiveIdentity, rules } from './operation.js';

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
    const now = context.now();
    const logins = verifyLogins(pool, input.Logins, context.verifyToken, now);
    const acting = actingIdentity(context.store, pool, identity, logins);
    const amr = acting.authenticated
      ? [
          'authenticated',
          ...logins.flatMap((login) => [
            login.providerName,
            `${login.providerName}:${login.audience}:${login.subject}`,
          ]),
        ]
      : ['unauthenticated'];
    const token = context.openIdSigner.sign({
      region: pool.region,
      identityId: acting.identityId,
      identityPoolId: pool.identityPoolId,
      accountId: emulatorAccountId,
      amr,
      now,
      lifetimeSeconds: openIdTokenLifetimeSeconds,
    });
    return { IdentityId: acting.identityId, Token: token };
  },
});

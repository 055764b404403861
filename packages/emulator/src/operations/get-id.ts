import { splitCognitoLogin, verifyCognitoLogin } from '../cognito-login.js';
import { ServiceError } from '../errors.js';
import { identityForLogins } from '../linking.js';
import { verifyLogins } from '../logins.js';
import { messages } from '../messages.js';
import { defineOperation, requireActiveIdentity, requirePool, rules } from './operation.js';

/**
 * GetId: a new guest identity on every call without logins (if the pool allows guests); with
 * logins, the identity owning them (merging several owners) or a new authenticated identity; with a
 * Cognito OpenID token (`cognito-identity.amazonaws.com`, the developer enhanced flow), its identity.
 */
export const getId = defineOperation({
  auth: 'none',
  input: { AccountId: rules.accountId, IdentityPoolId: rules.identityPoolId, Logins: rules.logins },
  run(context, input) {
    const pool = requirePool(context, input.IdentityPoolId);
    const { cognitoToken, others } = splitCognitoLogin(input.Logins);
    if (cognitoToken !== undefined) {
      const identityId = verifyCognitoLogin(context.openIdSigner, pool, cognitoToken, context.now());
      return { IdentityId: requireActiveIdentity(context, identityId).identity.identityId };
    }
    const logins = verifyLogins(pool, others, context.verifyToken, context.now());
    if (logins.length > 0) return { IdentityId: identityForLogins(context.store, pool, logins).identityId };
    if (!pool.allowUnauthenticatedIdentities) {
      throw new ServiceError('NotAuthorizedException', messages.unauthenticatedNotSupported);
    }
    return { IdentityId: context.store.createIdentity(pool.identityPoolId).identityId };
  },
});

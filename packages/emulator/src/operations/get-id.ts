import { ServiceError } from '../errors.js';
import { identityForLogins } from '../linking.js';
import { verifyLogins } from '../logins.js';
import { messages } from '../messages.js';
import { defineOperation, requirePool, rules } from './operation.js';

/**
 * GetId: a new guest identity on every call without logins (if the pool allows guests); with
 * logins, the identity owning them (merging several owners) or a new authenticated identity.
 */
export const getId = defineOperation({
  auth: 'none',
  input: { AccountId: rules.accountId, IdentityPoolId: rules.identityPoolId, Logins: rules.logins },
  run(context, input) {
    const pool = requirePool(context, input.IdentityPoolId);
    const logins = verifyLogins(pool, input.Logins, context.verifyToken, context.now());
    if (logins.length > 0) return { IdentityId: identityForLogins(context.store, pool, logins).identityId };
    if (!pool.allowUnauthenticatedIdentities) {
      throw new ServiceError('NotAuthorizedException', messages.unauthenticatedNotSupported);
    }
    return { IdentityId: context.store.createIdentity(pool.identityPoolId).identityId };
  },
});

import { issueCredentials } from '../credentials.js';
import { ServiceError } from '../errors.js';
import { actingIdentity } from '../linking.js';
import { verifyLogins } from '../logins.js';
import { messages } from '../messages.js';
import { defineOperation, requireActiveIdentity, rules } from './operation.js';

/**
 * GetCredentialsForIdentity (the enhanced flow): checks the identity and its logins, links or
 * merges as Cognito does, and returns fake STS credentials for the pool's role. The returned
 * `IdentityId` is the merge winner's when the identity was merged.
 */
export const getCredentialsForIdentity = defineOperation({
  auth: 'none',
  input: { IdentityId: rules.identityId, Logins: rules.logins, CustomRoleArn: rules.roleArn },
  run(context, input) {
    const { identity, pool } = requireActiveIdentity(context, input.IdentityId);
    const now = context.now();
    const logins = verifyLogins(pool, input.Logins, context.verifyToken, now);
    const acting = actingIdentity(context.store, pool, identity, logins);
    const role =
      pool.roles === false
        ? undefined
        : acting.authenticated
          ? pool.roles.authenticated
          : pool.roles.unauthenticated;
    if (!role)
      throw new ServiceError('InvalidIdentityPoolConfigurationException', messages.invalidPoolConfiguration);
    return {
      IdentityId: acting.identityId,
      Credentials: issueCredentials(now, context.credentialsTtlSeconds),
    };
  },
});

import { splitCognitoLogin, verifyCognitoLogin } from '../cognito-login.js';
import { issueCredentials } from '../credentials.js';
import { ServiceError } from '../errors.js';
import { actingIdentity } from '../linking.js';
import { verifyLogins } from '../logins.js';
import { messages } from '../messages.js';
import { defineOperation, requireActiveIdentity, rules } from './operation.js';

/**
 * GetCredentialsForIdentity (the enhanced flow): checks the identity and its logins, links or
 * merges as Cognito does, and returns fake STS credentials for the pool's role. The returned
 * `IdentityId` is the merge winner's when the identity was merged. A Cognito OpenID token
 * (`cognito-identity.amazonaws.com`, the developer enhanced flow) must be one issued for this identity.
 */
export const getCredentialsForIdentity = defineOperation({
  auth: 'none',
  input: { IdentityId: rules.identityId, Logins: rules.logins, CustomRoleArn: rules.roleArn },
  run(context, input) {
    const { identity, pool } = requireActiveIdentity(context, input.IdentityId);
    const now = context.now();
    const { cognitoToken, others } = splitCognitoLogin(input.Logins);
    let acting = identity;
    if (cognitoToken !== undefined) {
      const owner = verifyCognitoLogin(context.openIdSigner, pool, cognitoToken, now);
      if (owner !== identity.identityId) {
        throw new ServiceError('NotAuthorizedException', messages.loginsDontMatch);
      }
    } else {
      const logins = verifyLogins(pool, others, context.verifyToken, now);
      acting = actingIdentity(context.store, pool, identity, logins);
    }
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

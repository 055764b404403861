import { cognitoIdentityProviderName } from '../cognito-login.js';
import { ServiceError } from '../errors.js';
import type { IdentityRecord } from '../identity-store.js';
import { actingIdentity, identityForLogins } from '../linking.js';
import { type VerifiedLogin, verifyLogins } from '../logins.js';
import { messages } from '../messages.js';
import { signOpenIdToken } from './get-open-id-token.js';
import { defineOperation, requireActiveIdentity, requirePool, rules } from './operation.js';

/** Default lifetime of the tokens GetOpenIdTokenForDeveloperIdentity returns: 15 minutes. */
export const developerTokenDefaultDurationSeconds = 900;

/**
 * GetOpenIdTokenForDeveloperIdentity (SigV4, verified against the emulator's developer
 * credentials): `Logins` must hold the pool's developer provider name, whose value is the
 * developer's user identifier; other entries are public-provider tokens to link.
 *
 * - Without `IdentityId`: the identity of that developer user (and of the other logins, merged as
 *   GetId does), or a new authenticated identity.
 * - With `IdentityId`: links the logins to that identity. A developer user registered to another
 *   identity → `DeveloperUserAlreadyRegisteredException`; an authenticated identity presenting none of
 *   its own logins → "Logins don't match".
 *
 * Returns an RS512 OpenID token valid for `TokenDuration` seconds (default 900) whose `amr` names
 * the developer login as `<provider>:<poolId>:<userId>`.
 */
export const getOpenIdTokenForDeveloperIdentity = defineOperation({
  auth: 'sigv4-verified',
  input: {
    IdentityPoolId: rules.identityPoolId,
    IdentityId: { ...rules.identityId, required: false },
    Logins: { ...rules.logins, required: true },
    PrincipalTags: rules.principalTags,
    TokenDuration: rules.tokenDuration,
  },
  run(context, input) {
    const pool = requirePool(context, input.IdentityPoolId);
    const developerProvider = pool.developerProviderName;
    if (developerProvider === undefined || !Object.hasOwn(input.Logins, developerProvider)) {
      throw new ServiceError('NotAuthorizedException', messages.developerProviderNotSupported);
    }
    if (Object.hasOwn(input.Logins, cognitoIdentityProviderName)) {
      throw new ServiceError('NotAuthorizedException', messages.cognitoTokenNotAllowed);
    }
    const now = context.now();
    const { [developerProvider]: developerUserId, ...publicLogins } = input.Logins;
    const developerLogin: VerifiedLogin = {
      providerName: developerProvider,
      subject: developerUserId as string,
      audience: pool.identityPoolId,
    };
    const logins = [developerLogin, ...verifyLogins(pool, publicLogins, context.verifyToken, now)];

    let identity: IdentityRecord;
    if (input.IdentityId === undefined) {
      identity = identityForLogins(context.store, pool, logins);
    } else {
      const found = requireActiveIdentity(context, input.IdentityId);
      if (found.identity.identityPoolId !== pool.identityPoolId) {
        throw new ServiceError('ResourceNotFoundException', messages.identityNotFound(input.IdentityId));
      }
      const owner = context.store.ownerOf(pool.identityPoolId, developerProvider, developerLogin.subject);
      if (owner && owner !== found.identity) {
        throw new ServiceError(
          'DeveloperUserAlreadyRegisteredException',
          messages.developerUserAlreadyRegistered,
        );
      }
      const ownsOne = logins.some((login) => found.identity.logins.get(login.providerName) === login.subject);
      if (found.identity.authenticated && !ownsOne) {
        throw new ServiceError('NotAuthorizedException', messages.loginsDontMatch);
      }
      identity = actingIdentity(context.store, pool, found.identity, logins);
    }
    const lifetime = input.TokenDuration ?? developerTokenDefaultDurationSeconds;
    const token = signOpenIdToken(context, pool, identity, logins, now, lifetime);
    return { IdentityId: identity.identityId, Token: token };
  },
});

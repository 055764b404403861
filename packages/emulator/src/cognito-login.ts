/**
 * The developer-authenticated enhanced flow: a Cognito OpenID token (from
 * GetOpenIdTokenForDeveloperIdentity) presented as `Logins: { 'cognito-identity.amazonaws.com': token }`
 * to GetId or GetCredentialsForIdentity. It proves the caller owns the token's identity.
 */
import { ServiceError } from './errors.js';
import type { JsonObject } from './jwt.js';
import { messages } from './messages.js';
import { type OpenIdTokenSigner, openIdIssuer } from './openid-token.js';
import type { PoolInfo } from './types.js';

/** The `Logins` key of a Cognito OpenID token. */
export const cognitoIdentityProviderName = 'cognito-identity.amazonaws.com';

/** A `Logins` map split into the Cognito token (if any) and the other logins. */
export interface SplitLogins {
  cognitoToken?: string;
  others: Record<string, string> | undefined;
}

/**
 * Takes the `cognito-identity.amazonaws.com` entry out of a `Logins` map. It must be alone:
 * combined with other logins → `NotAuthorizedException`.
 */
export function splitCognitoLogin(logins: Record<string, string> | undefined): SplitLogins {
  if (!logins || !Object.hasOwn(logins, cognitoIdentityProviderName)) return { others: logins };
  if (Object.keys(logins).length > 1) {
    throw new ServiceError('NotAuthorizedException', messages.cognitoTokenNotAlone);
  }
  return { cognitoToken: logins[cognitoIdentityProviderName] as string, others: undefined };
}

function notAuthorized(message: string): ServiceError {
  return new ServiceError('NotAuthorizedException', message);
}

/**
 * Verifies a Cognito OpenID token as a login of `pool` and returns its identity ID (`sub`): the
 * emulator's signature, `iss`, `aud` = the pool, not expired on the service clock, and an
 * authenticated `amr`. Each failure is a `NotAuthorizedException` with the service's login texts.
 */
export function verifyCognitoLogin(
  signer: OpenIdTokenSigner,
  pool: PoolInfo,
  token: string,
  nowMs: number,
): string {
  const claims: JsonObject | undefined = signer.verify(token);
  if (!claims) throw notAuthorized(messages.tokenNotVerifiable);
  if (claims.iss !== openIdIssuer) throw notAuthorized(messages.issuerMismatch);
  if (claims.aud === undefined) throw notAuthorized(messages.missingAudienceClaim);
  if (claims.aud !== pool.identityPoolId) throw notAuthorized(messages.incorrectAudience);
  const nowSeconds = Math.floor(nowMs / 1000);
  const expiresAt = typeof claims.exp === 'number' ? claims.exp : 0;
  if (nowSeconds >= expiresAt) throw notAuthorized(messages.tokenExpired(nowSeconds, expiresAt));
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  if (!amr.includes('authenticated')) throw notAuthorized(messages.cognitoTokenUnauthenticated);
  if (typeof claims.sub !== 'string') throw notAuthorized(messages.tokenNotVerifiable);
  return claims.sub;
}

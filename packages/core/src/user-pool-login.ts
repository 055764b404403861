/**
 * Cognito user pools as a login: the `Logins` key is `cognito-idp.<region>.amazonaws.com/<poolId>`,
 * the ID token's `iss` without its scheme.
 */
import { ConfigurationError } from './errors.js';
import { decodeJwtClaims } from './jwt.js';
import { type TokenLoginOptions, tokenLogin } from './token-login.js';
import type { LoginProvider } from './types.js';

const USER_POOL_ISSUER =
  /^https:\/\/(cognito-idp\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/[\w-]+_[0-9a-zA-Z]+)\/?$/;

/**
 * The Cognito `Logins` key of a user pool ID token, from its `iss` claim:
 * `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC` → `cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC`.
 * The token is only read, not verified (Cognito verifies it).
 * @throws ConfigurationError when the token is not a user pool ID token.
 */
export function userPoolLoginsKey(idToken: string): string {
  const iss = decodeJwtClaims(idToken)?.iss;
  const match = typeof iss === 'string' ? USER_POOL_ISSUER.exec(iss) : null;
  if (!match?.[1]) {
    throw new ConfigurationError(
      'idToken',
      'must be a Cognito user pool ID token (iss https://cognito-idp.<region>.amazonaws.com/<poolId>)',
    );
  }
  return match[1];
}

/** The Logins key of a user pool given by region and ID (no token needed). */
export function userPoolLoginsKeyFor(userPoolId: string, region = userPoolId.split('_')[0] ?? ''): string {
  if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId)) {
    throw new ConfigurationError('userPoolId', 'must be a user pool ID like "us-east-1_AbCdEf123"');
  }
  return `cognito-idp.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/${userPoolId}`;
}

/**
 * A `LoginProvider` for a Cognito user pool, on `tokenLogin`: `getToken` returns the user's
 * current ID token (from Amplify, `amazon-cognito-identity-js`, your own code). The Logins key is
 * `cognito-idp.<region>.amazonaws.com/<userPoolId>`.
 */
export function cognitoUserPoolLogin(
  options: { userPoolId: string; region?: string } & Omit<TokenLoginOptions, 'loginsKey'>,
): LoginProvider {
  const { userPoolId, region, ...rest } = options;
  return tokenLogin({
    id: 'cognito-user-pool',
    ...rest,
    loginsKey: userPoolLoginsKeyFor(userPoolId, region),
  });
}

/**
 * Amplify's ID token as a Cognito login: its `Logins` key and what the session needs to keep it.
 */
import {
  ConfigurationError,
  decodeJwtClaims,
  jwtExpiresAt,
  userPoolLoginsKey,
  userPoolLoginsKeyFor,
} from '@identity-pool/core';
import type { AmplifyAuthTokens } from './amplify-types.js';

/** One signed-in Amplify user as a login of the identity-pool session. */
export interface AmplifyLogin {
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>` for a user pool. */
  loginsKey: string;
  /** The compact ID token (a secret: never logged or emitted). */
  token: string;
  /** Epoch ms, from the token's `exp`. */
  expiresAt: number | undefined;
  /** The token's `sub`: a different one means a different user signed in. */
  subject: string | undefined;
}

const badToken = (rule: string) => new ConfigurationError('tokens.idToken', rule);

/** The compact token of Amplify's `idToken` (a JWT object whose `toString()` is the token). */
function compactToken(tokens: AmplifyAuthTokens | undefined): string {
  const idToken = tokens?.idToken;
  if (idToken === undefined || idToken === null) {
    throw badToken('Amplify reported a signed-in user without an ID token; a Cognito login needs one');
  }
  let token: unknown;
  try {
    token = idToken.toString();
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw badToken('must be a JWT whose toString() is the compact token');
  }
  return token;
}

/** Amplify's configured user pool (`Auth.Cognito.userPoolId`), if any. */
function configuredUserPool(authConfig: unknown): string | undefined {
  const cognito = (authConfig as { Cognito?: { userPoolId?: unknown } } | undefined)?.Cognito;
  return typeof cognito?.userPoolId === 'string' ? cognito.userPoolId : undefined;
}

/**
 * The `Logins` key of a token: a user pool's from its `iss`; any other issuer's `iss` without
 * its scheme, as Amplify's own provider builds it; with no `iss`, the user pool of Amplify's config.
 */
function loginsKeyOf(token: string, iss: unknown, authConfig: unknown): string {
  if (typeof iss === 'string' && iss.length > 0) {
    try {
      return userPoolLoginsKey(token);
    } catch {
      return iss.replace(/^https:\/\//, '');
    }
  }
  const userPoolId = configuredUserPool(authConfig);
  if (userPoolId) return userPoolLoginsKeyFor(userPoolId);
  throw badToken('has no "iss" claim and Amplify is configured without Auth.Cognito.userPoolId');
}

/** Amplify's tokens as the session's login. @throws ConfigurationError naming what is missing. */
export function amplifyLoginOf(tokens: AmplifyAuthTokens | undefined, authConfig: unknown): AmplifyLogin {
  const token = compactToken(tokens);
  const claims = decodeJwtClaims(token);
  if (!claims) throw badToken('must be a JWT whose toString() is the compact token');
  return {
    loginsKey: loginsKeyOf(token, claims.iss, authConfig),
    token,
    expiresAt: jwtExpiresAt(token),
    subject: typeof claims.sub === 'string' ? claims.sub : undefined,
  };
}

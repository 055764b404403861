import { ServiceError } from './errors.js';
import type { TokenVerification } from './fake-idp.js';
import { messages } from './messages.js';
import type { PoolInfo } from './types.js';

/** A login whose token passed every check: the identity key is (pool, provider, subject). */
export interface VerifiedLogin {
  providerName: string;
  subject: string;
  /** The pool's app id the token matched, or the token's first audience when the pool accepts any. */
  audience: string;
}

/** Checks a token's signature and claim types. */
export type TokenVerifier = (token: string) => TokenVerification;

function notAuthorized(message: string): ServiceError {
  return new ServiceError('NotAuthorizedException', message);
}

/**
 * Verifies every entry of a `Logins` map for a pool, in order, each check failing with
 * `NotAuthorizedException`: the provider is supported by the pool; the token verifies; its `iss`
 * is the provider name; its `aud` matches the pool's app id (unless `'*'`); it has not expired on
 * the service clock (`nowMs`).
 */
export function verifyLogins(
  pool: PoolInfo,
  logins: Record<string, string> | undefined,
  verifyToken: TokenVerifier,
  nowMs: number,
): VerifiedLogin[] {
  const verified: VerifiedLogin[] = [];
  for (const [providerName, token] of Object.entries(logins ?? {})) {
    if (!Object.hasOwn(pool.supportedLoginProviders, providerName)) {
      throw notAuthorized(messages.unsupportedProvider);
    }
    const verification = verifyToken(token);
    if (!verification.ok) throw notAuthorized(messages.tokenNotVerifiable);
    const { claims } = verification;
    if (claims.iss !== providerName && claims.iss !== `https://${providerName}`) {
      throw notAuthorized(messages.issuerMismatch);
    }
    if (claims.aud === undefined) throw notAuthorized(messages.missingAudienceClaim);
    const appId = pool.supportedLoginProviders[providerName];
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (appId !== '*' && (appId === undefined || !audiences.includes(appId))) {
      throw notAuthorized(messages.incorrectAudience);
    }
    const nowSeconds = Math.floor(nowMs / 1000);
    if (nowSeconds >= claims.exp) throw notAuthorized(messages.tokenExpired(nowSeconds, claims.exp));
    verified.push({
      providerName,
      subject: claims.sub,
      audience: appId === '*' ? (audiences[0] ?? '') : appId,
    });
  }
  return verified;
}

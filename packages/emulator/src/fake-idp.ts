import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeJwt, encodeJwt } from './jwt.js';
import type {
  FakeIdentityProvider,
  MintTokenOptions,
  MintUserPoolTokensOptions,
  UserPoolTokens,
} from './types.js';

/** The claims of a login token minted by the fake identity provider. */
export interface LoginTokenClaims {
  iss: string;
  sub: string;
  /** Absent only in tokens that lack the claim (not ones this IdP mints). */
  aud?: string | string[];
  iat?: number;
  /** Epoch seconds. */
  exp: number;
}

/**
 * The outcome of checking a token's signature and claim types (not its issuer, audience or
 * expiry, which depend on the pool and the service clock).
 */
export type TokenVerification = { ok: true; claims: LoginTokenClaims } | { ok: false };

/** The fake IdP with the verifier the service uses. */
export interface FakeIdentityProviderWithVerifier extends FakeIdentityProvider {
  /** Checks the HS256 signature and the claim types of a token. */
  verify(token: string): TokenVerification;
}

/** Default subject of minted tokens. */
export const defaultSubject = 'emulator-user';
/** Default audience of minted tokens. */
export const defaultAudience = 'emulator';
const defaultLifetimeSeconds = 3600;
/** Default app client of user pool tokens. */
export const defaultUserPoolClientId = 'emulator-client';
const userPoolIdPattern = /^([\w-]+)_[0-9a-zA-Z]+$/;

/**
 * Creates a fake identity provider that signs tokens with a random per-instance secret.
 * `now` is the IdP's clock (epoch ms): the emulator's base clock, without the service offset.
 */
export function createFakeIdentityProvider(
  now: () => number,
  secret: Buffer = randomBytes(32),
): FakeIdentityProviderWithVerifier {
  const sign = (signingInput: string): Buffer => createHmac('sha256', secret).update(signingInput).digest();
  const encode = (payload: Record<string, unknown>) =>
    encodeJwt({ alg: 'HS256', typ: 'JWT', kid: 'emulator' }, payload, sign);

  return {
    mintToken(providerName: string, options: MintTokenOptions = {}): string {
      if (typeof providerName !== 'string' || providerName.length === 0) {
        throw new TypeError('mintToken: providerName must be a non-empty string');
      }
      const issuedAt = options.issuedAt ?? Math.floor(now() / 1000);
      const payload = {
        iss: providerName,
        sub: options.subject ?? defaultSubject,
        aud: options.audience ?? defaultAudience,
        iat: issuedAt,
        exp: issuedAt + (options.expiresInSeconds ?? defaultLifetimeSeconds),
      };
      return encode(payload);
    },

    mintUserPoolTokens(userPoolId: string, options: MintUserPoolTokensOptions = {}): UserPoolTokens {
      const region = typeof userPoolId === 'string' ? userPoolIdPattern.exec(userPoolId)?.[1] : undefined;
      if (!region) throw new TypeError('mintUserPoolTokens: userPoolId must look like "us-east-1_AbC123"');
      const loginsKey = `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
      const iat = options.issuedAt ?? Math.floor(now() / 1000);
      const sub = options.subject ?? defaultSubject;
      const username = options.username ?? sub;
      const clientId = options.clientId ?? defaultUserPoolClientId;
      const common = { iss: `https://${loginsKey}`, sub, iat, auth_time: iat };
      const exp = iat + (options.expiresInSeconds ?? defaultLifetimeSeconds);
      return {
        idToken: encode({ ...common, aud: clientId, token_use: 'id', 'cognito:username': username, exp }),
        accessToken: encode({ ...common, client_id: clientId, token_use: 'access', username, exp }),
        loginsKey,
      };
    },

    verify(token: string): TokenVerification {
      const decoded = decodeJwt(token);
      if (decoded?.header.alg !== 'HS256') return { ok: false };
      const expected = sign(decoded.signingInput);
      if (expected.length !== decoded.signature.length || !timingSafeEqual(expected, decoded.signature)) {
        return { ok: false };
      }
      const { iss, sub, aud, iat, exp } = decoded.payload;
      if (typeof iss !== 'string' || typeof sub !== 'string' || typeof exp !== 'number') return { ok: false };
      if (aud !== undefined && !isAudience(aud)) return { ok: false };
      const claims: LoginTokenClaims = { iss, sub, exp };
      if (aud !== undefined) claims.aud = aud;
      if (typeof iat === 'number') claims.iat = iat;
      return { ok: true, claims };
    },
  };
}

function isAudience(value: unknown): value is string | string[] {
  return (
    typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))
  );
}

import { generateKeyPair, type KeyObject, sign, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { decodeJwt, encodeJwt, type JsonObject } from './jwt.js';
import type { JsonWebKeyWithId } from './types.js';

/** The issuer of Cognito OpenID tokens. */
export const openIdIssuer = 'https://cognito-identity.amazonaws.com';
/** The claim newer Cognito tokens carry with the pool's ARN. */
export const identityPoolArnClaim = 'https://cognito-identity.amazonaws.com/identity-pool-arn';

/** What an OpenID token says about an identity. */
export interface OpenIdTokenRequest {
  region: string;
  identityId: string;
  identityPoolId: string;
  accountId: string;
  /** `['unauthenticated']` or `['authenticated', provider, …]`. */
  amr: string[];
  /** Epoch ms on the service clock. */
  now: number;
  lifetimeSeconds: number;
}

/** Signs and verifies the RS512 OpenID tokens GetOpenIdToken returns. */
export interface OpenIdTokenSigner {
  sign(request: OpenIdTokenRequest): string;
  /** The claims of a token this signer issued, or `undefined` if the signature does not verify. */
  verify(token: string): JsonObject | undefined;
  /** The public key as a JWK, once per region's key id. */
  jwks(regions: Iterable<string>): { keys: JsonWebKeyWithId[] };
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** The key id Cognito uses: the region followed by a digit. */
export function openIdKeyId(region: string): string {
  return `${region}1`;
}

let processKeyPair: Promise<{ publicKey: KeyObject; privateKey: KeyObject }> | undefined;

/**
 * Returns a signer over an RSA-2048 key pair. The pair is generated (off the main thread) when the
 * first emulator of the process starts and shared by later ones: a fresh 2048-bit key costs a few
 * hundred ms, which a test suite starting an emulator per test should not pay each time.
 */
export async function createOpenIdTokenSigner(): Promise<OpenIdTokenSigner> {
  processKeyPair ??= generateKeyPairAsync('rsa', { modulusLength: 2048 }).catch((error: unknown) => {
    processKeyPair = undefined;
    throw error;
  });
  const { publicKey, privateKey } = await processKeyPair;
  return openIdTokenSignerFromKeys(publicKey, privateKey);
}

function openIdTokenSignerFromKeys(publicKey: KeyObject, privateKey: KeyObject): OpenIdTokenSigner {
  const publicJwk = publicKey.export({ format: 'jwk' });
  return {
    sign(request: OpenIdTokenRequest): string {
      const issuedAt = Math.floor(request.now / 1000);
      const header = { kid: openIdKeyId(request.region), typ: 'JWS', alg: 'RS512' };
      const claims = {
        sub: request.identityId,
        aud: request.identityPoolId,
        amr: request.amr,
        [identityPoolArnClaim]: `arn:aws:cognito-identity:${request.region}:${request.accountId}:identitypool/${request.identityPoolId}`,
        iss: openIdIssuer,
        exp: issuedAt + request.lifetimeSeconds,
        iat: issuedAt,
      };
      return encodeJwt(header, claims, (signingInput) =>
        sign('sha512', Buffer.from(signingInput), privateKey),
      );
    },

    verify(token: string): JsonObject | undefined {
      const decoded = decodeJwt(token);
      if (decoded?.header.alg !== 'RS512') return undefined;
      const valid = verify('sha512', Buffer.from(decoded.signingInput), publicKey, decoded.signature);
      return valid ? decoded.payload : undefined;
    },

    jwks(regions: Iterable<string>): { keys: JsonWebKeyWithId[] } {
      const keys = [...new Set(regions)].map((region) => ({
        kty: 'RSA',
        kid: openIdKeyId(region),
        alg: 'RS512',
        use: 'sig',
        n: String(publicJwk.n),
        e: String(publicJwk.e),
      }));
      return { keys };
    },
  };
}

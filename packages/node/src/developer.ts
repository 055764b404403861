/**
 * `@identity-pool/node` — Node-only helpers for your backend and servers:
 * `getOpenIdTokenForDeveloperIdentity` (developer-authenticated identities, SigV4-signed by the
 * AWS SDK) and `writeWebIdentityTokenFile` (a Cognito OpenID token kept in a file for the AWS
 * CLI's and SDKs' `web_identity_token_file`). They live outside `@identity-pool/core`, which stays runtime-agnostic.
 */
import { jwtExpiresAt } from '@identity-pool/core';
import { toTransportError } from '@identity-pool/core/sdk-transport';

export {
  type WebIdentityTokenFile,
  type WebIdentityTokenFileOptions,
  webIdentityProfile,
  writeWebIdentityTokenFile,
} from './token-file.js';

export interface DeveloperIdentityOptions {
  identityPoolId: string;
  /** The pool's `DeveloperProviderName`, e.g. `login.example.com`. */
  developerProviderName: string;
  /** Your user's ID in your own user directory (1–128 characters). */
  userId: string;
  /** Link this user to an existing identity (leave out to get the user's own, or a new one). */
  identityId?: string | undefined;
  /** Public-provider tokens to link too: Logins key → token. */
  logins?: Record<string, string> | undefined;
  /** Lifetime of the token, 1–86400 s. Default: the service's (900). */
  tokenDuration?: number | undefined;
  /** Default: the pool ID's prefix. */
  region?: string | undefined;
  /** A custom service URL (the emulator). */
  endpoint?: string | undefined;
  /** AWS credentials allowed `cognito-identity:GetOpenIdTokenForDeveloperIdentity`; default: the SDK's chain. */
  credentials?:
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }
    | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }>)
    | undefined;
  signal?: AbortSignal | undefined;
}

/** What to send to the app: `developerLogin` on the client takes exactly this. */
export interface DeveloperIdentityTokenResult {
  identityId: string;
  token: string;
  /** Epoch ms (the token's `exp`). */
  expiresAt: number | undefined;
}

/**
 * GetOpenIdTokenForDeveloperIdentity, signed with your AWS credentials: the identity of
 * `userId` (created on first use) and an OpenID token for it. Call it from your backend after
 * you authenticated the user, and return the answer to the app, whose `developerLogin` uses it.
 * @throws ServiceError (e.g. `NotAuthorizedException` for a provider the pool does not have),
 *   NetworkError.
 */
export async function getOpenIdTokenForDeveloperIdentity(
  options: DeveloperIdentityOptions,
): Promise<DeveloperIdentityTokenResult> {
  const sdk = await import('@aws-sdk/client-cognito-identity');
  const region = options.region ?? options.identityPoolId.split(':')[0];
  const client = new sdk.CognitoIdentityClient({
    region,
    maxAttempts: 3,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  try {
    const out = await client.send(
      new sdk.GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: options.identityPoolId,
        IdentityId: options.identityId,
        Logins: { ...options.logins, [options.developerProviderName]: options.userId },
        TokenDuration: options.tokenDuration,
      }),
      options.signal ? { abortSignal: options.signal } : undefined,
    );
    if (!out.IdentityId || !out.Token) {
      throw toTransportError('GetOpenIdTokenForDeveloperIdentity', { $metadata: { httpStatusCode: 200 } });
    }
    return { identityId: out.IdentityId, token: out.Token, expiresAt: jwtExpiresAt(out.Token) };
  } catch (error) {
    if (error instanceof Error && error.name.endsWith('Error') && !('$metadata' in error)) throw error;
    throw toTransportError('GetOpenIdTokenForDeveloperIdentity', error);
  } finally {
    client.destroy();
  }
}

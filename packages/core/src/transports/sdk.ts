import { AbortError, InvalidResponseError, NetworkError, ServiceError } from '../errors.js';
import type {
  CognitoIdentityTransport,
  GetCredentialsForIdentityInput,
  GetIdInput,
  GetOpenIdTokenInput,
} from '../types.js';

export interface SdkTransportOptions {
  region: string;
  /** A custom service URL (the emulator, a proxy). */
  endpoint?: string | undefined;
  /**
   * Your own `CognitoIdentityClient` (for custom middleware or an HTTP handler). The default
   * is created on first use with `maxAttempts: 1`: retries are this library's, on its clock.
   */
  client?: SdkClient;
}

/** The part of `CognitoIdentityClient` this transport uses. */
export interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

type SdkModule = typeof import('@aws-sdk/client-cognito-identity');

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number };
}

/** Turns whatever the SDK threw into one of this library's errors. */
export function toTransportError(operation: string, error: unknown): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  if (e.name === 'AbortError') return new AbortError();
  const statusCode = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (e.$fault && statusCode !== undefined && e.name) {
    if (statusCode === 200) return new InvalidResponseError(operation, e.message ?? e.name);
    return new ServiceError({
      code: e.name,
      message: e.message ?? 'Unknown',
      operation,
      statusCode,
      requestId: e.$metadata?.requestId,
    });
  }
  if ('$response' in e) return new InvalidResponseError(operation, 'the body could not be read');
  return new NetworkError(operation, e.code ?? e.message ?? e.name ?? 'unknown failure');
}

/**
 * The default transport: `@aws-sdk/client-cognito-identity`, loaded on first use (a lazy
 * `import()`), so apps that pass another transport never load the SDK.
 */
export function sdkTransport(options: SdkTransportOptions): CognitoIdentityTransport {
  let loaded: Promise<{ sdk: SdkModule; client: SdkClient }> | undefined;
  const load = () => {
    loaded ??= import('@aws-sdk/client-cognito-identity').then((sdk) => ({
      sdk,
      client:
        options.client ??
        new sdk.CognitoIdentityClient({
          region: options.region,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          maxAttempts: 1,
        }),
    }));
    return loaded;
  };
  async function send<T>(
    operation: string,
    make: (sdk: SdkModule) => unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const { sdk, client } = await load();
    try {
      return (await client.send(make(sdk), signal ? { abortSignal: signal } : undefined)) as T;
    } catch (error) {
      throw toTransportError(operation, error);
    }
  }
  return {
    async getId(input: GetIdInput) {
      const out = await send<{ IdentityId?: string }>(
        'GetId',
        (sdk) =>
          new sdk.GetIdCommand({
            IdentityPoolId: input.identityPoolId,
            AccountId: input.accountId,
            Logins: input.logins,
          }),
        input.signal,
      );
      return { identityId: out.IdentityId as string };
    },
    async getCredentialsForIdentity(input: GetCredentialsForIdentityInput) {
      const out = await send<{
        IdentityId?: string;
        Credentials?: { AccessKeyId?: string; SecretKey?: string; SessionToken?: string; Expiration?: Date };
      }>(
        'GetCredentialsForIdentity',
        (sdk) =>
          new sdk.GetCredentialsForIdentityCommand({
            IdentityId: input.identityId,
            Logins: input.logins,
            CustomRoleArn: input.customRoleArn,
          }),
        input.signal,
      );
      const c = out.Credentials;
      return {
        identityId: out.IdentityId as string,
        credentials: {
          accessKeyId: c?.AccessKeyId as string,
          secretAccessKey: c?.SecretKey as string,
          sessionToken: c?.SessionToken as string,
          expiration: c?.Expiration as Date,
        },
      };
    },
    async getOpenIdToken(input: GetOpenIdTokenInput) {
      const out = await send<{ IdentityId?: string; Token?: string }>(
        'GetOpenIdToken',
        (sdk) => new sdk.GetOpenIdTokenCommand({ IdentityId: input.identityId, Logins: input.logins }),
        input.signal,
      );
      return { identityId: out.IdentityId as string, token: out.Token as string };
    },
  };
}

import { AbortError, InvalidResponseError, NetworkError, ServiceError } from '../errors.js';
import { redactValue } from '../redact.js';
import type {
  CognitoIdentityTransport,
  GetCredentialsForIdentityInput,
  GetIdInput,
  GetOpenIdTokenInput,
  ServiceCredentials,
  UnlinkIdentityInput,
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
  const answered = statusCode !== undefined;
  if (answered && e.$fault && e.name && statusCode !== 200) {
    return new ServiceError({
      code: e.name,
      message: e.message ?? 'Unknown',
      operation,
      statusCode,
      requestId: e.$metadata?.requestId,
    });
  }
  if (answered && statusCode >= 200 && statusCode < 300) {
    return new InvalidResponseError(operation, 'the body is not a valid answer');
  }
  if (answered) {
    // An error status whose body is not the service's (a proxy's HTML page, say).
    return new ServiceError({
      code: `Http${statusCode}`,
      message: `HTTP ${statusCode} with a body that is not a service error`,
      operation,
      statusCode,
      requestId: e.$metadata?.requestId,
    });
  }
  return new NetworkError(operation, e.code ?? e.message ?? e.name ?? 'unknown failure');
}

interface CommandWithStack {
  middlewareStack?: { add(middleware: unknown, options: Record<string, unknown>): void };
}
type Handler = (args: unknown) => Promise<{ response?: { headers?: Record<string, string | undefined> } }>;

/**
 * Reads the response's `Date` header through a middleware on this one command (the client is
 * left alone: the SDK's own `systemClockOffset` is not updated for these unsigned calls).
 */
function captureDate(command: unknown): { serverTime: number | undefined } {
  const captured: { serverTime: number | undefined } = { serverTime: undefined };
  const stack = (command as CommandWithStack | null)?.middlewareStack;
  if (typeof stack?.add !== 'function') return captured;
  try {
    stack.add(
      (next: Handler) => async (args: unknown) => {
        const result = await next(args);
        const headers = result?.response?.headers;
        const value = headers?.date ?? headers?.Date;
        const time = typeof value === 'string' && value.length <= 64 ? Date.parse(value) : Number.NaN;
        if (Number.isFinite(time) && time > 0) captured.serverTime = time;
        return result;
      },
      { step: 'deserialize', priority: 'high', name: 'identityPoolServerTime' },
    );
  } catch {
    // A client without a standard middleware stack: no skew estimate from it, nothing else lost.
  }
  return captured;
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
    signal: AbortSignal | undefined,
    logins: Record<string, string> | undefined,
  ): Promise<T & { serverTime: number | undefined }> {
    const { sdk, client } = await load();
    const command = make(sdk);
    const date = captureDate(command);
    try {
      const out = (await client.send(command, signal ? { abortSignal: signal } : undefined)) as T;
      return { ...out, serverTime: date.serverTime };
    } catch (error) {
      // The service may echo the request (a validation error quotes the Logins map).
      throw redactValue(toTransportError(operation, error), Object.values(logins ?? {}));
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
        input.logins,
      );
      return { identityId: out.IdentityId as string, serverTime: out.serverTime };
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
        input.logins,
      );
      const c = out.Credentials;
      return {
        identityId: out.IdentityId as string,
        // Left undefined when missing: the caller checks the answer and names what is wrong.
        credentials: (c && {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        }) as ServiceCredentials,
        serverTime: out.serverTime,
      };
    },
    async getOpenIdToken(input: GetOpenIdTokenInput) {
      const out = await send<{ IdentityId?: string; Token?: string }>(
        'GetOpenIdToken',
        (sdk) => new sdk.GetOpenIdTokenCommand({ IdentityId: input.identityId, Logins: input.logins }),
        input.signal,
        input.logins,
      );
      return { identityId: out.IdentityId as string, token: out.Token as string };
    },
    async unlinkIdentity(input: UnlinkIdentityInput) {
      await send(
        'UnlinkIdentity',
        (sdk) =>
          new sdk.UnlinkIdentityCommand({
            IdentityId: input.identityId,
            Logins: input.logins,
            LoginsToRemove: input.loginsToRemove,
          }),
        input.signal,
        input.logins,
      );
    },
  };
}

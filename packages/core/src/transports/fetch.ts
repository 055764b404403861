import {
  AbortError,
  ConfigurationError,
  InvalidResponseError,
  NetworkError,
  ServiceError,
} from '../errors.js';
import { redactValue } from '../redact.js';
import type {
  CognitoIdentityTransport,
  GetCredentialsForIdentityInput,
  GetIdInput,
  GetOpenIdTokenInput,
  ServiceCredentials,
  UnlinkIdentityInput,
} from '../types.js';

/** The part of a `fetch` `Response` this transport reads. */
export interface FetchResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** A WHATWG `fetch` (the global one of browsers, Node ≥ 18, Deno, Bun, workerd, React Native). */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<FetchResponseLike>;

export interface FetchTransportOptions {
  /**
   * A custom service URL (the emulator, a proxy). Default
   * `https://cognito-identity.<region>.amazonaws.com/`.
   */
  endpoint?: string | undefined;
  /** The service's region. Default: the prefix of the pool ID (or identity ID) of each request. */
  region?: string | undefined;
  /** Default `globalThis.fetch`, looked up on each request (so a late polyfill is used). */
  fetch?: FetchLike | undefined;
}

const TARGET_PREFIX = 'AWSCognitoIdentityService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The default endpoint of a region (the `aws-cn` partition has its own DNS suffix). */
export function defaultEndpoint(region: string): string {
  return `https://cognito-identity.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`;
}

/** The error name as the AWS SDK reads it: keep before `,`, before `:`, after `#`. */
function sanitizeErrorCode(raw: string): string {
  let code = raw;
  if (code.includes(',')) code = code.split(',')[0] as string;
  if (code.includes(':')) code = code.split(':')[0] as string;
  if (code.includes('#')) code = code.split('#')[1] as string;
  return code;
}

/** The error code of an error response: `x-amzn-errortype`, then body `code`, then `__type`. */
function errorCode(headers: FetchResponseLike['headers'], body: Record<string, unknown>): string | undefined {
  const header = headers.get('x-amzn-errortype');
  if (header) return sanitizeErrorCode(header);
  const codeKey = Object.keys(body).find((key) => key.toLowerCase() === 'code');
  const fromCode = codeKey === undefined ? undefined : body[codeKey];
  if (typeof fromCode === 'string' && fromCode) return sanitizeErrorCode(fromCode);
  if (typeof body.__type === 'string' && body.__type) return sanitizeErrorCode(body.__type);
  return undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function networkDetail(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  // Node's fetch says "fetch failed" and keeps the socket error (ECONNRESET, …) as its cause.
  const detail = e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? e.name;
  return typeof detail === 'string' && detail ? detail : 'unknown failure';
}

/** The response's `Date` header as epoch ms, if there is a valid one. */
function dateHeader(headers: FetchResponseLike['headers']): number | undefined {
  let value: string | null | undefined;
  try {
    value = headers.get('date');
  } catch {
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) && time > 0 ? time : undefined;
}

interface Answer {
  body: Record<string, unknown>;
  /** The `Date` header, epoch ms. */
  serverTime: number | undefined;
}

/** Turns the HTTP answer (or the lack of one) into the result, or one of this library's errors. */
async function exchange(
  fetchFn: FetchLike,
  url: string,
  operation: string,
  input: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  if (signal?.aborted) throw new AbortError();
  let status: number;
  let headers: FetchResponseLike['headers'];
  let text: string;
  try {
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}${operation}` },
      body: JSON.stringify(input),
      ...(signal ? { signal } : {}),
    });
    status = response.status;
    headers = response.headers;
    text = await response.text();
  } catch (error) {
    if (signal?.aborted || (error as { name?: unknown } | null)?.name === 'AbortError') {
      throw new AbortError();
    }
    throw new NetworkError(operation, networkDetail(error));
  }
  const body = parseObject(text);
  if (status >= 200 && status < 300) {
    if (!body) throw new InvalidResponseError(operation, 'the body is not a valid answer');
    return { body, serverTime: dateHeader(headers) };
  }
  const requestId = headers.get('x-amzn-requestid') ?? undefined;
  const code = errorCode(headers, body ?? {});
  if (code) {
    const message = body?.message ?? body?.Message;
    throw new ServiceError({
      code,
      message: typeof message === 'string' ? message : 'Unknown',
      operation,
      statusCode: status,
      requestId,
    });
  }
  // An error status whose body is not the service's (a proxy's HTML page, say).
  throw new ServiceError({
    code: `Http${status}`,
    message: `HTTP ${status} with a body that is not a service error`,
    operation,
    statusCode: status,
    requestId,
  });
}

function regionOf(id: string): string {
  const colon = id.indexOf(':');
  return colon > 0 ? id.slice(0, colon) : id;
}

function epochSeconds(value: unknown): unknown {
  // As the SDK: a number, or a numeric string; anything else is left for the caller to reject.
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
    ? Number(value)
    : value;
}

/**
 * The Cognito Identity service over `fetch` with AWS JSON 1.1 framing — no AWS SDK code. The
 * three calls it makes are unsigned, so it needs no credentials. One attempt per call: retries and
 * back-off are the session's. Errors are the same classes the SDK transport throws.
 */
export function fetchTransport(options: FetchTransportOptions = {}): CognitoIdentityTransport {
  if (options.endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(options.endpoint)) {
    throw new ConfigurationError('endpoint', 'must be an http(s) URL');
  }
  const fixedUrl = options.endpoint
    ? options.endpoint.endsWith('/')
      ? options.endpoint
      : `${options.endpoint}/`
    : options.region
      ? defaultEndpoint(options.region)
      : undefined;
  const userFetch = options.fetch;

  async function send(
    operation: string,
    input: Record<string, unknown>,
    id: string,
    logins: Record<string, string> | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Answer> {
    const fetchFn: FetchLike | undefined = userFetch ?? globalThis.fetch;
    if (typeof fetchFn !== 'function') {
      throw new ConfigurationError(
        'fetch',
        'this runtime has no global fetch; pass fetchTransport({ fetch })',
      );
    }
    try {
      return await exchange(fetchFn, fixedUrl ?? defaultEndpoint(regionOf(id)), operation, input, signal);
    } catch (error) {
      // The service may echo the request (a validation error quotes the Logins map).
      throw redactValue(error, Object.values(logins ?? {}));
    }
  }

  return {
    async getId(input: GetIdInput) {
      const { body: out, serverTime } = await send(
        'GetId',
        { IdentityPoolId: input.identityPoolId, AccountId: input.accountId, Logins: input.logins },
        input.identityPoolId,
        input.logins,
        input.signal,
      );
      return { identityId: out.IdentityId as string, serverTime };
    },
    async getCredentialsForIdentity(input: GetCredentialsForIdentityInput) {
      const { body: out, serverTime } = await send(
        'GetCredentialsForIdentity',
        { IdentityId: input.identityId, Logins: input.logins, CustomRoleArn: input.customRoleArn },
        input.identityId,
        input.logins,
        input.signal,
      );
      const c = out.Credentials as Record<string, unknown> | null | undefined;
      return {
        identityId: out.IdentityId as string,
        // Left as sent: the caller checks the answer and names what is wrong.
        credentials: (typeof c === 'object' && c !== null
          ? {
              accessKeyId: c.AccessKeyId,
              secretAccessKey: c.SecretKey,
              sessionToken: c.SessionToken,
              expiration: epochSeconds(c.Expiration),
            }
          : undefined) as ServiceCredentials,
        serverTime,
      };
    },
    async getOpenIdToken(input: GetOpenIdTokenInput) {
      const { body: out } = await send(
        'GetOpenIdToken',
        { IdentityId: input.identityId, Logins: input.logins },
        input.identityId,
        input.logins,
        input.signal,
      );
      return { identityId: out.IdentityId as string, token: out.Token as string };
    },
    async unlinkIdentity(input: UnlinkIdentityInput) {
      await send(
        'UnlinkIdentity',
        { IdentityId: input.identityId, Logins: input.logins, LoginsToRemove: input.loginsToRemove },
        input.identityId,
        input.logins,
        input.signal,
      );
    },
  };
}

/**
 * The basic (classic) flow as a transport wrapper: GetCredentialsForIdentity becomes
 * GetOpenIdToken (on the wrapped transport) and then STS `AssumeRoleWithWebIdentity`, so the
 * machine and the session stay the same for both flows (research doc §3.8, §4).
 * STS is spoken directly over `fetch` (awsQuery: a form-encoded POST, an XML answer), unsigned.
 */
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
  LoginsMap,
  ServiceCredentials,
} from '../types.js';
import type { FetchLike, FetchResponseLike } from './fetch.js';

/** The `Logins` key of a Cognito OpenID token (developer-authenticated identities). */
export const COGNITO_IDENTITY_LOGINS_KEY = 'cognito-identity.amazonaws.com';

export interface BasicFlowOptions {
  /** The role for every identity; or give `unauthRoleArn` and/or `authRoleArn`. */
  roleArn?: string | undefined;
  /** The role for guest identities (requests without logins). */
  unauthRoleArn?: string | undefined;
  /** The role for authenticated identities (requests with logins). */
  authRoleArn?: string | undefined;
  /** STS: a custom URL (the emulator serves STS on its own port), or the region's endpoint. */
  sts: { endpoint?: string | undefined; region: string; fetch?: FetchLike | undefined };
  /** `RoleSessionName` (2–64 of `[\w+=,.@-]`). Default `identity-pool`. */
  roleSessionName?: string | undefined;
  /** `DurationSeconds` (900–43200). Default: STS's (3600). */
  durationSeconds?: number | undefined;
}

const OPERATION = 'AssumeRoleWithWebIdentity';

/** The STS endpoint of a region (the `aws-cn` partition has its own DNS suffix). */
export function stsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`;
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity] ?? whole;
  });
}

/**
 * The text of the first `<name>…</name>` element (any namespace prefix) inside `xml`, or
 * `undefined`. A deliberately tiny reader for STS's flat answers: no DOM, no entities beyond
 * the five predefined and numeric ones, no DTDs (so no entity expansion to abuse).
 */
export function xmlText(xml: string, name: string): string | undefined {
  const open = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>`);
  const start = open.exec(xml);
  if (!start) return undefined;
  const from = start.index + start[0].length;
  const close = new RegExp(`</(?:[\\w.-]+:)?${name}\\s*>`).exec(xml.slice(from));
  if (!close) return undefined;
  const inner = xml.slice(from, from + close.index);
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(inner);
  return cdata ? cdata[1] : unescapeXml(inner.trim());
}

function networkDetail(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    cause?: { code?: unknown };
  };
  const detail = e.cause?.code ?? e.code ?? e.message;
  return typeof detail === 'string' && detail ? detail : 'unknown failure';
}

/**
 * STS `AssumeRoleWithWebIdentity`, unsigned, one attempt. Errors are this library's:
 * `<ErrorResponse>` → `ServiceError` with STS's code, no answer → `NetworkError`.
 */
export async function assumeRoleWithWebIdentity(input: {
  url: string;
  fetch?: FetchLike | undefined;
  roleArn: string;
  roleSessionName: string;
  webIdentityToken: string;
  durationSeconds?: number | undefined;
  signal?: AbortSignal | undefined;
}): Promise<ServiceCredentials & { subject: string | undefined }> {
  const fetchFn: FetchLike | undefined = input.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new ConfigurationError('fetch', 'this runtime has no global fetch; the basic flow needs one');
  }
  if (input.signal?.aborted) throw new AbortError();
  const params: Array<[string, string]> = [
    ['Action', OPERATION],
    ['Version', '2011-06-15'],
    ['RoleArn', input.roleArn],
    ['RoleSessionName', input.roleSessionName],
    ['WebIdentityToken', input.webIdentityToken],
  ];
  if (input.durationSeconds !== undefined) params.push(['DurationSeconds', String(input.durationSeconds)]);
  const body = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  let response: FetchResponseLike;
  let text: string;
  try {
    response = await fetchFn(input.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    text = await response.text();
  } catch (error) {
    if (input.signal?.aborted || (error as { name?: unknown } | null)?.name === 'AbortError') {
      throw new AbortError();
    }
    throw new NetworkError(OPERATION, networkDetail(error));
  }
  const requestId = xmlText(text, 'RequestId') ?? response.headers.get('x-amzn-requestid') ?? undefined;
  if (response.status < 200 || response.status >= 300) {
    const code = xmlText(text, 'Code');
    throw new ServiceError({
      code: code ?? `Http${response.status}`,
      message: code
        ? (xmlText(text, 'Message') ?? 'Unknown')
        : `HTTP ${response.status} with a body that is not a service error`,
      operation: OPERATION,
      statusCode: response.status,
      requestId,
    });
  }
  const credentials = xmlText(text, 'Credentials');
  if (credentials === undefined) throw new InvalidResponseError(OPERATION, 'Credentials are missing');
  const field = (name: string) => {
    const value = xmlText(credentials, name);
    if (!value) throw new InvalidResponseError(OPERATION, `Credentials.${name} is missing`);
    return value;
  };
  const expiration = new Date(field('Expiration'));
  if (!Number.isFinite(expiration.getTime())) {
    throw new InvalidResponseError(OPERATION, 'Credentials.Expiration is not an ISO 8601 timestamp');
  }
  return {
    accessKeyId: field('AccessKeyId'),
    secretAccessKey: field('SecretAccessKey'),
    sessionToken: field('SessionToken'),
    expiration,
    subject: xmlText(text, 'SubjectFromWebIdentityToken'),
  };
}

const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * Wraps a transport so that `getCredentialsForIdentity` runs the basic flow: `getOpenIdToken`
 * on `inner` (which links and merges like GetCredentialsForIdentity), then STS
 * `AssumeRoleWithWebIdentity` with the auth role when the request carries logins, the unauth
 * role otherwise. A developer-authenticated login (`cognito-identity.amazonaws.com`) already is
 * an OpenID token and goes to STS as it is. `getId` and `getOpenIdToken` pass through.
 * @throws ConfigurationError when no role is given, or `inner` has no `getOpenIdToken`.
 */
export function basicFlowTransport(
  inner: CognitoIdentityTransport,
  options: BasicFlowOptions,
): CognitoIdentityTransport {
  if (!inner.getOpenIdToken) {
    throw new ConfigurationError('transport', 'the basic flow needs a transport with getOpenIdToken');
  }
  const getOpenIdToken: NonNullable<CognitoIdentityTransport['getOpenIdToken']> =
    inner.getOpenIdToken.bind(inner);
  const unauthRole = options.unauthRoleArn ?? options.roleArn;
  const authRole = options.authRoleArn ?? options.roleArn;
  if (!unauthRole && !authRole) {
    throw new ConfigurationError(
      'roleArn',
      "flow 'basic' needs roleArn, or unauthRoleArn and/or authRoleArn",
    );
  }
  const roleSessionName = options.roleSessionName ?? 'identity-pool';
  if (!ROLE_SESSION_NAME.test(roleSessionName)) {
    throw new ConfigurationError('roleSessionName', 'must be 2 to 64 of letters, digits and +=,.@_-');
  }
  const url = options.sts.endpoint
    ? options.sts.endpoint.endsWith('/')
      ? options.sts.endpoint
      : `${options.sts.endpoint}/`
    : stsEndpoint(options.sts.region);

  async function getCredentialsForIdentity(input: GetCredentialsForIdentityInput) {
    const logins: LoginsMap | undefined =
      input.logins && Object.keys(input.logins).length ? input.logins : undefined;
    const roleArn = logins ? authRole : unauthRole;
    if (!roleArn) {
      throw new ConfigurationError(
        logins ? 'authRoleArn' : 'unauthRoleArn',
        `flow 'basic' has no role for ${logins ? 'authenticated' : 'guest'} identities`,
      );
    }
    const developerToken = logins?.[COGNITO_IDENTITY_LOGINS_KEY];
    const { identityId, token } =
      developerToken && Object.keys(logins ?? {}).length === 1
        ? { identityId: input.identityId, token: developerToken }
        : await getOpenIdToken({ identityId: input.identityId, logins, signal: input.signal });
    if (typeof token !== 'string' || token.length === 0) {
      throw new InvalidResponseError('GetOpenIdToken', 'Token is missing');
    }
    const { subject, ...credentials } = await assumeRoleWithWebIdentity({
      url,
      fetch: options.sts.fetch,
      roleArn,
      roleSessionName,
      webIdentityToken: token,
      durationSeconds: options.durationSeconds,
      signal: input.signal,
    }).catch((error: unknown) => {
      // STS quotes a value it refuses; the OpenID token buys the role's credentials, and only
      // this transport knows it.
      throw redactValue(error, [token]);
    });
    // STS names the token's subject: the identity the token (and so the credentials) belong to.
    return { identityId: subject ?? identityId, credentials };
  }

  return {
    getId: (input) => inner.getId(input),
    getCredentialsForIdentity,
    getOpenIdToken,
  };
}

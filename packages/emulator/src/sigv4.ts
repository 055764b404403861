/**
 * AWS Signature Version 4 verification (header form: `Authorization: AWS4-HMAC-SHA256 …`) with
 * `node:crypto`: canonical request, string to sign, the derived signing key, and a constant-time
 * comparison. Only what the emulator needs: no presigned URLs, no chunked or unsigned payloads, no
 * time window.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ServiceError } from './errors.js';
import { messages } from './messages.js';

/** An access key pair the emulator accepts signatures from. */
export interface DeveloperCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The parts of an HTTP request a signature covers. */
export interface SignedHttpRequest {
  method: string;
  /** The request path as received (still percent-encoded), without the query. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Header name (any case) → value(s). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body. */
  body: string | Buffer;
}

const algorithm = 'AWS4-HMAC-SHA256';

/** The parsed `Authorization` header. */
export interface AuthorizationHeader {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** RFC 3986 encoding, as SigV4 wants it (`encodeURIComponent` plus `!'()*`). */
function uriEscape(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=…, Signature=…`. */
export function parseAuthorizationHeader(header: string): AuthorizationHeader {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
  if (scheme !== algorithm) {
    throw new ServiceError('IncompleteSignatureException', messages.unsupportedSigningAlgorithm(scheme));
  }
  const parameters = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals !== -1) parameters.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !parameters.get(name));
  if (missing.length > 0) {
    throw new ServiceError('IncompleteSignatureException', messages.incompleteSignature(missing));
  }
  const scope = (parameters.get('Credential') ?? '').split('/');
  const [accessKeyId, date, region, service, terminator] = scope;
  if (scope.length !== 5 || !accessKeyId || !date || !region || !service || terminator !== 'aws4_request') {
    throw new ServiceError(
      'IncompleteSignatureException',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${parameters.get('Credential')}'`,
    );
  }
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: (parameters.get('SignedHeaders') ?? '').split(';').map((name) => name.toLowerCase()),
    signature: (parameters.get('Signature') ?? '').toLowerCase(),
  };
}

function headerValues(request: SignedHttpRequest, name: string): string[] {
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return typeof value === 'string' ? [value] : [...value];
  }
  return [];
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = equals === -1 ? pair : pair.slice(0, equals);
      const value = equals === -1 ? '' : pair.slice(equals + 1);
      return [uriEscape(safeDecode(key)), uriEscape(safeDecode(value))] as const;
    })
    .sort(([keyA, valueA], [keyB, valueB]) =>
      keyA === keyB ? (valueA < valueB ? -1 : 1) : keyA < keyB ? -1 : 1,
    )
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** The canonical URI of a non-S3 service: every segment of the received path encoded again. */
function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => uriEscape(segment))
    .join('/');
}

/** The SigV4 canonical request for `signedHeaders`. */
export function canonicalRequest(request: SignedHttpRequest, signedHeaders: string[]): string {
  const headerLines = signedHeaders.map((name) => {
    const value = headerValues(request, name)
      .map((item) => item.trim().replace(/\s+/g, ' '))
      .join(',');
    return `${name}:${value}\n`;
  });
  // The hash of the body actually received: an `x-amz-content-sha256` header that does not match it
  // makes the signature fail, as it does on the real service.
  const payloadHash = sha256Hex(request.body);
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    headerLines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/** The signing key `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const dateKey = hmac(`AWS4${secretAccessKey}`, date);
  return hmac(hmac(hmac(dateKey, region), service), 'aws4_request');
}

/**
 * Verifies a request's SigV4 `Authorization` header against the known credentials and throws the
 * error the real service framework sends: `MissingAuthenticationTokenException` (no header),
 * `IncompleteSignatureException` (malformed header), `UnrecognizedClientException` (unknown access
 * key), `InvalidSignatureException` (wrong service in the scope, or a signature that does not match).
 * Returns the access key ID on success. The request time is not checked against any clock.
 */
export function verifySigV4(
  request: SignedHttpRequest,
  credentials: readonly DeveloperCredentials[],
  expectedService: string,
): string {
  const header = headerValues(request, 'authorization')[0];
  if (header === undefined) {
    throw new ServiceError('MissingAuthenticationTokenException', messages.missingAuthenticationToken);
  }
  const authorization = parseAuthorizationHeader(header);
  const known = credentials.find((candidate) => candidate.accessKeyId === authorization.accessKeyId);
  if (!known) throw new ServiceError('UnrecognizedClientException', messages.unrecognizedClient);
  if (authorization.service !== expectedService) {
    throw new ServiceError('InvalidSignatureException', messages.wrongSigningService(expectedService));
  }
  const requestDate = headerValues(request, 'x-amz-date')[0] ?? headerValues(request, 'date')[0];
  if (requestDate === undefined) {
    throw new ServiceError('IncompleteSignatureException', messages.missingSigningDate);
  }
  const scope = `${authorization.date}/${authorization.region}/${authorization.service}/aws4_request`;
  const stringToSign = [
    algorithm,
    requestDate,
    scope,
    sha256Hex(canonicalRequest(request, authorization.signedHeaders)),
  ].join('\n');
  const key = signingKey(
    known.secretAccessKey,
    authorization.date,
    authorization.region,
    authorization.service,
  );
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const presented = /^[0-9a-f]{64}$/.test(authorization.signature)
    ? Buffer.from(authorization.signature, 'hex')
    : Buffer.alloc(0);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw new ServiceError('InvalidSignatureException', messages.signatureMismatch);
  }
  return known.accessKeyId;
}

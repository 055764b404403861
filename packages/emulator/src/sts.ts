/**
 * The STS side of the basic (classic) flow: `AssumeRoleWithWebIdentity` over the awsQuery protocol
 * (API 2011-06-15: a form-encoded `POST /`, an XML answer). It accepts only OpenID tokens this
 * emulator signed, and only for roles that trust the token's pool (research doc §4, §3.8).
 */
import { createHash } from 'node:crypto';
import { issueCredentials } from './credentials.js';
import { ServiceError } from './errors.js';
import type { IdentityStore } from './identity-store.js';
import { decodeJwt, type JsonObject } from './jwt.js';
import { type OpenIdTokenSigner, openIdIssuer } from './openid-token.js';
import type { PoolInfo } from './types.js';
import { validateInput } from './validation.js';

/** The XML namespace of every STS response. */
export const stsNamespace = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** The STS API version the emulator speaks. */
export const stsApiVersion = '2011-06-15';
/** The content type of awsQuery requests. */
export const formContentType = 'application/x-www-form-urlencoded';

/** The `Provider` STS reports for Cognito OpenID tokens (the `iss` without its scheme). */
export const cognitoStsProvider = openIdIssuer.replace(/^https:\/\//, '');

/** An STS error: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>…`. */
export class StsError extends Error {
  override readonly name = 'StsError';

  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** STS error texts, verbatim where observed (`[OBS]` in the research doc). */
export const stsMessages = {
  /** [OBS] amplify-js#9704: a token that is not a JWT. */
  notAJwt: 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
  /** [OBS] the text STS sends for an issuer without an OIDC provider in the account. */
  unknownIssuer: (issuer: string): string => `No OpenIDConnect provider found in your account for ${issuer}`,
  /** The emulator's text for a Cognito-issued token whose signature does not verify. */
  badSignature: 'The web identity token signature could not be verified.',
  /** [OBS] (sic: no space before the expiry). */
  tokenExpired: (nowSeconds: number, expiresAtSeconds: number): string =>
    `Token expired: current date/time ${nowSeconds} must be before the expiration date/time${expiresAtSeconds}`,
  /** [DOC] a role whose trust policy does not allow the token. */
  accessDenied: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  /** [OBS] a malformed role ARN. */
  invalidArn: 'Request ARN is invalid',
  unknownAction: (action: string, version: string): string =>
    `Could not find operation ${action} for version ${version}`,
  rateExceeded: 'Rate exceeded',
  internalFailure: 'An internal error occurred.',
} as const;

/** The result members of `AssumeRoleWithWebIdentity`. */
export interface AssumeRoleWithWebIdentityResult {
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
  SubjectFromWebIdentityToken: string;
  AssumedRoleUser: { AssumedRoleId: string; Arn: string };
  Provider: string;
  Audience: string;
}

/** The result of an STS request. */
export type StsOutcome =
  | { ok: true; operation: string; input: Record<string, string>; result: AssumeRoleWithWebIdentityResult }
  | { ok: false; operation: string; input: Record<string, string>; error: StsError };

/** What the STS operation works with. */
export interface StsContext {
  readonly store: IdentityStore;
  now(): number;
  readonly openIdSigner: OpenIdTokenSigner;
}

/** True for an awsQuery request: a form-encoded body and no `X-Amz-Target`. */
export function isStsRequest(contentType: string | undefined, target: string | undefined): boolean {
  if (target !== undefined) return false;
  return (contentType?.split(';')[0] ?? '').trim().toLowerCase() === formContentType;
}

/** The `Action` of a form body (for the call log and fault matching), or `''`. */
export function stsActionOf(body: string): string {
  return new URLSearchParams(body).get('Action') ?? '';
}

/** The roles that trust a pool: its `trustedRoleArns`, else its own authenticated and unauthenticated roles. */
export function trustedRolesOf(pool: PoolInfo): string[] {
  if (pool.trustedRoleArns) return [...pool.trustedRoleArns];
  if (pool.roles === false) return [];
  return [pool.roles.authenticated, pool.roles.unauthenticated].filter(
    (role): role is string => role !== undefined,
  );
}

const roleArnPattern = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

const inputShape = {
  RoleArn: { type: 'string', required: true, min: 20, max: 2048 },
  RoleSessionName: { type: 'string', required: true, min: 2, max: 64, pattern: '[\\w+=,.@-]*' },
  WebIdentityToken: { type: 'string', required: true, min: 4, max: 20000 },
  ProviderId: { type: 'string', min: 4, max: 2048 },
  Policy: { type: 'string', min: 1, max: 2048 },
  DurationSeconds: { type: 'long', min: 900, max: 43200 },
} as const;

/** Default lifetime of STS credentials. */
export const stsDefaultDurationSeconds = 3600;

function alphanumericId(seed: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let index = 0; index < length; index++) id += alphabet[(digest[index] ?? 0) % alphabet.length];
  return id;
}

/** ISO 8601 without milliseconds, as STS writes `Expiration`. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function validated(form: URLSearchParams): {
  RoleArn: string;
  RoleSessionName: string;
  WebIdentityToken: string;
  DurationSeconds?: number;
} {
  const body: JsonObject = {};
  for (const member of Object.keys(inputShape)) {
    const value = form.get(member);
    if (value === null) continue;
    body[member] = member === 'DurationSeconds' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  }
  try {
    return validateInput(inputShape, body);
  } catch (error) {
    if (error instanceof ServiceError) throw new StsError('ValidationError', error.message);
    throw error;
  }
}

function assumeRoleWithWebIdentity(
  context: StsContext,
  form: URLSearchParams,
): AssumeRoleWithWebIdentityResult {
  const input = validated(form);
  const arn = roleArnPattern.exec(input.RoleArn);
  if (!arn) throw new StsError('ValidationError', stsMessages.invalidArn);
  const [, accountId, roleName] = arn as unknown as [string, string, string];

  const decoded = decodeJwt(input.WebIdentityToken);
  if (!decoded) throw new StsError('InvalidIdentityToken', stsMessages.notAJwt);
  const issuer = decoded.payload.iss;
  if (issuer !== openIdIssuer) {
    throw new StsError('InvalidIdentityToken', stsMessages.unknownIssuer(String(issuer)));
  }
  const claims = context.openIdSigner.verify(input.WebIdentityToken);
  if (!claims || typeof claims.sub !== 'string' || typeof claims.aud !== 'string') {
    throw new StsError('InvalidIdentityToken', stsMessages.badSignature);
  }
  const now = context.now();
  const nowSeconds = Math.floor(now / 1000);
  const expiresAt = typeof claims.exp === 'number' ? claims.exp : 0;
  if (nowSeconds >= expiresAt) {
    throw new StsError('ExpiredTokenException', stsMessages.tokenExpired(nowSeconds, expiresAt));
  }

  const pool = context.store.pool(claims.aud);
  if (!pool || !trustedRolesOf(pool).includes(input.RoleArn)) {
    throw new StsError('AccessDenied', stsMessages.accessDenied, 403);
  }
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  const roles = pool.roles === false ? {} : pool.roles;
  const wrongAuthenticatedRole = input.RoleArn === roles.authenticated && !amr.includes('authenticated');
  const wrongGuestRole = input.RoleArn === roles.unauthenticated && !amr.includes('unauthenticated');
  if (wrongAuthenticatedRole || wrongGuestRole) {
    throw new StsError('AccessDenied', stsMessages.accessDenied, 403);
  }

  const duration = input.DurationSeconds ?? stsDefaultDurationSeconds;
  const credentials = issueCredentials(now, duration);
  const partition = input.RoleArn.split(':')[1] ?? 'aws';
  return {
    Credentials: {
      AccessKeyId: credentials.AccessKeyId,
      SecretAccessKey: credentials.SecretKey,
      SessionToken: credentials.SessionToken,
      Expiration: isoSeconds(now + duration * 1000),
    },
    SubjectFromWebIdentityToken: claims.sub,
    AssumedRoleUser: {
      AssumedRoleId: `AROA${alphanumericId(input.RoleArn, 17)}:${input.RoleSessionName}`,
      Arn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${input.RoleSessionName}`,
    },
    Provider: cognitoStsProvider,
    Audience: claims.aud,
  };
}

/**
 * Answers an awsQuery request body. Only `AssumeRoleWithWebIdentity` (version 2011-06-15) is
 * implemented; any other action → `InvalidAction`.
 */
export function invokeSts(
  context: StsContext,
  body: string,
  onUnexpectedError?: (error: unknown) => void,
): StsOutcome {
  const form = new URLSearchParams(body);
  const operation = form.get('Action') ?? '';
  const input: Record<string, string> = {};
  for (const [key, value] of form) if (key !== 'WebIdentityToken') input[key] = value;
  try {
    const version = form.get('Version') ?? '';
    if (operation !== 'AssumeRoleWithWebIdentity' || version !== stsApiVersion) {
      throw new StsError('InvalidAction', stsMessages.unknownAction(operation, version));
    }
    return { ok: true, operation, input, result: assumeRoleWithWebIdentity(context, form) };
  } catch (error) {
    if (error instanceof StsError) return { ok: false, operation, input, error };
    onUnexpectedError?.(error);
    return {
      ok: false,
      operation,
      input,
      error: new StsError('InternalFailure', stsMessages.internalFailure, 500, 'Receiver'),
    };
  }
}

/** The identity and pool a web identity token names, read without verifying it (for the call log). */
export function tokenSubjectOf(body: string): { identityId?: string; identityPoolId?: string } {
  const token = new URLSearchParams(body).get('WebIdentityToken');
  const payload = token ? decodeJwt(token)?.payload : undefined;
  const result: { identityId?: string; identityPoolId?: string } = {};
  if (typeof payload?.sub === 'string') result.identityId = payload.sub;
  if (typeof payload?.aud === 'string') result.identityPoolId = payload.aud;
  return result;
}

/** Escapes XML text content. */
function escapeXml(text: string): string {
  return text.replace(
    /[<>&]/g,
    (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[character] ?? character,
  );
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

/** The XML of a successful `AssumeRoleWithWebIdentity`. */
export function assumeRoleWithWebIdentityXml(
  result: AssumeRoleWithWebIdentityResult,
  requestId: string,
): string {
  const { Credentials: credentials, AssumedRoleUser: user } = result;
  const inner = [
    element('Audience', escapeXml(result.Audience)),
    element(
      'AssumedRoleUser',
      element('Arn', escapeXml(user.Arn)) + element('AssumedRoleId', escapeXml(user.AssumedRoleId)),
    ),
    element('Provider', escapeXml(result.Provider)),
    element(
      'Credentials',
      element('AccessKeyId', credentials.AccessKeyId) +
        element('SecretAccessKey', escapeXml(credentials.SecretAccessKey)) +
        element('SessionToken', escapeXml(credentials.SessionToken)) +
        element('Expiration', credentials.Expiration),
    ),
    element('SubjectFromWebIdentityToken', escapeXml(result.SubjectFromWebIdentityToken)),
  ].join('');
  return (
    `<AssumeRoleWithWebIdentityResponse xmlns="${stsNamespace}">` +
    element('AssumeRoleWithWebIdentityResult', inner) +
    element('ResponseMetadata', element('RequestId', requestId)) +
    '</AssumeRoleWithWebIdentityResponse>\n'
  );
}

/** The XML of an STS error. */
export function stsErrorXml(error: StsError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${stsNamespace}">` +
    element(
      'Error',
      element('Type', error.type) +
        element('Code', error.code) +
        element('Message', escapeXml(error.message)),
    ) +
    element('RequestId', requestId) +
    '</ErrorResponse>\n'
  );
}

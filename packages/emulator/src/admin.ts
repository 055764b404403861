/**
 * The admin HTTP API under `/__admin/` (JSON in, JSON out, CORS enabled), for the CLI, the
 * browser demo and other processes. It drives the same methods as the in-process {@link Emulator}.
 */
import type { IncomingMessage } from 'node:http';
import { assertValidFault } from './faults.js';
import { type HttpResponse, jsonResponse } from './http.js';
import { NotFoundError } from './identity-store.js';
import { isJsonObject, type JsonObject, parseJsonObject } from './jwt.js';
import type { Emulator, MintTokenOptions, MintUserPoolTokensOptions, PoolOptions } from './types.js';

/** The path prefix of the admin API. */
export const adminPathPrefix = '/__admin/';

/** The methods admin routes answer preflights with. */
export const adminAllowMethods = 'GET, POST, PATCH, DELETE, OPTIONS';

/** The emulator surface the admin API drives. */
export type AdminTarget = Omit<Emulator, 'close'>;

class BadRequestError extends Error {}

function optional<T>(
  body: JsonObject,
  key: string,
  check: (value: unknown) => value is T,
  expected: string,
): T | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw new BadRequestError(`'${key}' must be ${expected}`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isStringMap = (value: unknown): value is Record<string, string> =>
  isJsonObject(value) && Object.values(value).every(isString);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isRoles = (value: unknown): value is PoolOptions['roles'] =>
  value === false ||
  (isJsonObject(value) &&
    Object.entries(value).every(
      ([key, role]) => ['authenticated', 'unauthenticated'].includes(key) && isString(role),
    ));

/** Reads pool options from a JSON body; for a patch only the members present are returned. */
function parsePoolOptions(body: JsonObject): PoolOptions {
  const options: PoolOptions = {};
  const identityPoolId = optional(body, 'identityPoolId', isString, 'a string');
  if (identityPoolId !== undefined) options.identityPoolId = identityPoolId;
  const allowGuests = optional(body, 'allowUnauthenticatedIdentities', isBoolean, 'a boolean');
  if (allowGuests !== undefined) options.allowUnauthenticatedIdentities = allowGuests;
  const allowClassicFlow = optional(body, 'allowClassicFlow', isBoolean, 'a boolean');
  if (allowClassicFlow !== undefined) options.allowClassicFlow = allowClassicFlow;
  const providers = optional(body, 'supportedLoginProviders', isStringMap, 'an object of strings');
  if (providers !== undefined) options.supportedLoginProviders = providers;
  const developerProviderName = optional(body, 'developerProviderName', isString, 'a string');
  if (developerProviderName !== undefined) options.developerProviderName = developerProviderName;
  const roles = optional(body, 'roles', isRoles, 'false or { authenticated?, unauthenticated? }');
  if (roles !== undefined) options.roles = roles;
  const trustedRoleArns = optional(body, 'trustedRoleArns', isStringList, 'a list of strings');
  if (trustedRoleArns !== undefined) options.trustedRoleArns = trustedRoleArns;
  return options;
}

function parseTokenRequest(body: JsonObject): { providerName: string; options: MintTokenOptions } {
  const providerName = optional(body, 'providerName', isString, 'a string');
  if (!providerName) throw new BadRequestError("'providerName' is required");
  const options: MintTokenOptions = {};
  const subject = optional(body, 'subject', isString, 'a string');
  if (subject !== undefined) options.subject = subject;
  const audience = optional(body, 'audience', isString, 'a string');
  if (audience !== undefined) options.audience = audience;
  const expiresInSeconds = optional(body, 'expiresInSeconds', isNumber, 'a number');
  if (expiresInSeconds !== undefined) options.expiresInSeconds = expiresInSeconds;
  const issuedAt = optional(body, 'issuedAt', isNumber, 'a number');
  if (issuedAt !== undefined) options.issuedAt = issuedAt;
  return { providerName, options };
}

function parseUserPoolTokenRequest(body: JsonObject): {
  userPoolId: string;
  options: MintUserPoolTokensOptions;
} {
  const userPoolId = optional(body, 'userPoolId', isString, 'a string');
  if (!userPoolId) throw new BadRequestError("'userPoolId' is required");
  const options: MintUserPoolTokensOptions = {};
  for (const key of ['clientId', 'subject', 'username'] as const) {
    const value = optional(body, key, isString, 'a string');
    if (value !== undefined) options[key] = value;
  }
  for (const key of ['expiresInSeconds', 'issuedAt'] as const) {
    const value = optional(body, key, isNumber, 'a number');
    if (value !== undefined) options[key] = value;
  }
  return { userPoolId, options };
}

function parseBody(text: string): JsonObject {
  if (text.trim() === '') return {};
  const body = parseJsonObject(text);
  if (!body) throw new BadRequestError('The body must be a JSON object');
  return body;
}

/** The full state, as `GET /__admin/state` returns it. */
export function adminState(target: AdminTarget): JsonObject {
  return {
    endpoint: target.endpoint,
    region: target.region,
    clockOffsetMs: target.clockOffset(),
    developerCredentials: { ...target.developerCredentials },
    pools: target.pools(),
    identities: target.identities(),
    calls: target.calls,
    faults: target.faults.pending(),
  };
}

function route(target: AdminTarget, method: string, path: string, url: URL, body: JsonObject): unknown {
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [resource, id, action] = segments;
  const key = `${method} ${resource ?? ''}${id === undefined ? '' : '/:id'}${action === undefined ? '' : `/${action}`}`;
  const requireId = (): string => id ?? '';
  switch (key) {
    case 'GET state':
      return adminState(target);
    case 'GET pools':
      return target.pools();
    case 'POST pools':
      return target.createPool(parsePoolOptions(body));
    case 'PATCH pools/:id':
      target.updatePool(requireId(), parsePoolOptions(body));
      return target.pools().find((pool) => pool.identityPoolId === id);
    case 'DELETE pools/:id':
      target.deletePool(requireId());
      return {};
    case 'POST tokens': {
      const { providerName, options } = parseTokenRequest(body);
      return { token: target.idp.mintToken(providerName, options) };
    }
    case 'POST tokens/:id': {
      if (id !== 'user-pool')
        throw new NotFoundError(`No admin route for ${method} ${adminPathPrefix}${path}`);
      const { userPoolId, options } = parseUserPoolTokenRequest(body);
      try {
        return target.idp.mintUserPoolTokens(userPoolId, options);
      } catch (error) {
        throw new BadRequestError((error as Error).message);
      }
    }
    case 'GET faults':
      return target.faults.pending();
    case 'POST faults':
      try {
        assertValidFault(body);
      } catch (error) {
        throw new BadRequestError((error as Error).message);
      }
      target.faults.inject(body);
      return { pending: target.faults.pending() };
    case 'DELETE faults':
      target.faults.clear();
      return { pending: [] };
    case 'GET identities': {
      const poolId = url.searchParams.get('identityPoolId');
      return target.identities(poolId ?? undefined);
    }
    case 'GET identities/:id': {
      const identity = target.identity(requireId());
      if (!identity) throw new NotFoundError(`Identity '${id}' not found.`);
      return identity;
    }
    case 'POST identities/:id/delete':
      target.deleteIdentity(requireId());
      return target.identity(requireId());
    case 'POST identities/:id/disable':
      target.disableIdentity(requireId());
      return target.identity(requireId());
    case 'GET clock':
      return { offsetMs: target.clockOffset() };
    case 'POST clock': {
      const offsetMs = optional(body, 'offsetMs', isNumber, 'a number');
      if (offsetMs === undefined) throw new BadRequestError("'offsetMs' is required");
      target.setClockOffset(offsetMs);
      return { offsetMs };
    }
    case 'GET calls':
      return target.calls;
    case 'DELETE calls':
      target.resetCalls();
      return {};
    default:
      throw new NotFoundError(`No admin route for ${method} ${adminPathPrefix}${segments.join('/')}`);
  }
}

/**
 * Answers an admin request. Routes: `GET state`; `GET|POST pools`; `PATCH|DELETE pools/<id>`;
 * `POST tokens`; `GET|POST|DELETE faults`; `GET identities[?identityPoolId=]`; `GET identities/<id>`;
 * `POST identities/<id>/delete|disable`; `GET|POST clock`; `GET|DELETE calls`.
 * Bad input → 400 `{error}`; unknown route, pool or identity → 404 `{error}`.
 */
export function handleAdminRequest(
  target: AdminTarget,
  request: IncomingMessage,
  bodyText: string,
): HttpResponse {
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');
  const path = url.pathname.slice(adminPathPrefix.length);
  try {
    const body = parseBody(bodyText);
    return jsonResponse(200, route(target, request.method ?? 'GET', path, url, body) ?? {});
  } catch (error) {
    const status = error instanceof NotFoundError ? 404 : 400;
    return jsonResponse(status, { error: error instanceof Error ? error.message : String(error) });
  }
}

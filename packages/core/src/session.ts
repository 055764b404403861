/**
 * The network and storage work of a session, one async function per invoked actor of the
 * machine. Each makes at most one request per operation (plus bounded retries), checks what the
 * service answered, and writes the identity to storage before it resolves — so the machine
 * never hands out credentials for an identity that is not stored yet.
 */
import { type ClockSkew, correctedNow, noteExpiration, noteServerTime, type TimerClock } from './clock.js';
import { ConfigurationError, InvalidResponseError, LoginRequiredError, redactSecrets } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { withRetry } from './retry.js';
import type { SessionStore, StoredIdentity } from './storage/session-store.js';
import { checkCredentials, checkIdentityId } from './transports/validate.js';
import type { CognitoIdentityTransport, IdentityPoolCredentials, LoginProvider, LoginsMap } from './types.js';

/** Everything the session's work needs; built once by `createIdentityPoolAuth`. */
export interface SessionDeps {
  options: ResolvedOptions;
  transport: CognitoIdentityTransport;
  store: SessionStore;
  clock: TimerClock;
  /**
   * The service's clock offset, estimated from responses (mutable; see `ClockSkew`). Every
   * expiry decision uses `serviceNow(deps)`. Absent: no correction.
   */
  skew?: ClockSkew | undefined;
}

/** Now, on the service's clock (the clock credentials' `Expiration` is on). */
export function serviceNow(deps: Pick<SessionDeps, 'clock' | 'skew'>): number {
  return correctedNow(deps.clock, deps.skew);
}

/** Whether credentials have more than a minute of life left, on the service's clock. */
export function hasLifeLeft(
  credentials: IdentityPoolCredentials | undefined,
  deps: Pick<SessionDeps, 'clock' | 'skew'>,
): credentials is IdentityPoolCredentials {
  return !!credentials && credentials.expiration.getTime() - serviceNow(deps) > MIN_CREDENTIAL_LIFETIME_MS;
}

/** A login of the session. Tokens live here, in memory, and nowhere else. */
export interface LoginEntry {
  token?: string | undefined;
  /** Epoch ms. */
  expiresAt?: number | undefined;
  provider?: LoginProvider | undefined;
}
export type Logins = Readonly<Record<string, LoginEntry>>;

/** Credentials with less life than this are never handed out. */
export const MIN_CREDENTIAL_LIFETIME_MS = 60_000;

/** A token this close to its expiry is renewed before use. */
export const LOGIN_TOKEN_RENEW_MS = 60_000;

/**
 * Turns the session's logins into a `Logins` map, renewing silently (`getToken`) any token that
 * is missing, about to expire, or — with `force` — refused by the service.
 * @throws LoginRequiredError for each login that has no usable token and cannot get one.
 */
export async function resolveLogins(
  logins: Logins,
  { now, force, signal }: { now: number; force: boolean; signal?: AbortSignal | undefined },
): Promise<{ map: LoginsMap; logins: Record<string, LoginEntry> }> {
  const map: LoginsMap = {};
  const next: Record<string, LoginEntry> = {};
  const missing: string[] = [];
  await Promise.all(
    Object.entries(logins).map(async ([key, entry]) => {
      const stale =
        force ||
        !entry.token ||
        (entry.expiresAt !== undefined && entry.expiresAt - now <= LOGIN_TOKEN_RENEW_MS);
      let current = entry;
      if (stale && entry.provider?.getToken) {
        const renewed = await entry.provider.getToken(signal ? { signal } : undefined);
        current = renewed
          ? { provider: entry.provider, token: renewed.token, expiresAt: renewed.expiresAt }
          : { provider: entry.provider };
      } else if (stale && (force || (entry.expiresAt !== undefined && entry.expiresAt <= now))) {
        current = { provider: entry.provider };
      }
      next[key] = current;
      if (current.token) map[key] = current.token;
      else missing.push(key);
    }),
  );
  if (missing.length) throw new LoginRequiredError(missing.sort());
  return { map, logins: next };
}

/** Runs a request; an error it throws never carries one of the login tokens it was sent. */
async function redacting<T>(tokens: string[], request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw redactSecrets(error, tokens);
  }
}

function throwIfAborted(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw signal.reason;
}

export interface RestoredSession {
  identity?: StoredIdentity | undefined;
  credentials?: IdentityPoolCredentials | undefined;
}

/** Reads the stored identity (and credentials, with `persistCredentials`). Never throws. */
export async function restoreSession(deps: SessionDeps): Promise<RestoredSession> {
  const identity = await deps.store.loadIdentity();
  if (!identity) return {};
  const credentials = deps.options.persistCredentials
    ? await deps.store.loadCredentials(identity.identityId)
    : undefined;
  return { identity, credentials };
}

export interface IdentityRequest {
  deps: SessionDeps;
  logins: Logins;
  forceTokenRenewal: boolean;
}
export interface IdentityResult extends StoredIdentity {
  logins: Record<string, LoginEntry>;
}

/** GetId — a guest identity without logins, the login's identity with them — then stores it. */
export async function obtainIdentity(
  request: IdentityRequest,
  signal?: AbortSignal,
): Promise<IdentityResult> {
  const { deps } = request;
  const { map, logins } = await resolveLogins(request.logins, {
    now: deps.clock.now(),
    force: request.forceTokenRenewal,
    signal,
  });
  const providers = Object.keys(map).sort();
  const out = await redacting(Object.values(map), () =>
    withRetry(
      () =>
        deps.transport.getId({
          identityPoolId: deps.options.identityPoolId,
          accountId: deps.options.accountId,
          logins: providers.length ? map : undefined,
          signal,
        }),
      deps.options.retry,
      deps.clock,
      signal,
    ),
  );
  noteServerTime(deps.skew, out?.serverTime, deps.clock.now());
  const identity: StoredIdentity = {
    identityId: checkIdentityId('GetId', out?.identityId),
    authenticated: providers.length > 0,
    providers,
  };
  throwIfAborted(signal);
  await deps.store.saveIdentity(identity);
  return { ...identity, logins };
}

export interface CredentialsRequest extends IdentityRequest {
  /** The identity as the session knows it. */
  identity: StoredIdentity;
}
export interface CredentialsResult extends IdentityResult {
  credentials: IdentityPoolCredentials;
}

/**
 * GetCredentialsForIdentity for the session's identity with its logins. The answer's identity
 * may differ (Cognito merged ours into the login's owner): that one is adopted and stored.
 */
export async function obtainCredentials(
  request: CredentialsRequest,
  signal?: AbortSignal,
): Promise<CredentialsResult> {
  const { deps, identity } = request;
  const { map, logins } = await resolveLogins(request.logins, {
    now: deps.clock.now(),
    force: request.forceTokenRenewal,
    signal,
  });
  const loginKeys = Object.keys(map);
  const out = await redacting(Object.values(map), () =>
    withRetry(
      () =>
        deps.transport.getCredentialsForIdentity({
          identityId: identity.identityId,
          logins: loginKeys.length ? map : undefined,
          customRoleArn: deps.options.customRoleArn,
          signal,
        }),
      deps.options.retry,
      deps.clock,
      signal,
    ),
  );
  const identityId = checkIdentityId('GetCredentialsForIdentity', out?.identityId);
  const serviceCredentials = checkCredentials('GetCredentialsForIdentity', out?.credentials);
  const receivedAt = deps.clock.now();
  noteServerTime(deps.skew, out?.serverTime, receivedAt);
  noteExpiration(deps.skew, serviceCredentials.expiration.getTime(), receivedAt);
  if (serviceCredentials.expiration.getTime() - serviceNow(deps) <= MIN_CREDENTIAL_LIFETIME_MS) {
    // Handing these out would break the one-minute promise; asking again at once would loop.
    throw new InvalidResponseError(
      'GetCredentialsForIdentity',
      `the credentials expire at ${serviceCredentials.expiration.toISOString()}, under a minute from now (is the clock skewed?)`,
    );
  }
  const credentials: IdentityPoolCredentials = Object.freeze({ ...serviceCredentials, identityId });
  const kept = identityId === identity.identityId ? identity.providers : [];
  const next: StoredIdentity = {
    identityId,
    authenticated: loginKeys.length > 0,
    providers: [...new Set([...kept, ...loginKeys])].sort(),
  };
  throwIfAborted(signal);
  // Written on every success, not only on change: a shared store (Redis) that lost the key
  // gets it back at the next refresh. One small write an hour.
  await deps.store.saveIdentity(next);
  if (deps.options.persistCredentials) await deps.store.saveCredentials(credentials);
  return { ...next, logins, credentials };
}

/**
 * UnlinkIdentity: removes `providerName`'s login from the identity, proving ownership with the
 * session's other logins, then stores the identity without it.
 */
export async function unlinkLogin(
  request: { deps: SessionDeps; identity: StoredIdentity; logins: Logins; providerName: string },
  signal?: AbortSignal,
): Promise<void> {
  const { deps, identity } = request;
  const unlink = deps.transport.unlinkIdentity;
  if (!unlink)
    throw new ConfigurationError('transport', 'has no unlinkIdentity(), which removeLogin() needs');
  const { map } = await resolveLogins(request.logins, { now: serviceNow(deps), force: false, signal });
  await redacting(Object.values(map), () =>
    withRetry(
      () =>
        unlink.call(deps.transport, {
          identityId: identity.identityId,
          logins: map,
          loginsToRemove: [request.providerName],
          signal,
        }),
      deps.options.retry,
      deps.clock,
      signal,
    ),
  );
  throwIfAborted(signal);
  await deps.store.saveIdentity({
    ...identity,
    providers: identity.providers.filter((provider) => provider !== request.providerName),
  });
}

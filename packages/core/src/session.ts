/**
 * The network and storage work of a session, one async function per invoked actor of the
 * machine. Each makes at most one request per operation (plus bounded retries), checks what the
 * service answered, and writes the identity to storage before it resolves — so the machine
 * never hands out credentials for an identity that is not stored yet.
 */

import { type ClockSkew, correctedNow, noteExpiration, noteServerTime, type TimerClock } from './clock.js';
import { withDeadline } from './deadline.js';
import { ConfigurationError, InvalidResponseError, LoginRequiredError, redactSecrets } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { withRetry } from './retry.js';
import {
  type IdentityStamp,
  type SessionStore,
  type StoredIdentity,
  sameIdentity,
  storedIdentityOf,
} from './storage/session-store.js';
import {
  type HeldTabLock,
  isNewer,
  isPlausibleStamp,
  type SharedCredentials,
  type SharedLogin,
  type SharedLogins,
  type TabCoordinator,
  type TabRecord,
} from './tabs.js';
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
  /** Coordination with the other tabs of the origin (`tabs.ts`). Absent: single-tab. */
  tabs?: TabCoordinator | undefined;
}

/** Whether the session coordinates with other tabs (lock, re-read, broadcast). */
const coordinating = (deps: SessionDeps): deps is SessionDeps & { tabs: TabCoordinator } =>
  deps.tabs?.mode === 'tabs';

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
  /** The identity the token was issued for (`LoginToken.identityId`). */
  identityId?: string | undefined;
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
          ? {
              provider: entry.provider,
              token: renewed.token,
              expiresAt: renewed.expiresAt,
              identityId: renewed.identityId,
            }
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

/** One attempt of a service request, within the session's `requestTimeoutMs` (`deadline.ts`). */
const timeBoxed = <T>(
  deps: SessionDeps,
  operation: string,
  signal: AbortSignal | undefined,
  request: (signal: AbortSignal) => Promise<T>,
) => withDeadline(operation, deps.options.requestTimeoutMs, deps.clock, signal, request);

function throwIfAborted(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw signal.reason;
}

/**
 * The stored identity and its stamp; a stamp with sequence numbers no tab could have made (storage
 * is untrusted) is dropped, so it cannot outrank every later sign-out.
 */
export async function loadStampedIdentity(store: SessionStore) {
  const stored = await store.loadStampedIdentity();
  return stored?.stamp && !isPlausibleStamp(stored.stamp) ? { identity: stored.identity } : stored;
}

export interface RestoredSession {
  identity?: StoredIdentity | undefined;
  credentials?: IdentityPoolCredentials | undefined;
  /** The login tokens of the user another tab signed in (never from storage). */
  logins?: Record<string, LoginEntry> | undefined;
}

/**
 * Reads the stored identity (and credentials, with `persistCredentials`). Never throws.
 * Coordinating tabs, the stored identity is not used when the tabs' newest record is a later
 * state (a sign-out, another identity: storage lags in Chromium, or was read while another tab
 * logged out), nor when a sign-out was heard while it was read: the session starts empty, and
 * its first request, under the lock, finds what the tabs hold.
 */
export async function restoreSession(deps: SessionDeps): Promise<RestoredSession> {
  let heard = deps.tabs?.signedOutAt ?? 0;
  const stored = await loadStampedIdentity(deps.store);
  const latest = coordinating(deps) ? await deps.tabs.peek() : undefined;
  // One signed-in user per origin: a session that starts without logins of its own serves the user
  // another tab signed in (storage never has the login's token).
  if (coordinating(deps) && latest && Object.keys(deps.options.logins).length === 0) {
    const signedIn = await signedInElsewhere(deps, latest);
    if (signedIn) return signedIn;
  }
  if (!stored) return {};
  const { identity, stamp } = stored;
  if (coordinating(deps)) {
    const behind =
      !!latest && latest.identity?.identityId !== identity.identityId && !(stamp && isNewer(stamp, latest));
    if (behind) return {};
    heard = Math.max(heard, latest?.signedOutAt ?? 0);
    if (deps.tabs.signedOutAt > heard) return {};
  }
  const credentials = deps.options.persistCredentials
    ? await deps.store.loadCredentials(identity.identityId)
    : undefined;
  // A sign-out heard while the credentials were read ends what was read.
  if (coordinating(deps) && deps.tabs.signedOutAt > heard) return {};
  return { identity, credentials };
}

/**
 * The user signed in in another tab, when the newest record is theirs: their identity, the
 * credentials broadcast with it and the login tokens (asked of the tab that holds them, briefly).
 */
async function signedInElsewhere(
  deps: SessionDeps & { tabs: TabCoordinator },
  latest: TabRecord,
): Promise<RestoredSession | undefined> {
  const identity = latest.identity;
  if (!identity?.authenticated || latest.expiration === undefined) return undefined;
  const heard = deps.tabs.signedOutAt;
  const shared = await deps.tabs.credentialsOf(latest, SHARED_CREDENTIALS_WAIT_MS);
  if (!shared?.logins || !hasLifeLeft(shared.credentials, deps) || deps.tabs.signedOutAt > heard)
    return undefined;
  void storeAdoptedFromMessage(deps, { identity, credentials: shared.credentials }, latest, () => true);
  return { identity, credentials: shared.credentials, logins: borrowLogins(shared.logins, {}) };
}

/** The session's login tokens as they cross tabs (in memory): none for a guest. */
export function sharedLoginsOf(identity: StoredIdentity, logins: Logins): SharedLogins | undefined {
  if (!identity.authenticated) return undefined;
  const shared: Record<string, SharedLogin> = {};
  for (const [key, entry] of Object.entries(logins)) {
    if (entry.token && identity.providers.includes(key))
      shared[key] = { token: entry.token, expiresAt: entry.expiresAt, identityId: entry.identityId };
  }
  return Object.keys(shared).length > 0 ? shared : undefined;
}

/**
 * Another tab's login tokens as this session keeps them: its own provider is kept for the same
 * key, so this tab can renew the token too.
 */
export function borrowLogins(shared: SharedLogins, own: Logins): Record<string, LoginEntry> {
  return Object.fromEntries(
    Object.entries(shared).map(([key, login]) => [key, { ...login, provider: own[key]?.provider }]),
  );
}

export interface IdentityRequest {
  deps: SessionDeps;
  logins: Logins;
  forceTokenRenewal: boolean;
  /** An identity the service just said is gone: never taken from another tab. */
  avoidIdentityId?: string | undefined;
}
export interface IdentityResult extends StoredIdentity {
  logins: Record<string, LoginEntry>;
}

/**
 * GetId — a guest identity without logins, the login's identity with them — then stores it.
 * Coordinating tabs: under the pool's lock, and a guest identity another tab already obtained is
 * used instead (`tabs.ts`).
 */
export async function obtainIdentity(
  request: IdentityRequest,
  signal?: AbortSignal,
): Promise<IdentityResult> {
  const { deps } = request;
  if (!coordinating(deps)) return getId(request, signal);
  return deps.tabs.withLock(async (held) => {
    // A sign-out this tab had not heard of was delivered when the lock was granted.
    throwIfAborted(signal);
    if (Object.keys(request.logins).length === 0) {
      const known = await guestOfAnotherTab(held, request);
      throwIfAborted(signal);
      // A sign-out heard meanwhile may have ended what the record or storage showed.
      if (known && deps.tabs.signedOutAt === (held.stamp?.signedOutAt ?? 0)) {
        // Stored here too, as if this tab had made it: per-tab storage restores it after a reload.
        if (known.record) await deps.store.saveIdentity(known.identity, known.record);
        return { ...known.identity, logins: {} };
      }
    }
    for (let attempt = 1; ; attempt++) {
      // Asked after every sign-out heard so far, the answer stands above them.
      if (deps.tabs.signedOutAt > (held.stamp?.signedOutAt ?? deps.tabs.signedOutAt)) held.restamp();
      const heard = deps.tabs.signedOutAt;
      const result = await getId(request, signal);
      throwIfAborted(signal);
      // A sign-out heard meanwhile (another tab's logout does not wait for this lock) ends what
      // was asked for before it: ask again, after it. Twice at most; the last answer stands above.
      const last = attempt === MAX_GET_ID_UNDER_SIGN_OUTS;
      if (last) held.restamp();
      if (deps.tabs.signedOutAt === heard || last) {
        const identity = storedIdentityOf(result);
        const stamp = await held.publish({ type: 'identity', identity });
        await deps.store.saveIdentity(identity, stamp);
        if (deps.tabs.signedOutAt === heard || last) return result;
      }
    }
  }, signal);
}

/** GetIds a lock holder makes when sign-outs keep arriving while it asks. */
const MAX_GET_ID_UNDER_SIGN_OUTS = 2;

/**
 * The guest identity the tabs hold now: the newest record when a live tab keeps one (storage may
 * lag behind it), else storage — or storage when it was written later than that record (the tab
 * that wrote it closed before the others heard). Not an authenticated identity (this session has
 * no login for it), nor the one a reset just dropped.
 */
async function guestOfAnotherTab(
  held: HeldTabLock,
  request: IdentityRequest,
): Promise<{ identity: StoredIdentity; record?: IdentityStamp | undefined } | undefined> {
  const record = held.latest;
  const stored = await loadStampedIdentity(request.deps.store);
  const fromRecord = !!record && !(stored?.stamp && isNewer(stored.stamp, record));
  const identity = fromRecord ? record?.identity : stored?.identity;
  if (!identity || identity.authenticated || identity.identityId === request.avoidIdentityId)
    return undefined;
  return { identity, record: fromRecord && !sameIdentity(stored?.identity, identity) ? record : undefined };
}

/** GetId; single-tab, it also stores the identity (coordinating, the caller stores it with its stamp). */
async function getId(request: IdentityRequest, signal: AbortSignal | undefined): Promise<IdentityResult> {
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
        timeBoxed(deps, 'GetId', signal, (signal) =>
          deps.transport.getId({
            identityPoolId: deps.options.identityPoolId,
            accountId: deps.options.accountId,
            logins: providers.length ? map : undefined,
            signal,
          }),
        ),
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
  if (!coordinating(deps)) await deps.store.saveIdentity(identity);
  return { ...identity, logins };
}

export interface CredentialsRequest extends IdentityRequest {
  /** The identity as the session knows it. */
  identity: StoredIdentity;
  /** The credentials the session holds, if any (another tab's newer ones are adopted instead of a request). */
  current?: IdentityPoolCredentials | undefined;
  /** Without `current`: the expiry of credentials `clearCredentials()` dropped (none as old are adopted). */
  discardedExpiration?: number | undefined;
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
  const { deps } = request;
  if (!coordinating(deps)) return getCredentials(request, signal);
  try {
    return await credentialsUnderLock(deps.tabs, request, signal);
  } catch (error) {
    const renewed = error instanceof LoginRequiredError ? await renewedElsewhere(request, signal) : undefined;
    if (!renewed) throw error;
    return renewed;
  }
}

/** How long a tab holding only another tab's login tokens waits for that tab to renew them. */
const LENT_TOKEN_RENEWAL_WAIT_MS = 5_000;

/**
 * Credentials a tab that can renew the login fetched, when this one cannot: its tokens were lent
 * by another tab (no provider here can renew them). That tab's refresh comes after this one's
 * (this one held the lock), with the renewed tokens.
 */
async function renewedElsewhere(
  request: CredentialsRequest,
  signal: AbortSignal | undefined,
): Promise<CredentialsResult | undefined> {
  const { deps, identity, logins } = request;
  const lent = Object.keys(logins).length > 0 && Object.values(logins).every((entry) => !entry.provider);
  if (!coordinating(deps) || !lent) return undefined;
  const after = request.current?.expiration.getTime() ?? 0;
  const shared = await deps.tabs.nextCredentials(
    identity.identityId,
    after,
    LENT_TOKEN_RENEWAL_WAIT_MS,
    signal,
  );
  if (!shared?.logins || !hasLifeLeft(shared.credentials, deps)) return undefined;
  return {
    ...storedIdentityOf(identity),
    providers: [...identity.providers],
    logins: { ...logins, ...borrowLogins(shared.logins, logins) },
    credentials: shared.credentials,
  };
}

function credentialsUnderLock(
  tabs: TabCoordinator,
  request: CredentialsRequest,
  signal: AbortSignal | undefined,
): Promise<CredentialsResult> {
  const { deps } = request;
  return tabs.withLock(async (held) => {
    // A sign-out this tab had not heard of was delivered when the lock was granted.
    throwIfAborted(signal);
    const shared = await credentialsOfAnotherTab(held, request, signal);
    throwIfAborted(signal);
    if (shared) {
      // Stored as if this tab had fetched them (per-tab storage restores them after a reload).
      if (held.latest)
        await storeAdopted(deps, { identity: shared, credentials: shared.credentials }, held.latest);
      return shared;
    }
    const result = await getCredentials(request, signal, held.stamp);
    throwIfAborted(signal);
    const identity = storedIdentityOf(result);
    await held.publish({
      type: 'credentials',
      identity,
      credentials: result.credentials,
      logins: sharedLoginsOf(identity, result.logins),
    });
    return result;
  }, signal);
}

/** Writes an identity (and credentials) another tab obtained, with the stamp it was published at. */
async function storeAdopted(
  deps: SessionDeps,
  adopted: { identity: StoredIdentity; credentials?: IdentityPoolCredentials | undefined },
  stamp: IdentityStamp,
): Promise<void> {
  await deps.store.saveIdentity(storedIdentityOf(adopted.identity), {
    seq: stamp.seq,
    signedOutAt: stamp.signedOutAt,
  });
  if (deps.options.persistCredentials && adopted.credentials)
    await deps.store.saveCredentials(adopted.credentials);
}

/**
 * What this session adopted from another tab's message (SYNC), stored where it would store what it
 * obtained itself — under the lock, unless storage or the tabs hold a later state by then, or the
 * session no longer holds it (`stillHeld`). Never throws.
 */
export async function storeAdoptedFromMessage(
  deps: SessionDeps,
  adopted: { identity: StoredIdentity; credentials?: IdentityPoolCredentials | undefined },
  stamp: IdentityStamp,
  stillHeld: () => boolean,
): Promise<void> {
  if (!coordinating(deps)) return;
  const { tabs } = deps;
  const credentials = deps.options.persistCredentials ? adopted.credentials : undefined;
  // Storage has it already, as stamped (and, with persistCredentials, credentials as new).
  const written = async (stored: Awaited<ReturnType<typeof loadStampedIdentity>>) =>
    sameIdentity(stored?.identity, adopted.identity) &&
    !!stored?.stamp &&
    !isNewer(stamp, stored.stamp) &&
    (!credentials ||
      ((await deps.store.loadCredentials(credentials.identityId))?.expiration.getTime() ?? 0) >=
        credentials.expiration.getTime());
  try {
    // Shared storage usually has it already (the tab that published it wrote it): no lock needed.
    if (await written(await loadStampedIdentity(deps.store))) return;
    await tabs.withLock(async (held) => {
      const stored = await loadStampedIdentity(deps.store);
      const superseded =
        (held.latest &&
          isNewer(held.latest, stamp) &&
          !sameIdentity(held.latest.identity, adopted.identity)) ||
        (stored?.stamp && isNewer(stored.stamp, stamp)) ||
        tabs.signedOutAt > stamp.signedOutAt;
      if (superseded || (await written(stored)) || !stillHeld()) return;
      await storeAdopted(deps, adopted, stamp);
    });
  } catch {
    // Storage failures are reported by the store; a refused lock means single-tab from now on.
  }
}

/** How long a lock holder waits for credentials a record says were broadcast. */
const SHARED_CREDENTIALS_WAIT_MS = 1_000;

/**
 * Credentials another tab fetched for this identity while this one waited for the lock: the
 * newest record's (their message is received, or awaited briefly; with `persistCredentials`,
 * storage's if it does not come), else, when no tab keeps a record, storage's. Only when newer
 * than the session's and outside the refresh window; never when a login is still to be linked
 * (that request is the link).
 */
async function credentialsOfAnotherTab(
  held: HeldTabLock,
  request: CredentialsRequest,
  signal: AbortSignal | undefined,
): Promise<CredentialsResult | undefined> {
  const { deps, identity, current } = request;
  const floor = current?.expiration.getTime() ?? request.discardedExpiration ?? 0;
  if (Object.keys(request.logins).some((key) => !identity.providers.includes(key))) return undefined;
  // Strictly newer: an equal expiry is the session's own credentials (or ones fetched in the same
  // second, so no better).
  const worthTaking = (expiresAt: number) =>
    expiresAt > floor &&
    expiresAt - serviceNow(deps) >
      Math.max(MIN_CREDENTIAL_LIFETIME_MS, deps.options.refreshWindowSeconds * 1000);
  // Only for the identity as this session knows it: a guest tab does not take the credentials of
  // the identity another tab linked to a login (they are for the authenticated role).
  const stored = async () =>
    deps.options.persistCredentials && sameIdentity(await deps.store.loadIdentity(), identity)
      ? deps.store.loadCredentials(identity.identityId)
      : undefined;
  const fromStorage = async (): Promise<SharedCredentials | undefined> => {
    const credentials = await stored();
    return credentials && { credentials };
  };
  const record = held.latest;
  let shared: SharedCredentials | undefined;
  if (!record) shared = await fromStorage();
  else if (
    sameIdentity(record.identity, identity) &&
    record.expiration !== undefined &&
    worthTaking(record.expiration)
  )
    shared = (await held.credentialsOf(record, SHARED_CREDENTIALS_WAIT_MS, signal)) ?? (await fromStorage());
  if (!shared || !worthTaking(shared.credentials.expiration.getTime())) return undefined;
  return {
    ...storedIdentityOf(identity),
    providers: [...identity.providers],
    // The tokens the other tab used (renewed, perhaps) with them.
    logins: { ...request.logins, ...(shared.logins && borrowLogins(shared.logins, request.logins)) },
    credentials: shared.credentials,
  };
}

async function getCredentials(
  request: CredentialsRequest,
  signal: AbortSignal | undefined,
  stamp?: IdentityStamp,
): Promise<CredentialsResult> {
  const { deps, identity } = request;
  const { map, logins } = await resolveLogins(request.logins, {
    now: deps.clock.now(),
    force: request.forceTokenRenewal,
    signal,
  });
  const loginKeys = Object.keys(map);
  // A token issued for one identity (developer-authenticated) is sent for that identity; the
  // service answers it, and the session adopts it as it adopts a merge.
  const requestedId =
    Object.values(logins).find((entry) => entry.token && entry.identityId)?.identityId ?? identity.identityId;
  const out = await redacting(Object.values(map), () =>
    withRetry(
      () =>
        timeBoxed(deps, 'GetCredentialsForIdentity', signal, (signal) =>
          deps.transport.getCredentialsForIdentity({
            identityId: requestedId,
            logins: loginKeys.length ? map : undefined,
            customRoleArn: deps.options.customRoleArn,
            signal,
          }),
        ),
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
  await deps.store.saveIdentity(next, stamp);
  if (deps.options.persistCredentials) await deps.store.saveCredentials(credentials);
  return { ...next, logins, credentials };
}

/**
 * UnlinkIdentity: removes `providerName`'s login from the identity, proving ownership with the
 * session's other logins, then stores the identity without it.
 */
export async function unlinkLogin(
  request: {
    deps: SessionDeps;
    identity: StoredIdentity;
    logins: Logins;
    providerName: string;
    /** Whether the session still holds this identity (no logout meanwhile): only then is it stored. */
    current?: () => boolean;
  },
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
        timeBoxed(deps, 'UnlinkIdentity', signal, (signal) =>
          unlink.call(deps.transport, {
            identityId: identity.identityId,
            logins: map,
            loginsToRemove: [request.providerName],
            signal,
          }),
        ),
      deps.options.retry,
      deps.clock,
      signal,
    ),
  );
  throwIfAborted(signal);
  // A logout while the service answered: the signed-out identity is not written back.
  if (request.current && !request.current()) return;
  await deps.store.saveIdentity({
    ...identity,
    providers: identity.providers.filter((provider) => provider !== request.providerName),
  });
}

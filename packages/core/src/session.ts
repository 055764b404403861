/**
 * The network and storage work of a session, one async function per invoked actor of the
 * machine. Each makes at most one request per operation (plus bounded retries), checks what the
 * service answered, and writes the identity to storage before it resolves — so the machine
 * never hands out credentials for an identity that is not stored yet.
 */

import { throwIfAborted } from './abortable.js';
import { type ClockSkew, correctedNow, noteExpiration, noteServerTime, type TimerClock } from './clock.js';
import { ConfigurationError, InvalidResponseError, LoginRequiredError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { guard, type SessionSecrets } from './redact.js';
import { attemptControllers, withRequestDeadline } from './request-deadline.js';
import { withRetry } from './retry.js';
import { setOwn } from './shape.js';
import {
  type IdentityStamp,
  type SessionStore,
  type StoredIdentity,
  type StoreLease,
  sameIdentity,
  storedIdentityOf,
} from './storage/session-store.js';
import { SignOutWatch, UNREAD_RECORD } from './storage/sign-out-record.js';
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
import type {
  CognitoIdentityTransport,
  IdentityPoolCredentials,
  LoginProvider,
  LoginsMap,
  LoginToken,
  ServiceCredentials,
} from './types.js';

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
  /** The secrets the session knows, redacted from every error (`redact.ts`). Absent: only a request's own tokens. */
  secrets?: SessionSecrets | undefined;
  /** The storage's sign-out record as this session knows it (`storage/sign-out-record.ts`). */
  signOuts?: SignOutWatch | undefined;
}

/** Whether the session coordinates with other tabs (lock, re-read, broadcast). */
export const coordinating = (deps: SessionDeps): deps is SessionDeps & { tabs: TabCoordinator } =>
  deps.tabs?.mode === 'tabs';

/**
 * The sign-out record, for a session on its own: coordinating tabs share sign-outs through the
 * lock manager instead (`tabs.ts`), and adopt identities the record would not know of.
 */
export const signOutsOf = (deps: SessionDeps): SignOutWatch | undefined =>
  coordinating(deps) ? undefined : deps.signOuts;

/**
 * Before an identity obtained under `since` is written or served: a sign-out since throws
 * `SignedOutError`. Resolves to the sign-out record to store the identity under.
 */
export async function verifyNotSignedOut(
  deps: SessionDeps,
  since: string | null,
  signal: AbortSignal | undefined,
): Promise<string | null> {
  throwIfAborted(signal);
  const under = (await signOutsOf(deps)?.verify(since)) ?? null;
  throwIfAborted(signal);
  return under;
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
 * is missing, about to expire, or — with `force` — refused by the service. A token that is still
 * valid is used when its early renewal brings nothing.
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
        current = await renewToken(
          entry,
          (options) =>
            guard(
              () => entry.provider?.getToken?.(options),
              () => Object.values(logins).map((held) => held.token),
              { source: 'loginProvider', operation: 'getToken' },
            ),
          { now, force, signal },
        );
      } else if (stale && (force || (entry.expiresAt !== undefined && entry.expiresAt <= now))) {
        current = { provider: entry.provider };
      }
      setOwn(next, key, current);
      if (current.token) setOwn(map, key, current.token);
      else missing.push(key);
    }),
  );
  if (missing.length) throw new LoginRequiredError(missing.sort());
  return { map, logins: next };
}

/** A token the service has not refused and that has not expired yet (no expiry: valid). */
const stillValid = (entry: LoginEntry, now: number): boolean =>
  !!entry.token && (entry.expiresAt === undefined || entry.expiresAt > now);

/**
 * Asks a provider for a fresh token. Renewing early (inside `LOGIN_TOKEN_RENEW_MS`) is a
 * courtesy: when the provider has none or fails, a token that is still valid is kept. A token
 * the service refused (`force`) or that has expired is dropped, or the provider's error thrown.
 */
async function renewToken(
  entry: LoginEntry,
  getToken: (options?: { signal?: AbortSignal }) => Promise<LoginToken | null | undefined>,
  { now, force, signal }: { now: number; force: boolean; signal?: AbortSignal | undefined },
): Promise<LoginEntry> {
  const keep = !force && stillValid(entry, now);
  let renewed: Awaited<ReturnType<typeof getToken>>;
  try {
    renewed = await getToken(signal ? { signal } : undefined);
  } catch (error) {
    if (keep && !signal?.aborted) return entry;
    throw error;
  }
  if (renewed)
    return {
      provider: entry.provider,
      token: renewed.token,
      expiresAt: renewed.expiresAt,
      identityId: renewed.identityId,
    };
  return keep ? entry : { provider: entry.provider };
}

/**
 * Runs a request of the transport (foreign code): whatever it throws leaves as one of this
 * library's errors, with the login tokens it was sent and every secret the session knows redacted.
 */
async function redacting<T>(
  deps: SessionDeps,
  operation: string,
  tokens: string[],
  request: () => Promise<T>,
) {
  deps.secrets?.add(...tokens);
  const out = await guard(request, () => [...tokens, ...(deps.secrets ?? [])], {
    source: 'transport',
    operation,
  });
  // Credentials it answers are secrets from now on, before the session holds them.
  const credentials = (out as { credentials?: Partial<ServiceCredentials> } | undefined)?.credentials;
  deps.secrets?.add(credentials?.secretAccessKey, credentials?.sessionToken);
  return out;
}

/**
 * The attempts of one service request, each within the session's `requestTimeoutMs`
 * (`request-deadline.ts`), sharing one signal until an attempt times out.
 */
const timeBoxed = <T>(
  deps: SessionDeps,
  operation: string,
  signal: AbortSignal | undefined,
  request: (signal: AbortSignal) => Promise<T>,
) => {
  const controller = attemptControllers();
  return () =>
    withRequestDeadline(operation, deps.options.requestTimeoutMs, deps.clock, signal, request, controller());
};

/**
 * The stored identity and its stamp; a stamp with sequence numbers no tab could have made (storage
 * is untrusted) is dropped, so it cannot outrank every later sign-out.
 */
export async function loadStampedIdentity(store: SessionStore) {
  const stored = await store.loadStampedIdentity();
  return stored?.stamp && !isPlausibleStamp(stored.stamp)
    ? { identity: stored.identity, signOutId: stored.signOutId }
    : stored;
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
  // The record first: a logout removes the keys before it writes the record.
  const signOuts = signOutsOf(deps);
  const known = signOuts ? await signOuts.baseline() : null;
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
  // Written back by a session that had not heard of the latest sign-out: signed out.
  if (signOuts && SignOutWatch.predates(stored.signOutId, known)) return {};
  // The record could not be read: the identity is restored under the one it names.
  if (signOuts && known === UNREAD_RECORD && stored.signOutId) signOuts.adopt(stored.signOutId);
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
  // No "still held" check is needed: restore cannot see the machine, and nothing ends what it
  // adopted without ending the write too — a logout() (or stop()) ends the lease taken as the
  // write begins, and a sign-out heard, or recorded as the lock's newest record, supersedes the
  // stamp (test/tabs.test.ts: "…logs out before it could store that identity, never writes it back").
  void storeAdoptedFromMessage(deps, { identity, credentials: shared.credentials }, latest, () => true);
  return { identity, credentials: shared.credentials, logins: borrowLogins(shared.logins, {}) };
}

/** The session's login tokens as they cross tabs (in memory): none for a guest. */
export function sharedLoginsOf(identity: StoredIdentity, logins: Logins): SharedLogins | undefined {
  if (!identity.authenticated) return undefined;
  const shared: Record<string, SharedLogin> = {};
  for (const [key, entry] of Object.entries(logins)) {
    if (entry.token && identity.providers.includes(key))
      setOwn(shared, key, { token: entry.token, expiresAt: entry.expiresAt, identityId: entry.identityId });
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
  // Taken as the work begins: a logout or clear from now on drops what it would write.
  const lease = deps.store.lease();
  if (!coordinating(deps)) return getId(request, signal, lease);
  return deps.tabs.withLock(async (held) => {
    // A sign-out this tab had not heard of was delivered when the lock was granted.
    throwIfAborted(signal);
    if (Object.keys(request.logins).length === 0) {
      const known = await guestOfAnotherTab(held, request);
      throwIfAborted(signal);
      // A sign-out heard meanwhile may have ended what the record or storage showed.
      if (known && deps.tabs.signedOutAt === (held.stamp?.signedOutAt ?? 0)) {
        // Stored here too, as if this tab had made it: per-tab storage restores it after a reload.
        if (known.record) await deps.store.saveIdentity(known.identity, known.record, lease);
        return { ...known.identity, logins: {} };
      }
    }
    for (let attempt = 1; ; attempt++) {
      // Asked after every sign-out heard so far, the answer stands above them.
      if (deps.tabs.signedOutAt > (held.stamp?.signedOutAt ?? deps.tabs.signedOutAt)) held.restamp();
      const heard = deps.tabs.signedOutAt;
      const result = await getId(request, signal, lease);
      throwIfAborted(signal);
      // A sign-out heard meanwhile (another tab's logout does not wait for this lock) ends what
      // was asked for before it: ask again, after it. Twice at most; the last answer stands above.
      const last = attempt === MAX_GET_ID_UNDER_SIGN_OUTS;
      if (last) held.restamp();
      if (deps.tabs.signedOutAt === heard || last) {
        const identity = storedIdentityOf(result);
        const stamp = await held.publish({ type: 'identity', identity });
        await deps.store.saveIdentity(identity, stamp, lease);
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
async function getId(
  request: IdentityRequest,
  signal: AbortSignal | undefined,
  lease: StoreLease,
): Promise<IdentityResult> {
  const { deps } = request;
  const known = (await signOutsOf(deps)?.baseline()) ?? null;
  const { map, logins } = await resolveLogins(request.logins, {
    now: deps.clock.now(),
    force: request.forceTokenRenewal,
    signal,
  });
  const identity = await sendGetId(deps, map, signal);
  throwIfAborted(signal);
  if (!coordinating(deps)) {
    // Not written when it was signed out meanwhile in a session sharing the storage.
    const under = await verifyNotSignedOut(deps, known, signal);
    await deps.store.saveIdentity(identity, undefined, lease, under);
  }
  return { ...identity, logins };
}

/** GetId with `map` as its Logins (none: a guest identity); nothing is stored. */
export async function sendGetId(deps: SessionDeps, map: LoginsMap, signal: AbortSignal | undefined) {
  const providers = Object.keys(map).sort();
  const out = await redacting(deps, 'GetId', Object.values(map), () =>
    withRetry(
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
  return identity;
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
  // Taken as the work begins: a logout or clear from now on drops what it would write.
  const lease = deps.store.lease();
  if (!coordinating(deps)) return getCredentials(request, signal, lease);
  try {
    return await credentialsUnderLock(deps.tabs, request, signal, lease);
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
  lease: StoreLease,
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
        await storeAdopted(deps, { identity: shared, credentials: shared.credentials }, held.latest, lease);
      return shared;
    }
    const result = await getCredentials(request, signal, lease, held.stamp);
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
  lease: StoreLease,
): Promise<void> {
  await deps.store.saveIdentity(
    storedIdentityOf(adopted.identity),
    { seq: stamp.seq, signedOutAt: stamp.signedOutAt },
    lease,
  );
  if (deps.options.persistCredentials && adopted.credentials)
    await deps.store.saveCredentials(adopted.credentials, lease);
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
  // Taken as it is adopted: a sign-out while this waits for the lock drops the writes.
  const lease = deps.store.lease();
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
      await storeAdopted(deps, adopted, stamp, lease);
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
  lease: StoreLease,
  stamp?: IdentityStamp,
): Promise<CredentialsResult> {
  const { deps, identity } = request;
  const known = signOutsOf(deps)?.seen ?? null;
  const { map, logins } = await resolveLogins(request.logins, {
    now: deps.clock.now(),
    force: request.forceTokenRenewal,
    signal,
  });
  const { next, credentials } = await sendGetCredentials(deps, identity, { map, logins }, signal);
  throwIfAborted(signal);
  // Neither written back nor served when it was signed out meanwhile in a session sharing the storage.
  const under = await verifyNotSignedOut(deps, known, signal);
  // Written on every success, not only on change: a shared store (Redis) that lost the key
  // gets it back at the next refresh. One small write an hour.
  await deps.store.saveIdentity(next, stamp, lease, under);
  if (deps.options.persistCredentials) await deps.store.saveCredentials(credentials, lease);
  return { ...next, logins, credentials };
}

/**
 * GetCredentialsForIdentity for `identity` with the resolved logins; nothing is stored. Returns
 * the identity as the answer makes it (another ID when Cognito merged ours) and the credentials.
 */
export async function sendGetCredentials(
  deps: SessionDeps,
  identity: StoredIdentity,
  { map, logins }: { map: LoginsMap; logins: Record<string, LoginEntry> },
  signal: AbortSignal | undefined,
): Promise<{ next: StoredIdentity; credentials: IdentityPoolCredentials }> {
  const loginKeys = Object.keys(map);
  // A token issued for one identity (developer-authenticated) is sent for that identity; the
  // service answers it, and the session adopts it as it adopts a merge.
  const requestedId =
    Object.values(logins).find((entry) => entry.token && entry.identityId)?.identityId ?? identity.identityId;
  const out = await redacting(deps, 'GetCredentialsForIdentity', Object.values(map), () =>
    withRetry(
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
  return { next, credentials };
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
  const lease = deps.store.lease();
  const known = signOutsOf(deps)?.seen ?? null;
  const unlink = deps.transport.unlinkIdentity;
  if (!unlink)
    throw new ConfigurationError('transport', 'has no unlinkIdentity(), which removeLogin() needs');
  const { map } = await resolveLogins(request.logins, { now: serviceNow(deps), force: false, signal });
  await redacting(deps, 'UnlinkIdentity', Object.values(map), () =>
    withRetry(
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
  const under = await verifyNotSignedOut(deps, known, signal);
  await deps.store.saveIdentity(
    { ...identity, providers: identity.providers.filter((provider) => provider !== request.providerName) },
    undefined,
    lease,
    under,
  );
}

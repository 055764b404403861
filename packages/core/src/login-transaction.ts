/**
 * A login is a transaction (design.md §7). The machine keeps the session's committed identity,
 * logins and credentials — and keeps serving them — while a login is pending; the work here runs
 * in three invoked actors:
 *
 * - `requestLogin`: the network part (GetId when there is no identity, GetCredentialsForIdentity
 *   with the committed logins plus the new one, the recovery table's resets and renewals inside).
 *   It writes nothing, so a refusal, an abort or a later login leaves nothing behind.
 * - `saveLogin`: stores what the service answered; the machine commits only once it is stored
 *   (rule 3: the identity is stored before its credentials are handed out).
 * - `undoLogin`: when the caller gave up while the save was running, puts storage back as it was.
 */
import { throwIfAborted, whenAborted } from './abortable.js';
import { LoginFailedError, LoginRequiredError } from './errors.js';
import { type Recovery, recoveryFor } from './recovery.js';
import { redactValue } from './redact.js';
import {
  type CredentialsResult,
  coordinating,
  type LoginEntry,
  type Logins,
  resolveLogins,
  type SessionDeps,
  sendGetCredentials,
  sendGetId,
  sharedLoginsOf,
  signOutsOf,
  verifyNotSignedOut,
} from './session.js';
import { type IdentityStamp, type StoredIdentity, storedIdentityOf } from './storage/session-store.js';
import type { IdentityPoolCredentials } from './types.js';

/** A login waiting to be committed: one `login()` call, named by its ticket. */
export interface PendingLogin {
  ticket: number;
  providerName: string;
  entry: LoginEntry;
  /** What the service answered, once it did (then it is being saved). */
  result?: LoginResult | undefined;
  /** Its caller gave up while it was being saved: storage is put back, nothing of it is kept. */
  cancelled?: boolean | undefined;
}

export interface LoginRequest {
  deps: SessionDeps;
  /** The committed identity, if any: a guest identity is linked, or merged into the login's own. */
  identity: StoredIdentity | undefined;
  /** The committed logins: sent along, so the identity keeps them. */
  logins: Logins;
  providerName: string;
  entry: LoginEntry;
}

export interface LoginResult extends CredentialsResult {
  /** The committed identity was gone (deleted, disabled, another user's) and was replaced. */
  reset: boolean;
  /**
   * When the login obtained a new identity: the sign-out record it was obtained under (null: none
   * in storage), which its save verifies and its commit adopts. Undefined: the committed identity
   * was kept (linked), under the record it already had.
   */
  signOutId?: string | null | undefined;
}

/**
 * The network part of a login, with the recovery table's answers that keep it one transaction:
 * a cached identity that is gone or not this login's is replaced (once), a refused token is
 * renewed through its provider (once). Anything else rejects with `LoginFailedError`.
 */
export async function requestLogin(request: LoginRequest, signal?: AbortSignal): Promise<LoginResult> {
  const tokens = new Set<string>();
  try {
    return await attemptLogin(request, tokens, signal);
  } catch (error) {
    throwIfAborted(signal);
    throw redactValue(error, [...tokens]);
  }
}

async function attemptLogin(
  request: LoginRequest,
  tokens: Set<string>,
  signal: AbortSignal | undefined,
): Promise<LoginResult> {
  const { deps, providerName } = request;
  const logins: Logins = { ...request.logins, [providerName]: request.entry };
  for (const entry of Object.values(logins)) if (entry.token) tokens.add(entry.token);
  let identity = request.identity;
  let signOutId: string | null | undefined;
  const used: Recovery[] = [];
  let refusal: unknown;
  for (;;) {
    try {
      const resolved = await resolveLogins(logins, {
        now: deps.clock.now(),
        force: used.includes('renewLogins'),
        signal,
      });
      for (const token of Object.values(resolved.map)) tokens.add(token);
      if (!identity) {
        // A new identity is obtained under the storage's sign-out record as it is now (after
        // this session's own logout finished with storage): the one its save verifies against.
        // Only read: the committed identity stays under its own until this login commits.
        const signOuts = signOutsOf(deps);
        if (signOuts) signOutId = await signOuts.current();
        identity = await step(signal, (stepSignal) => sendGetId(deps, resolved.map, stepSignal));
      }
      const known = identity;
      const { next, credentials } = await step(signal, (stepSignal) =>
        sendGetCredentials(deps, known, resolved, stepSignal),
      );
      return {
        ...next,
        logins: resolved.logins,
        credentials,
        reset: used.includes('resetIdentity'),
        signOutId,
      };
    } catch (error) {
      throwIfAborted(signal);
      const recovery = recoveryFor(error, { withLogins: true });
      if (recovery === 'resetIdentity' && identity && !used.includes(recovery)) {
        used.push(recovery);
        identity = undefined;
        continue;
      }
      if (recovery === 'renewLogins' && !used.includes(recovery) && canRenew(logins)) {
        used.push(recovery);
        refusal = error;
        continue;
      }
      // A renewal that brought no token: the service's refusal is what the caller needs to see.
      const cause = error instanceof LoginRequiredError && refusal ? refusal : error;
      // Redacted before it is wrapped: the cause may be a provider's error quoting a token.
      throw new LoginFailedError(providerName, redactValue(cause, [...tokens]));
    }
  }
}

/**
 * Runs one request of the transaction with a signal of its own, aborted with the login's: each
 * request's retries are its own (as with the machine's separate invokes), never counted as
 * retries of the one before.
 */
async function step<T>(
  signal: AbortSignal | undefined,
  request: (signal: AbortSignal | undefined) => Promise<T>,
) {
  if (!signal) return request(undefined);
  const controller = new AbortController();
  const stopForwarding = whenAborted(signal, () => controller.abort(signal.reason));
  try {
    return await request(controller.signal);
  } finally {
    stopForwarding();
  }
}

const canRenew = (logins: Logins) => Object.values(logins).some((entry) => !!entry.provider?.getToken);

/**
 * Stores the identity (and, with `persistCredentials`, the credentials) a login obtained.
 * Coordinating tabs: under the pool's lock, stamped, and announced to the other tabs.
 */
export async function saveLogin(
  { deps, result }: { deps: SessionDeps; result: LoginResult },
  signal?: AbortSignal,
): Promise<void> {
  const identity = storedIdentityOf(result);
  // One lease for both writes: a clear or clearCredentials while the identity is written ends
  // the credentials' write too.
  const lease = deps.store.lease();
  const save = async (stamp?: IdentityStamp) => {
    // Not written (the login fails) when a session sharing the storage signed out meanwhile.
    const since = result.signOutId !== undefined ? result.signOutId : (signOutsOf(deps)?.seen ?? null);
    const under = await verifyNotSignedOut(deps, since, signal);
    await deps.store.saveIdentity(identity, stamp, lease, under);
    throwIfAborted(signal);
    if (deps.options.persistCredentials) await deps.store.saveCredentials(result.credentials, lease);
  };
  if (!coordinating(deps)) return save();
  return deps.tabs.withLock(async (held) => {
    await save(held.stamp);
    throwIfAborted(signal);
    // With the login tokens (in memory only): every tab serves the user signed in here.
    await held.publish({
      type: 'credentials',
      identity,
      credentials: result.credentials,
      logins: sharedLoginsOf(identity, result.logins),
    });
  }, signal);
}

/** What the session had committed when a login began: what `undoLogin` puts back. */
export interface CommittedSession {
  identity: StoredIdentity | undefined;
  credentials: IdentityPoolCredentials | undefined;
}

/**
 * Puts storage back as it was before a login whose caller gave up while it was being saved: the
 * previous identity (and persisted credentials) written again, or the keys removed when there were
 * none. It runs after the save's own writes (the machine starts it when the save is done), so it
 * is the last word.
 */
export async function undoLogin(
  { deps, previous }: { deps: SessionDeps; previous: CommittedSession },
  signal?: AbortSignal,
): Promise<void> {
  const lease = deps.store.lease();
  const restore = async (stamp?: IdentityStamp) => {
    throwIfAborted(signal);
    if (!previous.identity) return deps.store.clear();
    await deps.store.saveIdentity(previous.identity, stamp, lease, signOutsOf(deps)?.storedUnder);
    if (!deps.options.persistCredentials) return;
    if (previous.credentials) await deps.store.saveCredentials(previous.credentials, lease);
    else await deps.store.removeCredentials();
  };
  if (!coordinating(deps)) return restore();
  return deps.tabs.withLock(async (held) => {
    await restore(held.stamp);
    throwIfAborted(signal);
    if (previous.identity) await held.publish({ type: 'identity', identity: previous.identity });
  }, signal);
}

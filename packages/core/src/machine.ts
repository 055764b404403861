/**
 * The identity-pool statechart: one machine for guest and authenticated sessions.
 *
 * Top-level phases: `restoring` (reading storage) → `unauthenticated` (no identity) →
 * `identifying` (GetId) → `identified` → `fetching` (GetCredentialsForIdentity) →
 * `credentialed` → `refreshing` (on a timer, ahead of expiry) → … and `authenticated`, the
 * same cycle for an identity with logins plus `loginRequired`. `failed` holds the last error
 * until the next request. `routing` is a transient state that picks the phase from the context.
 *
 * Side effects are named (`setup()` actors, guards, delays) so tests can swap them with
 * `.provide()`; the network and storage work itself lives in `session.ts`.
 */
import { and, assign, enqueueActions, fromPromise, not, setup } from 'xstate';
import {
  AbortError,
  GuestAccessDisabledError,
  LoginFailedError,
  LoginRequiredError,
  LoginSupersededError,
} from './errors.js';
import {
  type CommittedSession,
  type LoginRequest,
  type LoginResult,
  type PendingLogin,
  requestLogin,
  saveLogin,
  undoLogin,
} from './login-transaction.js';
import { type Recovery, recoveryFor } from './recovery.js';
import { spreadRefreshDelay } from './refresh-spread.js';
import {
  borrowLogins,
  type CredentialsRequest,
  type CredentialsResult,
  hasLifeLeft,
  type IdentityRequest,
  type IdentityResult,
  type Logins,
  MIN_CREDENTIAL_LIFETIME_MS,
  obtainCredentials,
  obtainIdentity,
  type RestoredSession,
  restoreSession,
  type SessionDeps,
  serviceNow,
  signOutsOf,
} from './session.js';
import { type StoredIdentity, sameIdentity, storedIdentityOf } from './storage/session-store.js';
import type { SharedLogins } from './tabs.js';
import type { IdentityChangeReason, IdentityPoolCredentials, LoginProvider } from './types.js';

/** The soonest a refresh is scheduled, so short-lived or skewed credentials cannot cause a storm. */
export const MIN_REFRESH_DELAY_MS = 5_000;

/** While paused (page hidden, device offline), how often the refresh timer wakes to do nothing. */
export const PAUSED_RECHECK_MS = 60_000;

export interface IdentityPoolMachineInput {
  deps: SessionDeps;
  /** Logins to start with (from the `logins` option). */
  logins?: Logins;
}

export interface IdentityPoolContext {
  deps: SessionDeps;
  identity: StoredIdentity | undefined;
  logins: Logins;
  credentials: IdentityPoolCredentials | undefined;
  error: Error | undefined;
  /** What callers are waiting for; the idle phases act on it. */
  wanted: 'nothing' | 'identity' | 'credentials';
  /** Recoveries used since the last success: each at most once, so recovery never loops. */
  recoveries: Recovery[];
  /** The service refused a login token: renew every token before the next request. */
  forceTokenRenewal: boolean;
  /** The identity a reset forgot, for the `identityChanged` event that follows. */
  replacedIdentityId: string | undefined;
  /** Background refreshes that failed in a row while the credentials were still good. */
  refreshFailures: number;
  /** The page is hidden or the device offline: the refresh timer does nothing (callers still get served). */
  paused: boolean;
  /**
   * The expiry of the credentials `clearCredentials()` dropped: credentials expiring no later are
   * not taken from another tab (they are the ones dropped, or older).
   */
  discardedExpiration: number | undefined;
  /** The login being made (`loggingIn`), beside the committed identity, logins and credentials. */
  login: PendingLogin | undefined;
  /** A login that came while the pending one was being saved: made next. */
  nextLogin: PendingLogin | undefined;
  /** Where a login that is not committed leaves the session: where it was when the login began. */
  resumeIn: 'routing' | 'failed' | 'loginRequired';
}

export type IdentityPoolEvent =
  | { type: 'CREDENTIALS.NEEDED'; forceRefresh?: boolean }
  | { type: 'IDENTITY.NEEDED' }
  | {
      type: 'LOGIN';
      /** Names this login in `loginSettled` (`auth.ts` numbers its `login()` calls); default 0. */
      ticket?: number;
      providerName: string;
      token: string;
      expiresAt?: number;
      /** The identity the token was issued for (developer-authenticated identities). */
      identityId?: string | undefined;
      provider?: LoginProvider;
    }
  /** The caller of the login with this ticket gave up (its `signal`): as if it had not been made. */
  | { type: 'LOGIN.CANCEL'; ticket: number }
  | { type: 'LOGOUT' }
  | { type: 'CLEAR' }
  | { type: 'CREDENTIALS.CLEAR' }
  /** A login was unlinked from the identity (UnlinkIdentity succeeded): forget it. */
  | { type: 'LOGIN.REMOVED'; providerName: string }
  /** The page went hidden or the device offline. */
  | { type: 'PAUSE' }
  /** Visible and online again: refresh at once if inside the refresh window. */
  | { type: 'RESUME' }
  /**
   * Another tab of the origin obtained a guest identity, or fresh credentials for this session's
   * identity (`tabs.ts`): adopted when the session has no identity (and no logins) yet, or for
   * credentials newer than its own. With `logins`, a user signed in there (one signed-in user
   * per origin): adopted with the login tokens unless this session's own login is still pending.
   */
  | {
      type: 'SYNC';
      identity: StoredIdentity;
      credentials?: IdentityPoolCredentials | undefined;
      logins?: SharedLogins | undefined;
    };

export type IdentityPoolEmitted =
  | {
      type: 'identityChanged';
      previousIdentityId: string | undefined;
      identityId: string | undefined;
      reason: IdentityChangeReason;
    }
  | { type: 'credentials'; credentials: IdentityPoolCredentials }
  | { type: 'error'; error: Error }
  | { type: 'loginRequired'; providerName: string }
  /** Internal: the request callers are waiting on failed with `error`; reject them. */
  | { type: 'requestFailed'; error: Error }
  /** Internal: the login with this ticket was committed (`credentials`) or not (`error`). */
  | {
      type: 'loginSettled';
      ticket: number;
      credentials?: IdentityPoolCredentials | undefined;
      error?: Error | undefined;
    };

type ErrorEvent = { error: unknown };

/** More than a minute of life left, on the service's clock (corrected for skew). */
const usable = (context: IdentityPoolContext) => hasLifeLeft(context.credentials, context.deps);

const hasLoginsIn = (context: IdentityPoolContext) => Object.keys(context.logins).length > 0;

/** The recovery for an error, once its one-time budget is taken into account. */
function effectiveRecovery(context: IdentityPoolContext, error: unknown): Recovery {
  const recovery = recoveryFor(error, { withLogins: hasLoginsIn(context) });
  if (context.recoveries.includes(recovery)) {
    // A token refused again after renewal needs the user; a second reset would loop.
    return recovery === 'renewLogins' ? 'loginRequired' : 'fail';
  }
  return recovery;
}

/** The context of a session that knows nothing yet (logins aside). */
function noSession(): Omit<IdentityPoolContext, 'deps' | 'logins' | 'paused'> {
  return {
    identity: undefined,
    credentials: undefined,
    error: undefined,
    wanted: 'nothing',
    recoveries: [],
    forceTokenRenewal: false,
    replacedIdentityId: undefined,
    refreshFailures: 0,
    discardedExpiration: undefined,
    login: undefined,
    nextLogin: undefined,
    resumeIn: 'routing',
  };
}

type Enqueue = {
  emit(event: IdentityPoolEmitted): void;
  assign(values: Partial<IdentityPoolContext>): void;
};

/**
 * A reset forgets the identity before its replacement arrives; when the replacement never comes
 * (the request failed, or the session logged out), say that the identity is gone.
 */
function announceLostIdentity(context: IdentityPoolContext, enqueue: Enqueue, reason: IdentityChangeReason) {
  if (context.identity || !context.replacedIdentityId) return;
  enqueue.emit({
    type: 'identityChanged',
    previousIdentityId: context.replacedIdentityId,
    identityId: undefined,
    reason,
  });
  enqueue.assign({ replacedIdentityId: undefined });
}

const withRecovery = (used: Recovery[], recovery: Recovery): Recovery[] =>
  used.includes(recovery) ? used : [...used, recovery];

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The providers a `loginRequired` is about. */
function providersNeedingLogin(context: IdentityPoolContext, error: unknown): string[] {
  if (error instanceof LoginRequiredError && error.providerNames.length) return [...error.providerNames];
  const known = Object.keys(context.logins).length
    ? Object.keys(context.logins)
    : context.identity?.providers;
  return known?.length ? [...known].sort() : ['*'];
}

/** The login a `LOGIN` event asks for, waiting to be committed. */
function pendingLoginOf(event: IdentityPoolEvent): PendingLogin | undefined {
  if (event.type !== 'LOGIN') return undefined;
  return {
    ticket: event.ticket ?? 0,
    providerName: event.providerName,
    entry: {
      token: event.token,
      expiresAt: event.expiresAt,
      identityId: event.identityId,
      provider: event.provider,
    },
  };
}

/** Tells the caller of `login` that it ended with `error` (its promise rejects). */
function settleWithError(enqueue: Enqueue, login: PendingLogin | undefined, error: Error) {
  if (login) enqueue.emit({ type: 'loginSettled', ticket: login.ticket, error });
}

/** The `identityChanged` a committed login makes, if the identity changed. */
function loginIdentityChange(
  context: IdentityPoolContext,
  result: LoginResult,
): Extract<IdentityPoolEmitted, { type: 'identityChanged' }> | undefined {
  const previous = context.identity;
  const change = (previousIdentityId: string | undefined, reason: IdentityChangeReason) =>
    ({ type: 'identityChanged', previousIdentityId, identityId: result.identityId, reason }) as const;
  if (!previous) return change(context.replacedIdentityId, context.replacedIdentityId ? 'reset' : 'created');
  if (previous.identityId !== result.identityId)
    return change(previous.identityId, result.reset ? 'reset' : 'merged');
  if (!previous.authenticated && result.authenticated) return change(previous.identityId, 'linked');
  return undefined;
}

type ResumeIn = IdentityPoolContext['resumeIn'];

export const identityPoolMachine = setup({
  types: {
    context: {} as IdentityPoolContext,
    events: {} as IdentityPoolEvent,
    input: {} as IdentityPoolMachineInput,
    emitted: {} as IdentityPoolEmitted,
  },
  actors: {
    restoreSession: fromPromise<RestoredSession, { deps: SessionDeps }>(({ input }) =>
      restoreSession(input.deps),
    ),
    obtainIdentity: fromPromise<IdentityResult, IdentityRequest>(({ input, signal }) =>
      obtainIdentity(input, signal),
    ),
    obtainCredentials: fromPromise<CredentialsResult, CredentialsRequest>(({ input, signal }) =>
      obtainCredentials(input, signal),
    ),
    requestLogin: fromPromise<LoginResult, LoginRequest>(({ input, signal }) => requestLogin(input, signal)),
    saveLogin: fromPromise<void, { deps: SessionDeps; result: LoginResult }>(({ input, signal }) =>
      saveLogin(input, signal),
    ),
    undoLogin: fromPromise<void, { deps: SessionDeps; previous: CommittedSession }>(({ input, signal }) =>
      undoLogin(input, signal),
    ),
  },
  guards: {
    hasIdentity: ({ context }) => context.identity !== undefined,
    hasUsableCredentials: ({ context }) => usable(context),
    /** Logins, or an identity known to be authenticated: the `authenticated` phase. */
    isAuthenticated: ({ context }) => hasLoginsIn(context) || context.identity?.authenticated === true,
    hasLogins: ({ context }) => hasLoginsIn(context),
    /** A login the identity is not linked to yet (a guest identity, or a second provider). */
    hasUnlinkedLogins: ({ context }) =>
      Object.keys(context.logins).some(
        (key) => !context.identity?.authenticated || !context.identity.providers.includes(key),
      ),
    wantsCredentials: ({ context }) => context.wanted === 'credentials',
    isPaused: ({ context }) => context.paused,
    /** Within `refreshWindowSeconds` of expiry (service clock), or past the one-minute rule. */
    inRefreshWindow: ({ context }) =>
      !usable(context) ||
      (context.credentials?.expiration.getTime() ?? 0) - serviceNow(context.deps) <=
        context.deps.options.refreshWindowSeconds * 1000,
    wantsSomething: ({ context }) => context.wanted !== 'nothing',
    guestAllowed: ({ context }) => context.deps.options.allowGuest,
    /** A forced refresh, or credentials too close to expiry to hand out. */
    needsFreshCredentials: ({ context, event }) =>
      (event.type === 'CREDENTIALS.NEEDED' && event.forceRefresh === true) || !usable(context),
    /** Some login could be renewed without the user (its provider has `getToken`). */
    canRenewSilently: ({ context }) =>
      Object.values(context.logins).some((entry) => !!entry.provider?.getToken),
    /** A SYNC this session can use (see `IdentityPoolEvent`). */
    canAdoptSync: ({ context, event }) => {
      if (event.type !== 'SYNC') return false;
      const unlinked = Object.keys(context.logins).some(
        (key) => !context.identity?.authenticated || !context.identity.providers.includes(key),
      );
      // A user signed in in another tab: every tab serves them — unless this session's own login
      // is still being linked (it comes later, and replaces this one everywhere).
      if (event.logins && event.credentials && !sameIdentity(event.identity, context.identity))
        return !unlinked && event.identity.authenticated && hasLifeLeft(event.credentials, context.deps);
      if (!context.identity)
        // Not the identity a reset just forgot (the service said it is gone).
        return (
          !hasLoginsIn(context) &&
          !event.identity.authenticated &&
          event.identity.identityId !== context.replacedIdentityId
        );
      // A guest session without logins follows the origin's newest guest identity (another tab
      // replaced one the service deleted, or two were made in a race): tabs converge on one.
      if (
        !context.identity.authenticated &&
        !hasLoginsIn(context) &&
        !event.identity.authenticated &&
        event.identity.identityId !== context.identity.identityId
      )
        return true;
      return (
        !unlinked &&
        // The same identity in the same standing: a guest tab does not take the credentials of
        // the identity another tab linked to a login (they are for the authenticated role).
        sameIdentity(event.identity, context.identity) &&
        !!event.credentials &&
        // Not older than the session's and not the same (expirations have whole seconds), or
        // newer than those it dropped.
        (context.credentials
          ? event.credentials.expiration >= context.credentials.expiration &&
            event.credentials.accessKeyId !== context.credentials.accessKeyId
          : event.credentials.expiration.getTime() > (context.discardedExpiration ?? 0)) &&
        hasLifeLeft(event.credentials, context.deps)
      );
    },
    hasPendingLogin: ({ context }) => context.login !== undefined,
    hasNextLogin: ({ context }) => context.nextLogin !== undefined,
    /** A `LOGIN.CANCEL` for the pending login. */
    isPendingTicket: ({ context, event }) =>
      event.type === 'LOGIN.CANCEL' && event.ticket === context.login?.ticket,
    /** A `LOGIN.CANCEL` for the login waiting to be made next. */
    isNextTicket: ({ context, event }) =>
      event.type === 'LOGIN.CANCEL' && event.ticket === context.nextLogin?.ticket,
    loginCancelled: ({ context }) => context.login?.cancelled === true,
    /** A login that is not committed goes back to `failed` / `loginRequired` (where it began). */
    resumesInFailed: ({ context }) => context.resumeIn === 'failed',
    resumesInLoginRequired: ({ context }) => context.resumeIn === 'loginRequired',
    recoveryIs: ({ context, event }, params: { recovery: Recovery }) =>
      effectiveRecovery(context, (event as unknown as ErrorEvent).error) === params.recovery,
  },
  actions: {
    want: assign({
      wanted: ({ context, event }) =>
        event.type === 'CREDENTIALS.NEEDED' || context.wanted === 'credentials' ? 'credentials' : 'identity',
    }),
    retryAfterFailure: assign({ recoveries: [], error: undefined, forceTokenRenewal: false }),
    /**
     * A login to make (from outside `loggingIn`, or replacing the pending one, which is told so).
     * `resumeIn`: where the session goes back to if it is not committed.
     */
    takeLogin: enqueueActions(({ context, event, enqueue }, params: { resumeIn?: ResumeIn }) => {
      const login = pendingLoginOf(event);
      if (!login) return;
      const previous = context.login;
      if (previous && !previous.cancelled)
        settleWithError(enqueue, previous, new LoginSupersededError(previous.providerName));
      enqueue.assign({ login, ...(params.resumeIn ? { resumeIn: params.resumeIn } : {}) });
    }),
    /** A login that came while the pending one is being saved (or undone): made next. */
    queueLogin: enqueueActions(({ context, event, enqueue }) => {
      const login = pendingLoginOf(event);
      if (!login) return;
      const waiting = context.nextLogin;
      if (waiting) settleWithError(enqueue, waiting, new LoginSupersededError(waiting.providerName));
      enqueue.assign({ nextLogin: login });
    }),
    forgetResumePoint: assign({ resumeIn: 'routing' as const }),
    startNextLogin: assign(({ context }) => ({ login: context.nextLogin, nextLogin: undefined })),
    holdLoginResult: assign(({ context, event }) => ({
      login: context.login && {
        ...context.login,
        result: (event as unknown as { output: LoginResult }).output,
      },
    })),
    /** The caller gave up before the service answered: nothing of the login is kept. */
    cancelLogin: enqueueActions(({ context, enqueue }) => {
      settleWithError(enqueue, context.login, new AbortError());
      enqueue.assign({ login: undefined });
    }),
    /** The caller gave up while the login is being saved: once saved, storage is put back. */
    markLoginCancelled: enqueueActions(({ context, enqueue }) => {
      settleWithError(enqueue, context.login, new AbortError());
      enqueue.assign({ login: context.login && { ...context.login, cancelled: true } });
    }),
    dropNextLogin: enqueueActions(({ context, enqueue }) => {
      settleWithError(enqueue, context.nextLogin, new AbortError());
      enqueue.assign({ nextLogin: undefined });
    }),
    /** The login was undone (its caller knows already). */
    endLogin: assign({ login: undefined }),
    /** The service refused the login, or it failed: the committed session stays as it was. */
    failLogin: enqueueActions(({ context, event, enqueue }) => {
      const login = context.login;
      if (!login) return;
      const cause = (event as unknown as ErrorEvent).error;
      const error =
        cause instanceof LoginFailedError ? cause : new LoginFailedError(login.providerName, cause);
      enqueue.emit({ type: 'error', error });
      settleWithError(enqueue, login, error);
      enqueue.assign({ login: undefined });
    }),
    /** The login is stored: it becomes the session's identity, logins and credentials. */
    commitLogin: enqueueActions(({ context, enqueue }) => {
      const login = context.login;
      const result = login?.result;
      if (!login || !result) return;
      const change = loginIdentityChange(context, result);
      // A new identity: from now on the session's identity is the one obtained under that record.
      const signOuts = signOutsOf(context.deps);
      if (signOuts && result.signOutId !== undefined) {
        const under = result.signOutId;
        enqueue(() => signOuts.adopt(under));
      }
      enqueue.assign({
        identity: storedIdentityOf(result),
        logins: result.logins,
        credentials: result.credentials,
        error: undefined,
        wanted: 'nothing',
        recoveries: [],
        forceTokenRenewal: false,
        replacedIdentityId: undefined,
        refreshFailures: 0,
        login: undefined,
        resumeIn: 'routing',
      });
      if (change) enqueue.emit(change);
      enqueue.emit({ type: 'credentials', credentials: result.credentials });
      enqueue.emit({ type: 'loginSettled', ticket: login.ticket, credentials: result.credentials });
    }),
    /** Forget everything of the session (logout, clear). */
    forgetSession: enqueueActions(({ context, event, enqueue }) => {
      announceLostIdentity(context, enqueue, event.type === 'LOGOUT' ? 'logout' : 'reset');
      const ended = new AbortError(
        event.type === 'LOGOUT' ? 'The session logged out' : 'The session was cleared',
      );
      if (!context.login?.cancelled) settleWithError(enqueue, context.login, ended);
      settleWithError(enqueue, context.nextLogin, ended);
      if (context.identity) {
        enqueue.emit({
          type: 'identityChanged',
          previousIdentityId: context.identity.identityId,
          identityId: undefined,
          reason: event.type === 'LOGOUT' ? 'logout' : 'reset',
        });
      }
      enqueue.assign({ ...noSession(), logins: {} });
    }),
    /** What another tab obtained (guarded by `canAdoptSync`). */
    adoptSync: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'SYNC') return;
      if (event.logins) return adoptSignedInUser(context, event, enqueue);
      const previous = context.identity;
      const replacing = !!previous && previous.identityId !== event.identity.identityId;
      const identity = previous && !replacing ? previous : event.identity;
      const credentials =
        event.credentials?.identityId === identity.identityId ? event.credentials : undefined;
      const wanted = credentials || context.wanted === 'identity' ? 'nothing' : context.wanted;
      enqueue.assign({
        identity,
        ...(credentials
          ? { credentials, error: undefined, recoveries: [], forceTokenRenewal: false, refreshFailures: 0 }
          : replacing
            ? { credentials: undefined }
            : {}),
        replacedIdentityId: undefined,
        wanted,
      });
      if (!previous || replacing) {
        const previousIdentityId = previous?.identityId ?? context.replacedIdentityId;
        enqueue.emit({
          type: 'identityChanged',
          previousIdentityId,
          identityId: identity.identityId,
          reason: previousIdentityId ? 'reset' : 'created',
        });
      }
      if (credentials) enqueue.emit({ type: 'credentials', credentials });
    }),
    dropCredentials: assign(({ context }) => ({
      credentials: undefined,
      discardedExpiration: context.credentials?.expiration.getTime() ?? context.discardedExpiration,
    })),
    forgetLogin: assign(({ context, event }) => {
      if (event.type !== 'LOGIN.REMOVED') return {};
      const { [event.providerName]: _removed, ...logins } = context.logins;
      const identity = context.identity && {
        ...context.identity,
        providers: context.identity.providers.filter((p) => p !== event.providerName),
      };
      return { logins, identity };
    }),
    pause: assign({ paused: true }),
    resume: assign({ paused: false }),
    /** Forget an identity the service says is gone or not ours; the next GetId replaces it. */
    resetIdentity: assign(({ context }) => ({
      replacedIdentityId: context.identity?.identityId ?? context.replacedIdentityId,
      identity: undefined,
      credentials: undefined,
      recoveries: withRecovery(context.recoveries, 'resetIdentity'),
    })),
    renewLogins: assign(({ context }) => ({
      forceTokenRenewal: true,
      recoveries: withRecovery(context.recoveries, 'renewLogins'),
    })),
    adoptIdentity: enqueueActions(({ context, event, enqueue }) => {
      const result = (event as unknown as { output: IdentityResult }).output;
      enqueue.assign({
        identity: storedIdentityOf(result),
        logins: result.logins,
        forceTokenRenewal: false,
        replacedIdentityId: undefined,
        wanted: context.wanted === 'identity' ? 'nothing' : context.wanted,
      });
      enqueue.emit({
        type: 'identityChanged',
        previousIdentityId: context.replacedIdentityId,
        identityId: result.identityId,
        reason: context.replacedIdentityId ? 'reset' : 'created',
      });
    }),
    adoptCredentials: enqueueActions(({ context, event, enqueue }) => {
      const result = (event as unknown as { output: CredentialsResult }).output;
      const previous = context.identity;
      enqueue.assign({
        identity: storedIdentityOf(result),
        logins: result.logins,
        credentials: result.credentials,
        error: undefined,
        wanted: 'nothing',
        recoveries: [],
        forceTokenRenewal: false,
        replacedIdentityId: undefined,
        refreshFailures: 0,
      });
      if (previous && previous.identityId !== result.identityId) {
        enqueue.emit({
          type: 'identityChanged',
          previousIdentityId: previous.identityId,
          identityId: result.identityId,
          reason: 'merged',
        });
      } else if (previous && !previous.authenticated && result.authenticated) {
        enqueue.emit({
          type: 'identityChanged',
          previousIdentityId: previous.identityId,
          identityId: result.identityId,
          reason: 'linked',
        });
      }
      enqueue.emit({ type: 'credentials', credentials: result.credentials });
    }),
    /** A request callers wait on failed: remember the error, tell them, stop wanting. */
    failRequest: enqueueActions(({ context, event, enqueue }) => {
      announceLostIdentity(context, enqueue, 'reset');
      const error = asError((event as unknown as ErrorEvent).error);
      enqueue.assign({ error, wanted: 'nothing' });
      enqueue.emit({ type: 'error', error });
      enqueue.emit({ type: 'requestFailed', error });
    }),
    failGuestAccess: enqueueActions(({ context, event, enqueue }) => {
      announceLostIdentity(context, enqueue, 'reset');
      const cause = (event as unknown as ErrorEvent).error;
      const error =
        cause instanceof GuestAccessDisabledError
          ? cause
          : new GuestAccessDisabledError('Unauthenticated access is not supported for this identity pool.');
      enqueue.assign({ error, wanted: 'nothing' });
      enqueue.emit({ type: 'error', error });
      enqueue.emit({ type: 'requestFailed', error });
    }),
    /** `allowGuest: false` and no login: nothing is sent. */
    refuseGuest: enqueueActions(({ enqueue }) => {
      const error = new LoginRequiredError([], 'Guest access is off (allowGuest: false): call login() first');
      enqueue.assign({ error, wanted: 'nothing' });
      enqueue.emit({ type: 'requestFailed', error });
    }),
    /** A background refresh failed but the credentials still have life: keep serving them. */
    noteRefreshFailure: enqueueActions(({ context, event, enqueue }) => {
      const error = asError((event as unknown as ErrorEvent).error);
      enqueue.assign({
        refreshFailures: context.refreshFailures + 1,
        recoveries: [],
        forceTokenRenewal: false,
        wanted: 'nothing',
      });
      enqueue.emit({ type: 'error', error });
      enqueue.emit({ type: 'requestFailed', error });
    }),
    requireLogin: enqueueActions(({ context, event, enqueue }) => {
      announceLostIdentity(context, enqueue, 'reset');
      const cause = (event as unknown as Partial<ErrorEvent>).error;
      const providers = providersNeedingLogin(context, cause);
      const error =
        cause instanceof LoginRequiredError
          ? cause
          : new LoginRequiredError(providers.filter((p) => p !== '*'));
      enqueue.assign({
        error,
        credentials: undefined,
        wanted: 'nothing',
        recoveries: [],
        forceTokenRenewal: false,
        identity: context.identity && { ...context.identity, authenticated: true },
      });
      for (const providerName of providers) enqueue.emit({ type: 'loginRequired', providerName });
      enqueue.emit({ type: 'requestFailed', error });
    }),
    /** Asked for credentials while a login is required: say so at once, send nothing. */
    reportLoginRequired: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ wanted: 'nothing' });
      enqueue.emit({ type: 'requestFailed', error: context.error ?? new LoginRequiredError([]) });
    }),
  },
  delays: {
    /** Until `refreshWindowSeconds` before expiry; sooner, with back-off, after failed refreshes. */
    refreshDelay: ({ context }) => {
      // A duration: expiry (service clock) minus now (service clock) is right on any local timer.
      const now = serviceNow(context.deps);
      const expiresAt = context.credentials?.expiration.getTime() ?? now;
      const windowMs = context.deps.options.refreshWindowSeconds * 1000;
      // Sessions that got credentials together do not all refresh in the same second.
      let delay = spreadRefreshDelay(expiresAt - windowMs - now, windowMs, context.identity?.identityId);
      if (context.refreshFailures > 0) {
        const lastUseful = expiresAt - MIN_CREDENTIAL_LIFETIME_MS - now;
        delay = Math.min(MIN_REFRESH_DELAY_MS * 2 ** (context.refreshFailures - 1), lastUseful);
      }
      return Math.max(context.paused ? PAUSED_RECHECK_MS : MIN_REFRESH_DELAY_MS, delay);
    },
  },
}).createMachine({
  id: 'identityPool',
  initial: 'restoring',
  context: ({ input }) => ({ deps: input.deps, logins: input.logins ?? {}, paused: false, ...noSession() }),
  on: {
    'CREDENTIALS.NEEDED': { actions: 'want' },
    'IDENTITY.NEEDED': { actions: 'want' },
    LOGIN: { target: '.loggingIn', actions: { type: 'takeLogin', params: { resumeIn: 'routing' } } },
    LOGOUT: { target: '.unauthenticated', actions: 'forgetSession' },
    CLEAR: { target: '.unauthenticated', actions: 'forgetSession' },
    'CREDENTIALS.CLEAR': { target: '.routing', actions: 'dropCredentials' },
    'LOGIN.REMOVED': { actions: 'forgetLogin' },
    PAUSE: { actions: 'pause' },
    RESUME: { actions: 'resume' },
    SYNC: { guard: 'canAdoptSync', target: '.routing', actions: 'adoptSync' },
  },
  states: {
    restoring: {
      invoke: {
        id: 'restoreSession',
        src: 'restoreSession',
        input: ({ context }) => ({ deps: context.deps }),
        onDone: {
          target: 'routing',
          actions: assign({
            identity: ({ event }) => event.output.identity,
            credentials: ({ event }) => event.output.credentials,
            // The user another tab signed in (`restoreSession`), else the session's own.
            logins: ({ context, event }) => event.output.logins ?? context.logins,
          }),
        },
        // restoreSession never rejects (storage failures are reported and read as empty).
        onError: { target: 'routing' },
      },
      on: {
        // Made once the session is restored (routing).
        LOGIN: { actions: { type: 'takeLogin', params: { resumeIn: 'routing' } } },
        'LOGIN.CANCEL': { guard: 'isPendingTicket', actions: 'cancelLogin' },
        'CREDENTIALS.CLEAR': { actions: 'dropCredentials' },
      },
    },
    routing: {
      always: [
        { guard: 'hasPendingLogin', target: 'loggingIn' },
        { guard: 'isAuthenticated', target: 'authenticated' },
        { guard: 'hasUsableCredentials', target: 'credentialed' },
        { guard: 'hasIdentity', target: 'identified' },
        { target: 'unauthenticated' },
      ],
    },
    unauthenticated: {
      always: [
        { guard: and(['wantsSomething', 'guestAllowed']), target: 'identifying' },
        { guard: 'wantsSomething', target: 'failed', actions: 'refuseGuest' },
      ],
    },
    identifying: {
      invoke: {
        id: 'obtainIdentity',
        src: 'obtainIdentity',
        input: ({ context }) => ({
          deps: context.deps,
          logins: {},
          forceTokenRenewal: false,
          avoidIdentityId: context.replacedIdentityId,
        }),
        onDone: { target: 'identified', actions: 'adoptIdentity' },
        onError: [
          {
            guard: { type: 'recoveryIs', params: { recovery: 'guestAccessDisabled' } },
            target: 'failed',
            actions: 'failGuestAccess',
          },
          failTo('#identityPool.failed'),
        ],
      },
    },
    identified: {
      always: { guard: 'wantsCredentials', target: 'fetching' },
    },
    fetching: {
      invoke: obtainCredentialsThen([...guestRecoveries(), failTo('#identityPool.failed')]),
    },
    credentialed: credentialedState(),
    refreshing: {
      invoke: obtainCredentialsThen([
        ...guestRecoveries(),
        keepServingIfUsable(),
        failTo('#identityPool.failed'),
      ]),
    },
    authenticated: {
      initial: 'routing',
      states: {
        routing: {
          always: [
            { guard: and(['hasIdentity', 'hasUnlinkedLogins']), target: 'fetching' },
            { guard: 'hasUsableCredentials', target: 'credentialed' },
            { guard: 'hasIdentity', target: 'identified' },
            { target: 'identifying' },
          ],
        },
        identifying: {
          invoke: {
            id: 'obtainIdentity',
            src: 'obtainIdentity',
            input: ({ context }) => ({
              deps: context.deps,
              logins: context.logins,
              forceTokenRenewal: context.forceTokenRenewal,
            }),
            onDone: { target: 'fetching', actions: 'adoptIdentity' },
            onError: [
              {
                guard: { type: 'recoveryIs', params: { recovery: 'renewLogins' } },
                target: 'identifying',
                reenter: true,
                actions: 'renewLogins',
              },
              {
                guard: { type: 'recoveryIs', params: { recovery: 'loginRequired' } },
                target: 'loginRequired',
                actions: 'requireLogin',
              },
              failTo('#identityPool.failed'),
            ],
          },
        },
        identified: {
          always: [
            { guard: and(['wantsCredentials', 'hasLogins']), target: 'fetching' },
            { guard: 'wantsCredentials', target: 'loginRequired', actions: 'requireLogin' },
          ],
        },
        fetching: {
          invoke: obtainCredentialsThen([
            ...authenticatedRecoveries('fetching'),
            failTo('#identityPool.failed'),
          ]),
        },
        credentialed: credentialedState(),
        refreshing: {
          invoke: obtainCredentialsThen([
            ...authenticatedRecoveries('refreshing'),
            keepServingIfUsable(),
            failTo('#identityPool.failed'),
          ]),
        },
        loginRequired: {
          on: {
            LOGIN: {
              target: '#identityPool.loggingIn',
              actions: { type: 'takeLogin', params: { resumeIn: 'loginRequired' } },
            },
            'CREDENTIALS.NEEDED': [
              // Through routing: GetId first when the login never got an identity.
              { guard: 'canRenewSilently', target: 'routing', actions: ['want', 'renewLogins'] },
              { actions: 'reportLoginRequired' },
            ],
          },
        },
      },
    },
    loggingIn: loggingInState(),
    failed: {
      on: {
        LOGIN: {
          target: 'loggingIn',
          actions: { type: 'takeLogin', params: { resumeIn: 'failed' } },
        },
        'CREDENTIALS.NEEDED': { target: 'routing', actions: ['want', 'retryAfterFailure'] },
        'IDENTITY.NEEDED': { target: 'routing', actions: ['want', 'retryAfterFailure'] },
      },
    },
  },
});

/**
 * A SYNC with logins: the user another tab signed in, with its identity, credentials and tokens
 * (this tab's own provider kept for the same key, so it can renew too).
 */
function adoptSignedInUser(
  context: IdentityPoolContext,
  event: Extract<IdentityPoolEvent, { type: 'SYNC' }>,
  enqueue: Enqueue,
) {
  const previous = context.identity;
  const identity = storedIdentityOf(event.identity);
  const credentials = event.credentials as IdentityPoolCredentials;
  enqueue.assign({
    identity,
    logins: {
      ...(previous?.identityId === identity.identityId ? context.logins : {}),
      ...borrowLogins(event.logins ?? {}, context.logins),
    },
    credentials,
    error: undefined,
    recoveries: [],
    forceTokenRenewal: false,
    refreshFailures: 0,
    replacedIdentityId: undefined,
    wanted: 'nothing',
  });
  if (!sameIdentity(previous, identity)) {
    const reason: IdentityChangeReason = !previous
      ? 'created'
      : previous.identityId === identity.identityId
        ? 'linked'
        : previous.authenticated
          ? 'reset'
          : 'merged';
    enqueue.emit({
      type: 'identityChanged',
      previousIdentityId: previous?.identityId ?? context.replacedIdentityId,
      identityId: identity.identityId,
      reason,
    });
  }
  enqueue.emit({ type: 'credentials', credentials });
}

/* The helpers below return parts of transitions that several states share. They are plain
 * functions (hoisted), so the statechart above reads top to bottom. */

/**
 * A login is a transaction: the committed identity, logins and credentials stay as they are (and
 * keep being served) while the login is requested and saved; it is then committed, or dropped
 * with nothing of it kept (refused, cancelled, replaced by a later login, or a logout).
 */
function loggingInState() {
  const leave = '#identityPool.loggingIn.routing' as const;
  return {
    initial: 'requesting',
    exit: 'forgetResumePoint',
    on: {
      // The dropped credentials are the committed ones; the login brings its own.
      'CREDENTIALS.CLEAR': { actions: 'dropCredentials' },
      // What another tab obtained is not taken in the middle of a login: the login decides.
      SYNC: {},
    },
    states: {
      requesting: {
        invoke: {
          id: 'requestLogin',
          src: 'requestLogin',
          input: ({ context }: { context: IdentityPoolContext }): LoginRequest => ({
            deps: context.deps,
            identity: context.identity,
            logins: context.logins,
            providerName: context.login?.providerName ?? '',
            entry: context.login?.entry ?? {},
          }),
          onDone: { target: 'saving', actions: 'holdLoginResult' },
          onError: { target: leave, actions: 'failLogin' },
        },
        on: {
          // A later login replaces this one (its request is stopped).
          LOGIN: { target: 'requesting', reenter: true, actions: { type: 'takeLogin', params: {} } },
          'LOGIN.CANCEL': { guard: 'isPendingTicket', target: leave, actions: 'cancelLogin' },
        },
      },
      saving: {
        invoke: {
          id: 'saveLogin',
          src: 'saveLogin',
          input: ({ context }: { context: IdentityPoolContext }) => ({
            deps: context.deps,
            result: context.login?.result as LoginResult,
          }),
          onDone: [
            { guard: 'loginCancelled', target: 'undoing' },
            { target: leave, actions: 'commitLogin' },
          ],
          // Only the tabs' lock can fail it (the store reports its own failures), before any write.
          onError: [
            { guard: 'loginCancelled', target: leave, actions: 'endLogin' },
            { target: leave, actions: 'failLogin' },
          ],
        },
        on: {
          // Its writes are under way: the login completes (or is undone), then the next is made.
          LOGIN: { actions: 'queueLogin' },
          'LOGIN.CANCEL': [
            { guard: 'isPendingTicket', actions: 'markLoginCancelled' },
            { guard: 'isNextTicket', actions: 'dropNextLogin' },
          ],
        },
      },
      undoing: {
        invoke: {
          id: 'undoLogin',
          src: 'undoLogin',
          input: ({ context }: { context: IdentityPoolContext }) => ({
            deps: context.deps,
            previous: { identity: context.identity, credentials: context.credentials },
          }),
          onDone: { target: leave, actions: 'endLogin' },
          onError: { target: leave, actions: 'endLogin' },
        },
        on: {
          LOGIN: { actions: 'queueLogin' },
          'LOGIN.CANCEL': { guard: 'isNextTicket', actions: 'dropNextLogin' },
        },
      },
      /** Transient: the next login, or back where the session was (a commit goes on to routing). */
      routing: {
        always: [
          { guard: 'hasNextLogin', target: 'requesting', actions: 'startNextLogin' },
          {
            guard: and(['resumesInFailed', not('wantsSomething')]),
            target: '#identityPool.failed',
          },
          {
            guard: 'resumesInFailed',
            target: '#identityPool.routing',
            actions: 'retryAfterFailure',
          },
          {
            guard: and(['resumesInLoginRequired', 'wantsSomething']),
            target: '#identityPool.authenticated.loginRequired',
            actions: 'reportLoginRequired',
          },
          {
            guard: 'resumesInLoginRequired',
            target: '#identityPool.authenticated.loginRequired',
          },
          { target: '#identityPool.routing' },
        ],
      },
    },
  } as const;
}

function credentialsRequest({ context }: { context: IdentityPoolContext }): CredentialsRequest {
  return {
    deps: context.deps,
    identity: context.identity as StoredIdentity,
    logins: context.logins,
    forceTokenRenewal: context.forceTokenRenewal,
    current: context.credentials,
    discardedExpiration: context.discardedExpiration,
  };
}

/** Holds credentials; the refresh timer, or a caller who needs fresher ones, moves on to `refreshing`. */
function credentialedState() {
  return {
    after: {
      refreshDelay: [
        // Paused: the timer does nothing but wait again; RESUME catches up.
        { guard: 'isPaused', target: 'credentialed', reenter: true },
        { target: 'refreshing' },
      ],
    },
    on: {
      'CREDENTIALS.NEEDED': { guard: 'needsFreshCredentials', target: 'refreshing', actions: 'want' },
      RESUME: [
        { guard: 'inRefreshWindow', target: 'refreshing', actions: 'resume' },
        // Re-armed: the delay is computed again, unpaused.
        { target: 'credentialed', reenter: true, actions: 'resume' },
      ],
    },
  } as const;
}

/** GetCredentialsForIdentity; success goes back through `routing`, failure to `onError`. */
function obtainCredentialsThen<T>(onError: T) {
  return {
    id: 'obtainCredentials',
    src: 'obtainCredentials',
    input: credentialsRequest,
    onDone: { target: 'routing', actions: 'adoptCredentials' },
    onError,
  } as const;
}

/** A failed background refresh whose credentials still have life: keep serving them. */
function keepServingIfUsable() {
  return { guard: 'hasUsableCredentials', target: 'credentialed', actions: 'noteRefreshFailure' } as const;
}

/** The last resort of every request: the `failed` phase, whose next request tries again. */
function failTo(target: '#identityPool.failed') {
  return { target, actions: 'failRequest' as const };
}

/** What a guest's GetCredentialsForIdentity failure can recover by (the recovery table). */
function guestRecoveries() {
  return [
    {
      guard: { type: 'recoveryIs' as const, params: { recovery: 'resetIdentity' as const } },
      target: '#identityPool.identifying',
      actions: 'resetIdentity' as const,
    },
    {
      guard: { type: 'recoveryIs' as const, params: { recovery: 'guestAccessDisabled' as const } },
      target: '#identityPool.failed',
      actions: 'failGuestAccess' as const,
    },
    {
      // "Logins don't match" without logins: the stored identity is authenticated.
      guard: { type: 'recoveryIs' as const, params: { recovery: 'loginRequired' as const } },
      target: '#identityPool.authenticated.loginRequired',
      actions: 'requireLogin' as const,
    },
  ];
}

/** What an authenticated GetCredentialsForIdentity failure can recover by (the recovery table). */
function authenticatedRecoveries(self: 'fetching' | 'refreshing') {
  return [
    {
      guard: { type: 'recoveryIs' as const, params: { recovery: 'resetIdentity' as const } },
      target: '#identityPool.authenticated.identifying',
      actions: 'resetIdentity' as const,
    },
    {
      guard: { type: 'recoveryIs' as const, params: { recovery: 'renewLogins' as const } },
      target: `#identityPool.authenticated.${self}` as const,
      reenter: true,
      actions: 'renewLogins' as const,
    },
    {
      guard: { type: 'recoveryIs' as const, params: { recovery: 'loginRequired' as const } },
      target: '#identityPool.authenticated.loginRequired',
      actions: 'requireLogin' as const,
    },
  ];
}

export type IdentityPoolMachine = typeof identityPoolMachine;

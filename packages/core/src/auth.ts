import type { Actor } from 'xstate';
import { createEventHub, republishMachineEvents } from './auth-events.js';
import { createLatest } from './auth-latest.js';
import { createSignOut } from './auth-sign-out.js';
import { followSignOutsElsewhere } from './auth-sign-outs.js';
import { createStateView } from './auth-state.js';
import { coordinateWithTabs } from './auth-tabs.js';
import { createWaiters } from './auth-waiters.js';
import { type SessionScope, wireSession } from './auth-wiring.js';
import { toTimerClock } from './clock.js';
import { AbortError, type IdentityPoolError, StoppedError } from './errors.js';
import { watchLifecycleSource } from './lifecycle.js';
import { createLoginCalls } from './login-calls.js';
import { checkRemovableLogin, type LoginInput, resolveLogin } from './login-input.js';
import type { IdentityPoolMachine } from './machine.js';
import { type IdentityPoolAuthOptions, resolveOptions } from './options.js';
import { signOutProvider } from './provider-sign-out.js';
import { SessionSecrets, toLibraryError } from './redact.js';
import { unlinkLogin } from './session.js';
import { claimNamespace } from './storage/namespace-claims.js';
import type {
  IdentityPoolCredentials,
  IdentityPoolEventListener,
  IdentityPoolEventType,
  IdentityPoolState,
  LoginProvider,
} from './types.js';

export interface GetCredentialsOptions {
  /** Fetch new credentials even if the cached ones are good. */
  forceRefresh?: boolean;
  /** Stop waiting (rejects with `AbortError`); the shared request goes on for other callers. */
  signal?: AbortSignal;
}

export type { LoginInput } from './login-input.js';

export interface IdentityPoolAuth {
  /** Credentials with at least a minute of life; one request however many callers ask at once. */
  getCredentials(options?: GetCredentialsOptions): Promise<IdentityPoolCredentials>;
  /** `getCredentials` as a function, usable as `credentials` of any AWS SDK v3 client. */
  readonly credentialProvider: (props?: { forceRefresh?: boolean }) => Promise<IdentityPoolCredentials>;
  /** The identity ID, getting one (GetId) if none is cached. */
  getIdentityId(options?: { signal?: AbortSignal }): Promise<string>;
  /** The cached identity ID, if any, without a request. */
  getCachedIdentityId(): string | undefined;
  /** Sign in (a guest identity is linked, or merged into the login's own) and get its credentials. */
  login(login: LoginInput, options?: { signal?: AbortSignal }): Promise<IdentityPoolCredentials>;
  /**
   * Unlink one provider's login from the authenticated identity (UnlinkIdentity) and forget its
   * token; the identity keeps its other logins and its credentials. The last login cannot be
   * removed (the identity would become unreachable): use `logout()`.
   */
  removeLogin(providerName: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Forget the identity, its credentials and its logins; the next call is a fresh guest. */
  logout(): Promise<void>;
  /** Forget everything of this pool (identity, credentials, logins) in memory and storage. */
  clear(): Promise<void>;
  /** Drop only the credentials (the identity is kept). */
  clearCredentials(): Promise<void>;
  on<T extends IdentityPoolEventType>(type: T, listener: IdentityPoolEventListener<T>): () => void;
  /** A secret-free view of the session; the same object until something changes. */
  getState(): IdentityPoolState;
  /** Called on every change of `getState()` (fits React's `useSyncExternalStore`). */
  subscribe(listener: () => void): () => void;
  /** The running xstate actor. */
  readonly actor: Actor<IdentityPoolMachine>;
  /**
   * Stops timers and the actor; pending and later calls reject with `StoppedError`. What is stored
   * stays stored; no write of work begun before is sent to the storage adapter afterwards.
   */
  stop(): void;
}

/**
 * Creates a session for one identity pool: guest and authenticated identities, credentials
 * refreshed ahead of expiry, and the identity kept in `storage`.
 * @throws ConfigurationError for a bad option, naming the field and the rule.
 */
export function createIdentityPoolAuth(options: IdentityPoolAuthOptions): IdentityPoolAuth {
  const resolved = resolveOptions(options);
  const clock = toTimerClock(resolved.clock);
  const { publish, on } = createEventHub();

  /** The session's login tokens and credentials' secrets: redacted from all it emits and rejects with. */
  const secrets = new SessionSecrets();
  /** Anything leaving the session as an error: one of the library's, with no secret in it. */
  const safe = (error: unknown, operation = 'session') =>
    toLibraryError(error, secrets, { source: 'runtime', operation });
  const reportError = (error: unknown) => publish('error', { error: safe(error) });

  const parts = wireSession(resolved, clock, secrets, reportError);
  const { storage, store, tabs, deps, skew, actor } = parts;

  const loginCalls = createLoginCalls(actor, secrets);
  const state = createStateView(actor, () => tabs.mode, secrets);
  let stopped = false;
  /** Bumped by logout() and clear(): a login() that began before them must not sign back in. */
  let epoch = 0;
  const isStopped = () => stopped;
  const newEpoch = () => {
    epoch++;
  };
  const latest = createLatest(secrets, clock, skew);
  const { wait, settle, rejectAll, stopAll } = createWaiters(
    actor,
    isStopped,
    () => latest.credentials,
    (error) => safe(error),
  );
  const scope: SessionScope = { ...parts, clock, secrets, isStopped, newEpoch, rejectAll, reportError };

  republishMachineEvents(actor, publish, reportError);
  // A login() settles from its own ticket only: never from credentials some other login brought.
  actor.on('loginSettled', loginCalls.settle);
  actor.on('requestFailed', ({ error }) => {
    const hasIdentity = actor.getSnapshot().context.identity !== undefined;
    rejectAll(error, hasIdentity ? ['credentials'] : ['credentials', 'identity']);
  });
  actor.subscribe({
    next: (snapshot) => {
      latest.observe(snapshot);
      settle(snapshot);
      state.update(snapshot);
    },
    error: (error) => rejectAll(error),
  });
  // Tabs coordinate through the lock manager and share the namespace; a session on its own has it
  // to itself (no coordinating tab beside it either).
  // Claimed last before starting, so a session that failed to build never holds it.
  const releaseNamespace = claimNamespace(
    storage,
    resolved.storageKeyPrefix,
    resolved.identityPoolId,
    tabs.mode,
  );
  actor.start();
  // Browsers: no background refresh while hidden or offline; catch up on return.
  const unwatchLifecycle = watchLifecycleSource(resolved.lifecycle, (paused) =>
    actor.send({ type: paused ? 'PAUSE' : 'RESUME' }),
  );

  const unwatchSignOuts = followSignOutsElsewhere(scope);

  const tabGlue = coordinateWithTabs(scope);
  parts.setTabMessageHandler(tabGlue.onMessage);

  function getCredentials(options?: GetCredentialsOptions): Promise<IdentityPoolCredentials> {
    // The hot path: cached credentials with life left cost one comparison.
    // One shared, already-resolved promise: no allocation per call.
    // (`isUsable` unrolled: the corrected clock against the expiry less the minimum lifetime.)
    if (!options?.forceRefresh && !stopped && clock.now() + skew.offsetMs < latest.usableUntil)
      return latest.promise as Promise<IdentityPoolCredentials>;
    const force = options?.forceRefresh === true;
    let baseline: IdentityPoolCredentials | undefined;
    return exit(
      'getCredentials',
      wait(
        'credentials',
        options?.signal,
        (credentials) =>
          latest.isUsable(credentials) && (!force || credentials !== baseline) ? credentials : undefined,
        () => {
          baseline = latest.credentials;
          actor.send({ type: 'CREDENTIALS.NEEDED', forceRefresh: force });
        },
      ),
    );
  }

  /**
   * After a call's await: throws if the session was stopped (`StoppedError`) or signed out
   * (`AbortError` with `signedOut`) since the call began in epoch `startedIn`, so that it
   * changes nothing of the session any longer.
   */
  function stillCurrent(startedIn: number, signedOut: string) {
    if (stopped) throw new StoppedError();
    if (epoch !== startedIn) throw new AbortError(signedOut);
  }

  /** A provider's `signOut()`, time-boxed; a failure or timeout becomes an `error` event (redacted). */
  const signOutOf = (provider: LoginProvider) => signOutProvider(provider, clock, reportError);
  const forget = createSignOut(scope, latest, loginCalls, signOutOf, tabGlue.signOutEverywhere);

  /** A public call's rejection: one of the library's errors, with no secret in it. */
  function exit<T>(operation: string, promise: Promise<T>): Promise<T> {
    return promise.catch((error: unknown) => {
      throw safe(error, operation);
    });
  }

  const auth: IdentityPoolAuth = {
    getCredentials,
    credentialProvider: (props) => getCredentials(props?.forceRefresh ? { forceRefresh: true } : undefined),
    getIdentityId(options) {
      const cached = actor.getSnapshot().context.identity?.identityId;
      if (cached && !stopped) return Promise.resolve(cached);
      return wait(
        'identity',
        options?.signal,
        (_credentials, snapshot) => snapshot.context.identity?.identityId,
        () => actor.send({ type: 'IDENTITY.NEEDED' }),
      );
    },
    getCachedIdentityId: () => actor.getSnapshot().context.identity?.identityId,
    async login(login, options) {
      if (stopped) throw new StoppedError();
      const signal = options?.signal;
      const startedIn = epoch;
      const entry = await resolveLogin(login, signal, secrets);
      stillCurrent(startedIn, 'The session logged out while signing in');
      if (signal?.aborted) throw new AbortError();
      return loginCalls.send(entry, signal);
    },
    async removeLogin(providerName, options) {
      if (stopped) throw new StoppedError();
      const { identity: held, logins } = actor.getSnapshot().context;
      const identity = checkRemovableLogin(providerName, held, logins);
      const startedIn = epoch;
      await unlinkLogin(
        { deps, identity, logins, providerName, current: () => epoch === startedIn && !stopped },
        options?.signal,
      );
      stillCurrent(startedIn, 'The session logged out while the login was removed');
      const provider = logins[providerName]?.provider;
      actor.send({ type: 'LOGIN.REMOVED', providerName });
      if (provider) await signOutOf(provider);
    },
    logout: () => forget('LOGOUT'),
    clear: () => forget('CLEAR'),
    async clearCredentials() {
      if (stopped) throw new StoppedError();
      // Before the machine asks for new credentials: only writes begun earlier are dropped.
      const removed = store.removeCredentials();
      actor.send({ type: 'CREDENTIALS.CLEAR' });
      await removed;
    },
    on,
    getState: state.getState,
    subscribe: state.subscribe,
    actor,
    stop() {
      if (stopped) return;
      stopped = true;
      // Not a sign-out (what is stored stays), but the namespace is free from now on: no write of
      // work begun before stop() is sent after it, to land on what the next session stores.
      store.endLeases();
      unwatchLifecycle();
      unwatchSignOuts();
      releaseNamespace();
      tabs.close();
      actor.stop();
      stopAll();
      loginCalls.rejectAll(new StoppedError());
    },
  };
  // Every rejection of the public API leaves through `exit`: typed, and with no secret in it.
  auth.getIdentityId = exiting('getIdentityId', auth.getIdentityId);
  auth.login = exiting('login', auth.login);
  auth.removeLogin = exiting('removeLogin', auth.removeLogin);
  auth.logout = exiting('logout', auth.logout);
  auth.clear = exiting('clear', auth.clear);
  auth.clearCredentials = exiting('clearCredentials', auth.clearCredentials);
  return auth;

  /** `call`, whose rejections (and synchronous throws) leave through `exit`. */
  function exiting<A extends unknown[], T>(operation: string, call: (...args: A) => Promise<T>) {
    return (...args: A): Promise<T> => {
      try {
        return exit(operation, call(...args));
      } catch (error) {
        return Promise.reject(safe(error, operation));
      }
    };
  }
}

export type { IdentityPoolError };

import type {
  IdentityPoolAuth,
  IdentityPoolCredentials,
  IdentityPoolError,
  IdentityPoolState,
  LoginInput,
} from '@identity-pool/core';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useSessionHolder } from './provider.js';

export interface IdentityPoolView {
  /**
   * `getState()` of the session: the same object until something changes, so a component
   * re-renders only on a real change (a sub-state too: `phase`). `status: 'starting'` until the
   * session exists (on the server, and in the first client render).
   */
  state: IdentityPoolState;
  /** `session.login()`, waiting for the session if it does not exist yet. */
  login(login: LoginInput, options?: { signal?: AbortSignal }): Promise<IdentityPoolCredentials>;
  /** `session.logout()`, waiting for the session if it does not exist yet. */
  logout(): Promise<void>;
  /** The session itself, once created (`undefined` on the server and in the first render). */
  session: IdentityPoolAuth | undefined;
}

/** The session's state (through `useSyncExternalStore`) and its `login` / `logout`. */
export function useIdentityPool(): IdentityPoolView {
  const holder = useSessionHolder('useIdentityPool');
  const state = useSyncExternalStore(holder.subscribe, holder.getState, holder.getServerState);
  const actions = useMemo(
    () => ({
      login: async (login: LoginInput, options?: { signal?: AbortSignal }) =>
        (await holder.whenReady()).login(login, options),
      logout: async () => (await holder.whenReady()).logout(),
    }),
    [holder],
  );
  return { state, ...actions, session: holder.session };
}

/**
 * What `useCredentials()` returns: `loading` until the first credentials (and while there are
 * none), `ready` with them — kept while they are refreshed — or `error` with a typed error.
 */
export type CredentialsResult =
  | { status: 'loading'; credentials: undefined; error: undefined }
  | { status: 'ready'; credentials: IdentityPoolCredentials; error: undefined }
  | { status: 'error'; credentials: undefined; error: IdentityPoolError };

const LOADING: CredentialsResult = Object.freeze({
  status: 'loading',
  credentials: undefined,
  error: undefined,
});

/**
 * Credentials for a component that needs them (asked for when it mounts, and again whenever the
 * identity or the credentials' expiry changes), as `{ status, credentials, error }` rather than
 * Suspense: the component keeps its credentials while they are refreshed or a login is made,
 * renders on the server without a session, and handles an error without an error boundary.
 */
export function useCredentials(): CredentialsResult {
  const { state, session } = useIdentityPool();
  const [result, setResult] = useState<CredentialsResult>(LOADING);
  // The credentials change when the identity or their expiry does (refresh, login, logout).
  const version = `${state.identityId ?? ''}|${state.expiration?.getTime() ?? ''}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger: new credentials to fetch.
  useEffect(() => {
    if (!session) return;
    const controller = new AbortController();
    session.getCredentials({ signal: controller.signal }).then(
      (credentials) =>
        setResult((previous) =>
          previous.credentials === credentials
            ? previous
            : { status: 'ready', credentials, error: undefined },
        ),
      (error: IdentityPoolError) => {
        if (!controller.signal.aborted) setResult({ status: 'error', credentials: undefined, error });
      },
    );
    return () => controller.abort();
  }, [session, version]);
  // Another identity's credentials (after a logout, or a login that merged) are never shown.
  if (result.status === 'ready' && result.credentials.identityId !== state.identityId) return LOADING;
  return result;
}

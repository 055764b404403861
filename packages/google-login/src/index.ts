/**
 * `@identity-pool/google-login`: Sign in with Google (Google Identity Services) as an
 * identity-pool `LoginProvider`, with the Cognito `Logins` key `accounts.google.com`.
 *
 * In a browser it loads the GIS client on first use (never at import), calls
 * `google.accounts.id.initialize` with a callback, signs in with `prompt()` (One Tap), takes the
 * `credential` ID token, renews silently through auto-select and calls `disableAutoSelect()` on
 * sign-out. Tests and SSR pass an `sdk` object; outside a browser, a `getIdToken` function
 * supplies the ID tokens.
 */
import {
  AbortError,
  abortable,
  ConfigurationError,
  LoginCancelledError,
  type LoginProvider,
  type LoginToken,
} from '@identity-pool/core';
import { decodeJwt } from 'jose';

/** The Cognito `Logins` key of Google. */
export const GOOGLE_LOGINS_KEY = 'accounts.google.com';
/** Where the GIS client is loaded from by default. */
export const DEFAULT_GOOGLE_SDK_URL = 'https://accounts.google.com/gsi/client';

/** What GIS passes to the `initialize` callback. */
export interface GoogleCredentialResponse {
  /** The ID token (a JWT). */
  credential: string;
  select_by?: string;
  clientId?: string;
}
/** The moment notification `prompt()` reports (the methods this package reads). */
export interface GooglePromptMomentNotification {
  isNotDisplayed?(): boolean;
  isSkippedMoment?(): boolean;
  isDismissedMoment?(): boolean;
  getDismissedReason?(): string;
  getNotDisplayedReason?(): string;
  getSkippedReason?(): string;
}
export interface GoogleIdConfiguration {
  client_id: string;
  callback: (response: GoogleCredentialResponse) => void;
  auto_select?: boolean;
  cancel_on_tap_outside?: boolean;
  use_fedcm_for_prompt?: boolean;
  itp_support?: boolean;
}
/** The part of Google Identity Services (`window.google`) this package calls. */
export interface GoogleIdentityServices {
  accounts: {
    id: {
      initialize(config: GoogleIdConfiguration): void;
      prompt(listener?: (notification: GooglePromptMomentNotification) => void): void;
      disableAutoSelect(): void;
      cancel?(): void;
    };
  };
}

/** What `getIdToken` may return: an ID token (its `exp` claim gives `expiresAt`), a `LoginToken`, or none. */
export type GoogleTokenResult = LoginToken | string | null | undefined;

export interface GoogleLoginOptions {
  /** Your OAuth client ID (the identity pool's `accounts.google.com` client ID). */
  clientId: string;
  /** A GIS object (`{ accounts: { id } }`) to use instead of loading the script (tests, SSR). */
  sdk?: GoogleIdentityServices;
  /** Where to load GIS from; default `https://accounts.google.com/gsi/client`. */
  sdkUrl?: string;
  /**
   * GIS `auto_select`: a returning user who chose an account before gets a token without a
   * click. Default `true`; with `false`, `getToken()` cannot renew silently and answers `null`
   * unless the user acts.
   */
  autoSelect?: boolean;
  /**
   * Outside a browser: returns the user's Google ID token (`interactive` is true for
   * `signIn`), e.g. from `google-auth-library`, or `null` when there is none. Used when no `sdk` is given.
   */
  getIdToken?: (opts: {
    signal?: AbortSignal | undefined;
    interactive: boolean;
  }) => Promise<GoogleTokenResult>;
  /** How long `getToken()` waits for a silent answer before giving up with `null`; default 10 s. */
  silentTimeoutMs?: number;
}

const isBrowser = () => typeof window !== 'undefined' && typeof document !== 'undefined';

const loads = new Map<string, Promise<GoogleIdentityServices>>();

function loadSdk(url: string): Promise<GoogleIdentityServices> {
  const existing = (globalThis as { google?: GoogleIdentityServices }).google;
  if (existing?.accounts?.id) return Promise.resolve(existing);
  let load = loads.get(url);
  if (!load) {
    load = new Promise<GoogleIdentityServices>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.addEventListener('load', () => {
        const google = (window as Window & { google?: GoogleIdentityServices }).google;
        if (google?.accounts?.id) resolve(google);
        else reject(new Error(`${url} loaded but did not define google.accounts.id`));
      });
      script.addEventListener('error', () => {
        loads.delete(url);
        script.remove();
        reject(new Error(`Google Identity Services could not be loaded from ${url}`));
      });
      (document.head ?? document.documentElement).appendChild(script);
    });
    loads.set(url, load);
  }
  return load;
}

/** `{ token, expiresAt }` from an ID token: `expiresAt` is its `exp` claim (decoded, not verified: Cognito verifies it). */
export function idTokenToLoginToken(idToken: string): LoginToken {
  let exp: unknown;
  try {
    exp = decodeJwt(idToken).exp;
  } catch {
    throw new ConfigurationError('googleLogin', 'the ID token is not a JWT');
  }
  return typeof exp === 'number' && Number.isFinite(exp)
    ? { token: idToken, expiresAt: exp * 1000 }
    : { token: idToken };
}

function toToken(result: GoogleTokenResult): LoginToken | null {
  if (result === null || result === undefined) return null;
  if (typeof result === 'string') return result.length ? idTokenToLoginToken(result) : null;
  if (typeof result.token !== 'string' || result.token.length === 0) {
    throw new ConfigurationError(
      'googleLogin.getIdToken',
      'must resolve to an ID token, { token, expiresAt? } or null',
    );
  }
  return result.expiresAt === undefined ? idTokenToLoginToken(result.token) : result;
}

/**
 * Sign in with Google as a `LoginProvider` (`id: 'google'`, `loginsKey: 'accounts.google.com'`).
 *
 * @example
 * const google = googleLogin({ clientId: '1234-abc.apps.googleusercontent.com' });
 * button.onclick = () => auth.login(google); // One Tap, then Cognito
 */
export function googleLogin(options: GoogleLoginOptions): LoginProvider {
  if (typeof options?.clientId !== 'string' || options.clientId.length === 0) {
    throw new ConfigurationError('googleLogin.clientId', 'must be your OAuth client ID');
  }
  const sdkUrl = options.sdkUrl ?? DEFAULT_GOOGLE_SDK_URL;
  const autoSelect = options.autoSelect ?? true;
  const silentTimeoutMs = options.silentTimeoutMs ?? 10_000;
  let signedOut = false;
  let ready: Promise<GoogleIdentityServices> | undefined;
  /** The request waiting for the `initialize` callback; GIS has one callback per page. */
  let pending: { resolve: (credential: string | null) => void } | undefined;

  function sdk(): Promise<GoogleIdentityServices> | undefined {
    if (!options.sdk && (options.getIdToken || !isBrowser())) return undefined;
    ready ??= (options.sdk ? Promise.resolve(options.sdk) : loadSdk(sdkUrl)).then(
      (google) => {
        google.accounts.id.initialize({
          client_id: options.clientId,
          callback: (response) => {
            const waiting = pending;
            pending = undefined;
            waiting?.resolve(
              typeof response?.credential === 'string' && response.credential ? response.credential : null,
            );
          },
          auto_select: autoSelect,
          cancel_on_tap_outside: true,
          use_fedcm_for_prompt: true,
        });
        return google;
      },
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  }

  /** Shows One Tap (or lets auto-select answer) and resolves with the credential, or `null`. */
  function prompt(google: GoogleIdentityServices, timeoutMs: number | undefined): Promise<string | null> {
    pending?.resolve(null); // a newer prompt replaces an unanswered one
    return new Promise<string | null>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (credential: string | null) => {
        if (timer !== undefined) clearTimeout(timer);
        if (pending === request) pending = undefined;
        resolve(credential);
      };
      const request = { resolve: settle };
      pending = request;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          google.accounts.id.cancel?.();
          settle(null);
        }, timeoutMs);
      }
      google.accounts.id.prompt((notification) => {
        const noCredential =
          notification.isNotDisplayed?.() ||
          notification.isSkippedMoment?.() ||
          (notification.isDismissedMoment?.() &&
            notification.getDismissedReason?.() !== 'credential_returned');
        // The credential, when there is one, arrives through the initialize callback.
        if (noCredential && pending === request) settle(null);
      });
    });
  }

  const noSource = () =>
    new ConfigurationError(
      'googleLogin',
      'outside a browser, pass getIdToken (a function returning an ID token) or sdk',
    );

  return {
    id: 'google',
    loginsKey: GOOGLE_LOGINS_KEY,

    async signIn(opts) {
      const signal = opts?.signal;
      if (signal?.aborted) throw new AbortError();
      const loading = sdk();
      let token: LoginToken | null;
      if (loading) {
        const google = await abortable(loading, signal);
        const credential = await abortable(prompt(google, undefined), signal);
        token = credential ? idTokenToLoginToken(credential) : null;
      } else if (options.getIdToken) {
        token = toToken(await options.getIdToken({ signal, interactive: true }));
      } else {
        throw noSource();
      }
      if (!token) throw new LoginCancelledError('The Google sign-in prompt was dismissed or skipped');
      signedOut = false;
      return token;
    },

    async getToken(opts) {
      if (signedOut) return null;
      const signal = opts?.signal;
      if (signal?.aborted) throw new AbortError();
      const loading = sdk();
      if (!loading) {
        if (!options.getIdToken) throw noSource();
        return toToken(await options.getIdToken({ signal, interactive: false }));
      }
      if (!autoSelect) return null; // GIS can renew without the user only through auto-select
      const google = await abortable(loading, signal);
      const credential = await abortable(prompt(google, silentTimeoutMs), signal);
      return credential ? idTokenToLoginToken(credential) : null;
    },

    async signOut() {
      signedOut = true;
      const loading = options.sdk || (ready && !options.getIdToken) ? sdk() : undefined;
      if (!loading) return;
      const google = await loading;
      // Without this, auto-select would sign the user straight back in (GIS's documented logout step).
      google.accounts.id.disableAutoSelect();
    },
  };
}

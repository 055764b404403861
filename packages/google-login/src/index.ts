/**
 * `@identity-pool/google-login`: Sign in with Google (Google Identity Services) as an
 * identity-pool `LoginProvider`, with the Cognito `Logins` key `accounts.google.com`.
 *
 * In a browser it loads the GIS client on first use (never at import), calls
 * `google.accounts.id.initialize` with a callback, signs in with `prompt()` (One Tap), takes the
 * `credential` ID token, renews silently through auto-select and calls `disableAutoSelect()` on
 * sign-out. Tests and SSR pass an `sdk` object; outside a browser, a `getIdToken` function
 * supplies the ID tokens.
 *
 * The vendor may misbehave; the provider never hangs and fails by name: the script load has a
 * deadline (`LoginProviderUnavailableError`, retried on the next sign-in), One Tap has a deadline
 * (`LoginProviderTimeoutError`), `getToken()` and `signOut()` have deadlines, a throwing GIS
 * becomes a `LoginProviderError`, and every request joins the One Tap prompt in progress.
 */
import {
  AbortError,
  abortable,
  answerWithin,
  ConfigurationError,
  LoginCancelledError,
  type LoginProvider,
  LoginProviderTimeoutError,
  type LoginToken,
  loadScript,
  singleFlight,
  toLoginProviderError,
  withDeadline,
} from '@identity-pool/core';
import { decodeJwt } from 'jose';
import { createOneTapSlot } from './one-tap.js';
import type { GoogleIdentityServices } from './types.js';

/** The Cognito `Logins` key of Google. */
export const GOOGLE_LOGINS_KEY = 'accounts.google.com';
/** Where the GIS client is loaded from by default. */
export const DEFAULT_GOOGLE_SDK_URL = 'https://accounts.google.com/gsi/client';
/** Default deadlines (ms): loading GIS, an interactive One Tap, a silent renewal, a sign-out. */
export const GOOGLE_DEFAULT_TIMEOUTS = Object.freeze({
  loadMs: 10_000,
  promptMs: 60_000,
  silentMs: 10_000,
  signOutMs: 3_000,
});

const PROVIDER_ID = 'google';

export type {
  GoogleCredentialResponse,
  GoogleIdConfiguration,
  GoogleIdentityServices,
  GooglePromptMomentNotification,
} from './types.js';

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
  /**
   * How long loading the GIS script may take before the sign-in fails with
   * `LoginProviderUnavailableError` (reason `timeout`); default 10 s.
   */
  loadTimeoutMs?: number;
  /**
   * How long `signIn()` waits for One Tap to return a credential or report that it was closed,
   * skipped or not shown; then the prompt is cancelled and `signIn()` rejects with
   * `LoginProviderTimeoutError`. Default 60 s.
   */
  promptTimeoutMs?: number;
  /** How long `getToken()` waits for a silent answer before giving up with `null`; default 10 s. */
  silentTimeoutMs?: number;
  /** How long `signOut()` may take (loading GIS, `disableAutoSelect()`); default 3 s. */
  signOutTimeoutMs?: number;
}

const isBrowser = () => typeof window !== 'undefined' && typeof document !== 'undefined';

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

/** A duration option: a positive number of milliseconds, or the default. */
function durationOption(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new ConfigurationError(`googleLogin.${field}`, 'must be a positive number of milliseconds');
  }
  return value;
}

/** Calls GIS; a synchronous throw becomes a `LoginProviderError` naming the call. */
function call<T>(operation: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toLoginProviderError(PROVIDER_ID, operation, error);
  }
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
  const defaults = GOOGLE_DEFAULT_TIMEOUTS;
  const loadTimeoutMs = durationOption(options.loadTimeoutMs, 'loadTimeoutMs', defaults.loadMs);
  const promptTimeoutMs = durationOption(options.promptTimeoutMs, 'promptTimeoutMs', defaults.promptMs);
  const silentTimeoutMs = durationOption(options.silentTimeoutMs, 'silentTimeoutMs', defaults.silentMs);
  const signOutTimeoutMs = durationOption(options.signOutTimeoutMs, 'signOutTimeoutMs', defaults.signOutMs);
  let signedOut = false;
  let ready: Promise<GoogleIdentityServices> | undefined;
  const oneTap = createOneTapSlot(PROVIDER_ID);

  const load = () =>
    loadScript({
      url: sdkUrl,
      providerId: PROVIDER_ID,
      vendor: 'Google Identity Services',
      defines: 'google.accounts.id',
      read: () => {
        const google = (window as Window & { google?: GoogleIdentityServices }).google;
        return google?.accounts?.id ? google : undefined;
      },
      timeoutMs: loadTimeoutMs,
    });

  /** GIS, loaded and initialised once; `undefined` when a token function is used instead. */
  function sdk(): Promise<GoogleIdentityServices> | undefined {
    if (!options.sdk && (options.getIdToken || !isBrowser())) return undefined;
    if (!ready) {
      const attempt = (options.sdk ? Promise.resolve(options.sdk) : load()).then((google) => {
        call('google.accounts.id.initialize', () =>
          google.accounts.id.initialize({
            client_id: options.clientId,
            callback: (response) =>
              oneTap.answer(
                typeof response?.credential === 'string' && response.credential ? response.credential : null,
              ),
            auto_select: autoSelect,
            cancel_on_tap_outside: true,
            use_fedcm_for_prompt: true,
          }),
        );
        return google;
      });
      ready = attempt;
      // A failed load or init is not kept: the next call tries again.
      attempt.catch(() => {
        if (ready === attempt) ready = undefined;
      });
    }
    return ready;
  }

  const noSource = () =>
    new ConfigurationError(
      'googleLogin',
      'outside a browser, pass getIdToken (a function returning an ID token) or sdk',
    );

  /** A token function's answer, its failures by name. */
  async function fromTokenFunction(signal: AbortSignal | undefined, interactive: boolean) {
    if (!options.getIdToken) throw noSource();
    let result: GoogleTokenResult;
    try {
      result = await options.getIdToken({ signal, interactive });
    } catch (error) {
      if (signal?.aborted) throw new AbortError();
      throw toLoginProviderError(PROVIDER_ID, 'getIdToken', error);
    }
    return toToken(result);
  }

  /** One interactive sign-in at a time: a double click joins the prompt already shown. */
  const interactiveSignIn = singleFlight(async (signal): Promise<LoginToken> => {
    const loading = sdk();
    let token: LoginToken | null;
    if (loading) {
      const credential = await oneTap.interactive(await loading, promptTimeoutMs, signal);
      token = credential ? idTokenToLoginToken(credential) : null;
    } else {
      token = await fromTokenFunction(signal, true);
    }
    if (!token) throw new LoginCancelledError('The Google sign-in prompt was dismissed or skipped');
    signedOut = false;
    return token;
  });

  return {
    id: PROVIDER_ID,
    loginsKey: GOOGLE_LOGINS_KEY,

    signIn: (opts) => interactiveSignIn(opts?.signal),

    async getToken(opts) {
      if (signedOut) return null;
      const signal = opts?.signal;
      if (signal?.aborted) throw new AbortError();
      const loading = sdk();
      if (!loading) {
        // A token function that never answers means "no silent renewal now": null, after the deadline.
        return (
          (await abortable(answerWithin(fromTokenFunction(signal, false), silentTimeoutMs), signal)) ?? null
        );
      }
      if (!autoSelect) return null; // GIS can renew without the user only through auto-select
      const google = await abortable(loading, signal);
      const credential = await abortable(oneTap.silent(google, silentTimeoutMs), signal);
      return credential ? idTokenToLoginToken(credential) : null;
    },

    async signOut() {
      signedOut = true;
      const loading = options.sdk || (ready && !options.getIdToken) ? sdk() : undefined;
      if (!loading) return;
      // Without disableAutoSelect, auto-select would sign the user straight back in (GIS's
      // documented logout step).
      const done = loading.then((google) =>
        call('google.accounts.id.disableAutoSelect', () => google.accounts.id.disableAutoSelect()),
      );
      await withDeadline(
        done,
        signOutTimeoutMs,
        () =>
          new LoginProviderTimeoutError(PROVIDER_ID, 'loading Google Identity Services', signOutTimeoutMs),
      );
    },
  };
}

/**
 * `@identity-pool/facebook-login`: Facebook Login as an identity-pool `LoginProvider`, with the
 * Cognito `Logins` key `graph.facebook.com`.
 *
 * In a browser it loads the Facebook JavaScript SDK on first use (never at import), calls
 * `FB.init`, signs in with `FB.login`, renews silently with `FB.getLoginStatus` and signs out with
 * `FB.logout`. Tests and server-side rendering pass an `sdk` object instead of the script;
 * outside a browser, a `getAccessToken` function supplies the tokens.
 *
 * The vendor may misbehave; the provider never hangs and fails by name: the script load has a
 * deadline (`LoginProviderUnavailableError`, retried on the next sign-in), `getToken()` and
 * `signOut()` have deadlines, a throwing SDK becomes a `LoginProviderError`, and a second
 * `signIn()` while the dialog is open joins it instead of opening another.
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

/** The Cognito `Logins` key of Facebook. */
export const FACEBOOK_LOGINS_KEY = 'graph.facebook.com';
/** Where the SDK is loaded from by default. */
export const DEFAULT_FACEBOOK_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';
/** The Graph API version passed to `FB.init` by default. */
export const DEFAULT_FACEBOOK_API_VERSION = 'v23.0';
/** Default deadlines (ms): loading the SDK, a silent renewal, a sign-out. */
export const FACEBOOK_DEFAULT_TIMEOUTS = Object.freeze({
  loadMs: 10_000,
  silentMs: 10_000,
  signOutMs: 3_000,
});

const PROVIDER_ID = 'facebook';

/** `authResponse` of the Facebook SDK (the fields this package reads). */
export interface FacebookAuthResponse {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  userID?: string;
  signedRequest?: string;
  data_access_expiration_time?: number;
}
/** The answer of `FB.login` and `FB.getLoginStatus`. */
export interface FacebookStatusResponse {
  status: 'connected' | 'not_authorized' | 'unknown' | string;
  authResponse?: FacebookAuthResponse | null;
}
/** The part of the Facebook JavaScript SDK (`window.FB`) this package calls. */
export interface FacebookSdk {
  init(params: { appId: string; version: string; cookie?: boolean; xfbml?: boolean; status?: boolean }): void;
  login(callback: (response: FacebookStatusResponse) => void, options?: { scope?: string }): void;
  getLoginStatus(callback: (response: FacebookStatusResponse) => void, roundtrip?: boolean): void;
  logout(callback?: (response: FacebookStatusResponse) => void): void;
}

/** A token from a token function: the access token, with or without its expiry, or none. */
export type FacebookTokenResult = LoginToken | string | null | undefined;

export interface FacebookLoginOptions {
  /** Your Facebook app ID (the identity pool's `graph.facebook.com` app ID). */
  appId: string;
  /** Graph API version for `FB.init`; default `v23.0`. */
  version?: string;
  /** Permissions to ask `FB.login` for, e.g. `'public_profile,email'` or `['email']`. */
  scope?: string | readonly string[];
  /** A Facebook SDK object to use instead of loading the script (tests, SSR, an SDK you load). */
  sdk?: FacebookSdk;
  /** Where to load the SDK from; default `https://connect.facebook.net/en_US/sdk.js`. */
  sdkUrl?: string;
  /**
   * Outside a browser: returns the user's Facebook access token (`interactive` is true for
   * `signIn`), or `null` when there is none. Used when no `sdk` is given.
   */
  getAccessToken?: (opts: {
    signal?: AbortSignal | undefined;
    interactive: boolean;
  }) => Promise<FacebookTokenResult>;
  /** Epoch-ms clock for `expiresAt`; default `Date.now`. */
  clock?: { now(): number };
  /**
   * How long loading the SDK script may take before the sign-in fails with
   * `LoginProviderUnavailableError` (reason `timeout`); default 10 s.
   */
  loadTimeoutMs?: number;
  /** How long `getToken()` waits for the SDK's answer before giving up with `null`; default 10 s. */
  silentTimeoutMs?: number;
  /**
   * How long `signOut()` waits for `FB.getLoginStatus` / `FB.logout` before rejecting with
   * `LoginProviderTimeoutError` (`logout()` reports it as an `error` event); default 3 s.
   */
  signOutTimeoutMs?: number;
}

const isBrowser = () => typeof window !== 'undefined' && typeof document !== 'undefined';

function toToken(result: FacebookTokenResult, what: string): LoginToken | null {
  if (result === null || result === undefined) return null;
  const token = typeof result === 'string' ? { token: result } : result;
  if (typeof token.token !== 'string' || token.token.length === 0) {
    throw new ConfigurationError(what, 'must resolve to an access token, { token, expiresAt? } or null');
  }
  return token;
}

/** A duration option: a positive number of milliseconds, or the default. */
function durationOption(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new ConfigurationError(`facebookLogin.${field}`, 'must be a positive number of milliseconds');
  }
  return value;
}

/**
 * Calls an SDK function that answers through a callback. Resolves with the callback's argument;
 * a synchronous throw (e.g. "FB.login() called before FB.init()") rejects as a `LoginProviderError`.
 */
function callback<T>(operation: string, call: (done: (answer: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      call(resolve);
    } catch (error) {
      reject(toLoginProviderError(PROVIDER_ID, operation, error));
    }
  });
}

/**
 * Facebook Login as a `LoginProvider` (`id: 'facebook'`, `loginsKey: 'graph.facebook.com'`).
 *
 * @example
 * const facebook = facebookLogin({ appId: '1234567890' });
 * button.onclick = () => auth.login(facebook); // FB.login dialog, then Cognito
 */
export function facebookLogin(options: FacebookLoginOptions): LoginProvider {
  if (typeof options?.appId !== 'string' || options.appId.length === 0) {
    throw new ConfigurationError('facebookLogin.appId', 'must be your Facebook app ID');
  }
  const version = options.version ?? DEFAULT_FACEBOOK_API_VERSION;
  const sdkUrl = options.sdkUrl ?? DEFAULT_FACEBOOK_SDK_URL;
  const scope = Array.isArray(options.scope)
    ? options.scope.join(',')
    : (options.scope as string | undefined);
  const now = () => (options.clock ?? Date).now();
  const defaults = FACEBOOK_DEFAULT_TIMEOUTS;
  const loadTimeoutMs = durationOption(options.loadTimeoutMs, 'loadTimeoutMs', defaults.loadMs);
  const silentTimeoutMs = durationOption(options.silentTimeoutMs, 'silentTimeoutMs', defaults.silentMs);
  const signOutTimeoutMs = durationOption(options.signOutTimeoutMs, 'signOutTimeoutMs', defaults.signOutMs);
  let signedOut = false;
  let ready: Promise<FacebookSdk> | undefined;

  const load = () =>
    loadScript({
      url: sdkUrl,
      providerId: PROVIDER_ID,
      vendor: 'the Facebook SDK',
      defines: 'window.FB',
      read: () => (window as Window & { FB?: FacebookSdk }).FB,
      timeoutMs: loadTimeoutMs,
      attributes: { id: 'facebook-jssdk', crossorigin: 'anonymous' },
    });

  /** The SDK, loaded and initialised once; `undefined` when a token function is used instead. */
  function sdk(): Promise<FacebookSdk> | undefined {
    if (!options.sdk && (options.getAccessToken || !isBrowser())) return undefined;
    if (!ready) {
      const attempt = (options.sdk ? Promise.resolve(options.sdk) : load()).then((FB) => {
        try {
          FB.init({ appId: options.appId, version, cookie: false, xfbml: false, status: false });
        } catch (error) {
          throw toLoginProviderError(PROVIDER_ID, 'FB.init', error);
        }
        return FB;
      });
      ready = attempt;
      // A failed load or init is not kept: the next call tries again.
      attempt.catch(() => {
        if (ready === attempt) ready = undefined;
      });
    }
    return ready;
  }

  const fromResponse = (response: FacebookStatusResponse | undefined): LoginToken | null => {
    const auth = response?.status === 'connected' ? response.authResponse : undefined;
    if (!auth || typeof auth.accessToken !== 'string' || auth.accessToken.length === 0) return null;
    return Number.isFinite(auth.expiresIn) && auth.expiresIn > 0
      ? { token: auth.accessToken, expiresAt: now() + auth.expiresIn * 1000 }
      : { token: auth.accessToken };
  };

  const noSource = () =>
    new ConfigurationError(
      'facebookLogin',
      'outside a browser, pass getAccessToken (a function returning the access token) or sdk',
    );

  /** A token function's answer, its failures by name. */
  async function fromTokenFunction(signal: AbortSignal | undefined, interactive: boolean) {
    if (!options.getAccessToken) throw noSource();
    let result: FacebookTokenResult;
    try {
      result = await options.getAccessToken({ signal, interactive });
    } catch (error) {
      if (signal?.aborted) throw new AbortError();
      throw toLoginProviderError(PROVIDER_ID, 'getAccessToken', error);
    }
    return toToken(result, 'facebookLogin.getAccessToken');
  }

  /** One sign-in dialog at a time: a double click joins the dialog already open. */
  const interactiveSignIn = singleFlight(async (signal): Promise<LoginToken> => {
    const loading = sdk();
    let token: LoginToken | null;
    if (loading) {
      const FB = await loading;
      const response = await callback<FacebookStatusResponse>('FB.login', (done) =>
        FB.login(done, scope ? { scope } : undefined),
      );
      token = fromResponse(response);
    } else {
      token = await fromTokenFunction(signal, true);
    }
    if (!token) throw new LoginCancelledError('The Facebook login dialog was dismissed');
    signedOut = false;
    return token;
  });

  /** `signOut()` steps, naming the one in progress for the deadline's error. */
  async function signOutSteps(loading: Promise<FacebookSdk>, step: { name: string }) {
    step.name = 'loading the SDK';
    const FB = await loading;
    step.name = 'FB.getLoginStatus';
    const status = await callback<FacebookStatusResponse>(step.name, (done) => FB.getLoginStatus(done));
    // FB.logout without a session logs an error in the SDK: only call it when connected.
    if (status?.status !== 'connected') return;
    step.name = 'FB.logout';
    await callback<unknown>(step.name, (done) => FB.logout(done));
  }

  return {
    id: PROVIDER_ID,
    loginsKey: FACEBOOK_LOGINS_KEY,

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
      const FB = await abortable(loading, signal);
      // roundtrip: ask Facebook, not the SDK's cache, which may hold the expired token. An SDK
      // that never answers means "no silent renewal now": null, after the deadline.
      const status = callback<FacebookStatusResponse>('FB.getLoginStatus', (done) =>
        FB.getLoginStatus(done, true),
      );
      const response = await abortable(answerWithin(status, silentTimeoutMs), signal);
      return fromResponse(response);
    },

    async signOut() {
      signedOut = true;
      const loading = options.sdk || (ready && !options.getAccessToken) ? sdk() : undefined;
      if (!loading) return; // never loaded: nothing to sign out of
      const step = { name: 'loading the SDK' };
      await withDeadline(
        signOutSteps(loading, step),
        signOutTimeoutMs,
        () => new LoginProviderTimeoutError(PROVIDER_ID, step.name, signOutTimeoutMs),
      );
    },
  };
}

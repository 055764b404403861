/**
 * `@identity-pool/facebook-login`: Facebook Login as an identity-pool `LoginProvider`, with the
 * Cognito `Logins` key `graph.facebook.com`.
 *
 * In a browser it loads the Facebook JavaScript SDK on first use (never at import), calls
 * `FB.init`, signs in with `FB.login`, renews silently with `FB.getLoginStatus` and signs out with
 * `FB.logout`. Tests and server-side rendering pass an `sdk` object instead of the script;
 * outside a browser, a `getAccessToken` function supplies the tokens.
 */
import {
  AbortError,
  abortable,
  ConfigurationError,
  LoginCancelledError,
  type LoginProvider,
  type LoginToken,
} from '@identity-pool/core';

/** The Cognito `Logins` key of Facebook. */
export const FACEBOOK_LOGINS_KEY = 'graph.facebook.com';
/** Where the SDK is loaded from by default. */
export const DEFAULT_FACEBOOK_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';
/** The Graph API version passed to `FB.init` by default. */
export const DEFAULT_FACEBOOK_API_VERSION = 'v23.0';

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
  /** How long `getToken()` waits for the SDK's answer before giving up with `null`; default 10 s. */
  silentTimeoutMs?: number;
}

const isBrowser = () => typeof window !== 'undefined' && typeof document !== 'undefined';

/** One load of the SDK script per URL, shared by every provider of the page. */
const loads = new Map<string, Promise<FacebookSdk>>();

function loadSdk(url: string): Promise<FacebookSdk> {
  const existing = (globalThis as { FB?: FacebookSdk }).FB;
  if (existing) return Promise.resolve(existing);
  let load = loads.get(url);
  if (!load) {
    load = new Promise<FacebookSdk>((resolve, reject) => {
      const win = window as Window & { FB?: FacebookSdk; fbAsyncInit?: () => void };
      const previous = win.fbAsyncInit;
      const done = () => (win.FB ? resolve(win.FB) : undefined);
      win.fbAsyncInit = () => {
        previous?.();
        done();
      };
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.crossOrigin = 'anonymous';
      script.id = 'facebook-jssdk';
      script.addEventListener('load', done);
      script.addEventListener('error', () => {
        loads.delete(url);
        script.remove();
        reject(new Error(`The Facebook SDK could not be loaded from ${url}`));
      });
      (document.head ?? document.documentElement).appendChild(script);
    });
    loads.set(url, load);
  }
  return load;
}

function toToken(result: FacebookTokenResult, what: string): LoginToken | null {
  if (result === null || result === undefined) return null;
  const token = typeof result === 'string' ? { token: result } : result;
  if (typeof token.token !== 'string' || token.token.length === 0) {
    throw new ConfigurationError(what, 'must resolve to an access token, { token, expiresAt? } or null');
  }
  return token;
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
  const silentTimeoutMs = options.silentTimeoutMs ?? 10_000;
  let signedOut = false;
  let ready: Promise<FacebookSdk> | undefined;

  /** The SDK, loaded and initialised once; `undefined` when a token function is used instead. */
  function sdk(): Promise<FacebookSdk> | undefined {
    if (!options.sdk && (options.getAccessToken || !isBrowser())) return undefined;
    ready ??= (options.sdk ? Promise.resolve(options.sdk) : loadSdk(sdkUrl)).then(
      (FB) => {
        FB.init({ appId: options.appId, version, cookie: false, xfbml: false, status: false });
        return FB;
      },
      (error: unknown) => {
        ready = undefined; // a later call may try again
        throw error;
      },
    );
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

  return {
    id: 'facebook',
    loginsKey: FACEBOOK_LOGINS_KEY,

    async signIn(opts) {
      const signal = opts?.signal;
      if (signal?.aborted) throw new AbortError();
      const loading = sdk();
      let token: LoginToken | null;
      if (loading) {
        const FB = await abortable(loading, signal);
        const response = await abortable(
          new Promise<FacebookStatusResponse>((resolve) => FB.login(resolve, scope ? { scope } : undefined)),
          signal,
        );
        token = fromResponse(response);
      } else if (options.getAccessToken) {
        token = toToken(
          await options.getAccessToken({ signal, interactive: true }),
          'facebookLogin.getAccessToken',
        );
      } else {
        throw noSource();
      }
      if (!token) throw new LoginCancelledError('The Facebook login dialog was dismissed');
      signedOut = false;
      return token;
    },

    async getToken(opts) {
      if (signedOut) return null;
      const signal = opts?.signal;
      if (signal?.aborted) throw new AbortError();
      const loading = sdk();
      if (!loading) {
        if (!options.getAccessToken) throw noSource();
        return toToken(
          await options.getAccessToken({ signal, interactive: false }),
          'facebookLogin.getAccessToken',
        );
      }
      const FB = await abortable(loading, signal);
      const response = await abortable(
        new Promise<FacebookStatusResponse | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), silentTimeoutMs);
          // roundtrip: ask Facebook, not the SDK's cache, which may hold the expired token.
          FB.getLoginStatus((answer) => {
            clearTimeout(timer);
            resolve(answer);
          }, true);
        }),
        signal,
      );
      return fromResponse(response);
    },

    async signOut() {
      signedOut = true;
      const loading = options.sdk || (ready && !options.getAccessToken) ? sdk() : undefined;
      if (!loading) return; // never loaded: nothing to sign out of
      const FB = await loading;
      const status = await new Promise<FacebookStatusResponse>((resolve) => FB.getLoginStatus(resolve));
      // FB.logout without a session logs an error in the SDK: only call it when connected.
      if (status?.status === 'connected') await new Promise<void>((resolve) => FB.logout(() => resolve()));
    },
  };
}

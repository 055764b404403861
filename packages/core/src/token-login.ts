/**
 * `tokenLogin()`: a `LoginProvider` from plain token functions, for every identity provider that
 * has no package of its own — Sign in with Apple, Login with Amazon, Cognito user pools, OIDC
 * issuers, SAML, developer-authenticated identities (`cognito-identity.amazonaws.com`).
 */
import { throwAbortErrorIfAborted } from './abortable.js';
import { ConfigurationError, LoginCancelledError } from './errors.js';
import type { Awaitable, LoginProvider, LoginToken } from './types.js';

/** What a token function may return: a token, a token with its expiry, or `null` for none. */
export type TokenResult = LoginToken | string | null | undefined;

export interface TokenLoginOptions {
  /** The Cognito `Logins` key, e.g. `www.amazon.com` or `cognito-idp.<region>.amazonaws.com/<poolId>`. */
  loginsKey: string;
  /**
   * A token without user interaction (a cached or refreshed one), or `null` when the user is not
   * signed in to the provider. Without `signIn`, it is also what `signIn()` calls
   * (with `interactive: true`), and `null` then means the user cancelled.
   */
  getToken: (opts: { signal?: AbortSignal | undefined; interactive: boolean }) => Promise<TokenResult>;
  /** Interactive sign-in; resolving to `null` (or throwing `LoginCancelledError`) means the user cancelled. */
  signIn?: ((opts: { signal?: AbortSignal | undefined }) => Promise<TokenResult>) | undefined;
  /** Signs out of the provider (called by `logout()`). */
  signOut?: (() => Awaitable<void>) | undefined;
  /** A short stable name for the provider; defaults to `loginsKey`. */
  id?: string | undefined;
}

function toLoginToken(result: TokenResult, what: string): LoginToken | null {
  if (result === null || result === undefined) return null;
  const token = typeof result === 'string' ? { token: result } : result;
  if (typeof token !== 'object' || typeof token.token !== 'string' || token.token.length === 0) {
    throw new ConfigurationError(what, 'must resolve to a token string, { token, expiresAt? } or null');
  }
  if (token.expiresAt !== undefined && !Number.isFinite(token.expiresAt)) {
    throw new ConfigurationError(what, 'expiresAt must be epoch milliseconds');
  }
  return {
    token: token.token,
    ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
    ...(typeof token.identityId === 'string' ? { identityId: token.identityId } : {}),
  };
}

/**
 * A `LoginProvider` over token functions. After `signOut()`, `getToken()` answers `null` (so
 * the session asks for a login) until the next successful `signIn()`.
 *
 * @example
 * const apple = tokenLogin({
 *   loginsKey: 'appleid.apple.com',
 *   getToken: async () => myAppleSession.idToken ?? null,
 *   signIn: async () => (await AppleID.auth.signIn()).authorization.id_token,
 * });
 * await auth.login(apple);
 */
export function tokenLogin(options: TokenLoginOptions): LoginProvider {
  if (typeof options?.loginsKey !== 'string' || options.loginsKey.length === 0) {
    throw new ConfigurationError('tokenLogin.loginsKey', 'must be a non-empty Logins key');
  }
  if (typeof options.getToken !== 'function') {
    throw new ConfigurationError('tokenLogin.getToken', 'must be a function');
  }
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id.length === 0)) {
    throw new ConfigurationError('tokenLogin.id', 'must be a non-empty string');
  }
  const { loginsKey, getToken, signIn, signOut } = options;
  let signedOut = false;
  return {
    id: options.id ?? loginsKey,
    loginsKey,
    async signIn(opts) {
      const signal = opts?.signal;
      throwAbortErrorIfAborted(signal);
      const result = signIn ? await signIn({ signal }) : await getToken({ signal, interactive: true });
      throwAbortErrorIfAborted(signal);
      const token = toLoginToken(result, `tokenLogin(${loginsKey}).signIn`);
      if (!token) throw new LoginCancelledError(`Sign-in with ${loginsKey} was cancelled`);
      signedOut = false;
      return token;
    },
    async getToken(opts) {
      if (signedOut) return null;
      const signal = opts?.signal;
      throwAbortErrorIfAborted(signal);
      return toLoginToken(
        await getToken({ signal, interactive: false }),
        `tokenLogin(${loginsKey}).getToken`,
      );
    },
    async signOut() {
      signedOut = true;
      await signOut?.();
    },
  };
}

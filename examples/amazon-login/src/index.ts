/**
 * Login with Amazon as an identity-pool `LoginProvider` — the worked example of
 * `docs/adding-a-login-provider.md`. It wraps the Login with Amazon SDK for JavaScript
 * (`amazon.Login`) with core's `tokenLogin()`.
 */
import { LoginCancelledError, type LoginProvider, tokenLogin } from '@identity-pool/core';

/** The answer of `amazon.Login.authorize` with `response_type: 'token'`. */
export interface AmazonAuthorizeResponse {
  access_token?: string;
  /** Seconds. */
  expires_in?: number;
  error?: string;
}

/** The part of the Login with Amazon SDK (`window.amazon.Login`) the provider calls. */
export interface AmazonLoginSdk {
  setClientId(clientId: string): void;
  authorize(
    options: {
      scope: string;
      response_type: 'token';
      popup?: boolean;
      interactive?: 'auto' | 'always' | 'never';
    },
    callback: (response: AmazonAuthorizeResponse) => void,
  ): void;
  logout(): void;
}

export interface AmazonLoginOptions {
  /** Your Login with Amazon client ID (`amzn1.application-oa2-client.…`). */
  clientId: string;
  /** Default `profile`. */
  scope?: string;
  /** The SDK; in a browser, `window.amazon.Login` once its script has loaded. */
  sdk?: AmazonLoginSdk;
}

/** Login with Amazon: `id: 'amazon'`, `loginsKey: 'www.amazon.com'`. */
export function amazonLogin(options: AmazonLoginOptions): LoginProvider {
  const sdk = (): AmazonLoginSdk => {
    const found = options.sdk ?? (globalThis as { amazon?: { Login?: AmazonLoginSdk } }).amazon?.Login;
    if (!found) throw new Error('Load the Login with Amazon SDK first, or pass options.sdk');
    found.setClientId(options.clientId);
    return found;
  };

  // 'always' shows the popup; 'never' answers silently from an existing session, or with an error.
  const authorize = (interactive: 'always' | 'never') =>
    new Promise<AmazonAuthorizeResponse>((resolve) =>
      sdk().authorize(
        { scope: options.scope ?? 'profile', response_type: 'token', popup: true, interactive },
        resolve,
      ),
    );

  const toToken = (response: AmazonAuthorizeResponse) =>
    response.access_token
      ? {
          token: response.access_token,
          ...(response.expires_in ? { expiresAt: Date.now() + response.expires_in * 1000 } : {}),
        }
      : null;

  return tokenLogin({
    id: 'amazon',
    loginsKey: 'www.amazon.com',
    async signIn() {
      const response = await authorize('always');
      if (response.error === 'access_denied' || !response.access_token) {
        throw new LoginCancelledError('The Login with Amazon popup was closed');
      }
      return toToken(response);
    },
    getToken: async () => toToken(await authorize('never')),
    signOut: () => sdk().logout(),
  });
}

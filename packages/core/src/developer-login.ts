/**
 * Developer-authenticated identities on the client: your backend calls
 * GetOpenIdTokenForDeveloperIdentity (see `@identity-pool/node`) and hands the app an
 * identity ID and an OpenID token; the app logs in with `cognito-identity.amazonaws.com` and
 * that token, for that identity.
 */
import { ConfigurationError, InvalidResponseError } from './errors.js';
import { jwtExpiresAt } from './jwt.js';
import { tokenLogin } from './token-login.js';
import { COGNITO_IDENTITY_LOGINS_KEY } from './transports/basic-flow.js';
import { isIdentityId } from './transports/validate.js';
import type { LoginProvider } from './types.js';

export { COGNITO_IDENTITY_LOGINS_KEY };

/** What your backend answers: the identity and its OpenID token (GetOpenIdTokenForDeveloperIdentity). */
export interface DeveloperIdentityToken {
  identityId: string;
  token: string;
  /** Epoch ms; default: the token's `exp`. */
  expiresAt?: number | undefined;
}

/**
 * A `LoginProvider` for developer-authenticated identities: `fetchFromYourBackend` asks your
 * backend (which signs GetOpenIdTokenForDeveloperIdentity) for `{ identityId, token }`. It is
 * called for sign-in and again for silent renewal when the token expires; `null` means the user
 * is not signed in to your backend. The session uses the identity the backend returned: a
 * guest identity the app held before is left (`identityChanged` with reason `merged`).
 *
 * @example
 * await auth.login(developerLogin(async ({ signal }) =>
 *   (await fetch('/api/cognito-token', { method: 'POST', signal })).json()));
 */
export function developerLogin(
  fetchFromYourBackend: (opts: {
    signal?: AbortSignal | undefined;
    interactive: boolean;
  }) => Promise<DeveloperIdentityToken | null | undefined>,
): LoginProvider {
  if (typeof fetchFromYourBackend !== 'function') {
    throw new ConfigurationError('developerLogin', 'needs a function that fetches { identityId, token }');
  }
  return tokenLogin({
    id: 'developer',
    loginsKey: COGNITO_IDENTITY_LOGINS_KEY,
    async getToken(opts) {
      const answer = await fetchFromYourBackend(opts);
      if (answer === null || answer === undefined) return null;
      if (
        typeof answer !== 'object' ||
        typeof answer.identityId !== 'string' ||
        !isIdentityId(answer.identityId) ||
        typeof answer.token !== 'string' ||
        answer.token.length === 0
      ) {
        throw new InvalidResponseError('developerLogin', 'the backend must answer { identityId, token }');
      }
      // The token is for this identity: the session asks for it (a guest identity held before is
      // left, as in a merge).
      const expiresAt = answer.expiresAt ?? jwtExpiresAt(answer.token);
      const token = { token: answer.token, identityId: answer.identityId };
      return expiresAt === undefined ? token : { ...token, expiresAt };
    },
  });
}

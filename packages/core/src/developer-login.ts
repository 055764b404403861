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
import type { CognitoIdentityTransport, LoginProvider } from './types.js';

export { COGNITO_IDENTITY_LOGINS_KEY };

/** What your backend answers: the identity and its OpenID token (GetOpenIdTokenForDeveloperIdentity). */
export interface DeveloperIdentityToken {
  identityId: string;
  token: string;
  /** Epoch ms; default: the token's `exp`. */
  expiresAt?: number | undefined;
}

/**
 * Token → the identity ID the backend issued it for. Read by `pinDeveloperIdentities` so the
 * session asks for that identity. Bounded: the oldest entries go first.
 */
const pinned = new Map<string, string>();
const MAX_PINNED = 64;

function pin(token: string, identityId: string): void {
  pinned.delete(token);
  pinned.set(token, identityId);
  while (pinned.size > MAX_PINNED) pinned.delete(pinned.keys().next().value as string);
}

/** The identity a developer token was issued for, if `developerLogin` saw it. */
export function pinnedIdentityId(token: string): string | undefined {
  return pinned.get(token);
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
        !/^[\w-]+:[0-9a-f-]+$/.test(answer.identityId) ||
        typeof answer.token !== 'string' ||
        answer.token.length === 0
      ) {
        throw new InvalidResponseError('developerLogin', 'the backend must answer { identityId, token }');
      }
      pin(answer.token, answer.identityId);
      const expiresAt = answer.expiresAt ?? jwtExpiresAt(answer.token);
      return expiresAt === undefined ? { token: answer.token } : { token: answer.token, expiresAt };
    },
  });
}

/**
 * Wraps a transport so a request whose logins carry a developer token seen by `developerLogin`
 * is made for the identity the backend issued it for. The service then answers that identity,
 * and the session adopts it as it adopts a merge.
 */
export function pinDeveloperIdentities(inner: CognitoIdentityTransport): CognitoIdentityTransport {
  const identityFor = (identityId: string, logins: Record<string, string> | undefined) => {
    const token = logins?.[COGNITO_IDENTITY_LOGINS_KEY];
    return (token && pinned.get(token)) || identityId;
  };
  const wrapped: CognitoIdentityTransport = {
    getId: (input) => inner.getId(input),
    getCredentialsForIdentity: (input) =>
      inner.getCredentialsForIdentity({ ...input, identityId: identityFor(input.identityId, input.logins) }),
  };
  if (inner.unlinkIdentity) wrapped.unlinkIdentity = inner.unlinkIdentity.bind(inner);
  const getOpenIdToken = inner.getOpenIdToken?.bind(inner);
  if (getOpenIdToken) {
    wrapped.getOpenIdToken = (input) =>
      getOpenIdToken({ ...input, identityId: identityFor(input.identityId, input.logins) });
  }
  return wrapped;
}

/**
 * The app half: log in with `developerLogin`, whose token function calls the backend route. The
 * session then holds the identity the backend returned, and renews its token through the same
 * route when it expires.
 */
import {
  createIdentityPoolAuth,
  developerLogin,
  type IdentityPoolAuth,
  type IdentityPoolAuthOptions,
  type LoginProvider,
} from '@identity-pool/core';

/** The login provider: `POST <backendUrl>/api/cognito-token` with the app's session. */
export function backendLogin(backendUrl: string, getSession: () => string | null): LoginProvider {
  return developerLogin(async ({ signal }) => {
    const session = getSession();
    if (!session) return null; // not signed in to your app: the session asks for a login
    const response = await fetch(`${backendUrl}/api/cognito-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session}` },
      ...(signal ? { signal } : {}),
    });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error(`the backend answered ${response.status}`);
    return (await response.json()) as { identityId: string; token: string; expiresAt?: number };
  });
}

/** A session that signs in through the backend. */
export async function signInThroughBackend(
  options: IdentityPoolAuthOptions,
  backendUrl: string,
  getSession: () => string | null,
): Promise<IdentityPoolAuth> {
  const auth = createIdentityPoolAuth(options);
  await auth.login(backendLogin(backendUrl, getSession));
  return auth;
}

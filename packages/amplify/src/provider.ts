/**
 * `amplifyCredentialsProvider(auth)`: Amplify v6's credentials provider, backed by an
 * identity-pool session. Amplify keeps its user pool tokens; the session owns the identity and
 * its credentials (one request for any number of callers, refreshed before expiry).
 */
import {
  AbortError,
  GuestAccessDisabledError,
  type IdentityPoolAuth,
  type IdentityPoolCredentials,
  type LoginProvider,
  tokenLogin,
} from '@identity-pool/core';
import type {
  AmplifyCredentialsAndIdentityId,
  AmplifyCredentialsProvider,
  AmplifyGetCredentialsOptions,
} from './amplify-types.js';
import { type AmplifyLogin, amplifyLoginOf } from './user-pool-token.js';

/** The user pool login this provider gave the session, and whose it is. */
interface LinkedLogin {
  loginsKey: string;
  subject: string | undefined;
}

/** How often a signed-out call fetches anew when a sign-in of this provider began meanwhile. */
const MAX_GUEST_ATTEMPTS = 3;
const GUEST_RACED_SIGN_IN =
  'Amplify signed a user in each time credentials were fetched for a signed-out caller; none were served';

/** Credentials in Amplify's shape; one object per credentials, so the hot path allocates nothing. */
function amplifyShape(
  cache: WeakMap<IdentityPoolCredentials, AmplifyCredentialsAndIdentityId>,
  credentials: IdentityPoolCredentials,
): AmplifyCredentialsAndIdentityId {
  let shaped = cache.get(credentials);
  if (!shaped) {
    const { accessKeyId, secretAccessKey, sessionToken, expiration, identityId } = credentials;
    shaped = { credentials: { accessKeyId, secretAccessKey, sessionToken, expiration }, identityId };
    cache.set(credentials, shaped);
  }
  return shaped;
}

/** Amplify's `Auth.Cognito.allowGuestAccess`, when the app set it to `false` on purpose. */
const guestAccessTurnedOff = (authConfig: unknown): boolean =>
  (authConfig as { Cognito?: { allowGuestAccess?: unknown } } | undefined)?.Cognito?.allowGuestAccess ===
  false;

/**
 * Amplify v6's `CredentialsAndIdentityIdProvider` over `auth`, for
 * `Amplify.configure(config, { Auth: { tokenProvider, credentialsProvider } })`:
 * - signed out in Amplify: the session's credentials (a guest's, unless the session is signed
 *   in by other means); `undefined` when guests are off (in the session or in Amplify's config);
 * - signed in: the ID token becomes the session's login (`cognito-idp.<region>.amazonaws.com/<userPoolId>`,
 *   from the token's `iss` or Amplify's config), so the guest identity is linked; a newer token
 *   of the same user is what the session renews with; another user's token signs the first out;
 * - `forceRefresh` fetches new credentials; `clearCredentialsAndIdentityId()` (Amplify's
 *   `signOut()`) signs the session out: the next guest is a fresh identity.
 */
export function amplifyCredentialsProvider(auth: IdentityPoolAuth): AmplifyCredentialsProvider {
  const shapes = new WeakMap<IdentityPoolCredentials, AmplifyCredentialsAndIdentityId>();
  /** The newest ID token Amplify handed over, per Logins key: what the session renews with. */
  const newestTokens = new Map<string, AmplifyLogin>();
  const loginProviders = new Map<string, LoginProvider>();
  let linked: LinkedLogin | undefined;
  let pendingLogin: { token: string; credentials: Promise<IdentityPoolCredentials> } | undefined;
  let pendingSignOut: Promise<void> | undefined;
  /** Bumped by every sign-out: a login that began before it must not mark itself linked. */
  let generation = 0;
  /** Bumped by every login this provider begins: guest credentials fetched across one may be the user's. */
  let loginsBegun = 0;
  /** The session logins this provider began that have not settled yet. */
  const loginsInFlight = new Set<Promise<IdentityPoolCredentials>>();

  /** One `LoginProvider` per Logins key, whose token is the newest one Amplify handed over. */
  function loginProviderFor(loginsKey: string): LoginProvider {
    let provider = loginProviders.get(loginsKey);
    if (!provider) {
      provider = tokenLogin({
        id: 'amplify',
        loginsKey,
        // The session judges expiry on its own clock, and drops a token that has expired.
        getToken: async () => {
          const newest = newestTokens.get(loginsKey);
          if (!newest) return null;
          return {
            token: newest.token,
            ...(newest.expiresAt !== undefined ? { expiresAt: newest.expiresAt } : {}),
          };
        },
      });
      loginProviders.set(loginsKey, provider);
    }
    return provider;
  }

  /** Signs the session out once, however many callers find it must be. */
  function signOut(): Promise<void> {
    generation++;
    linked = undefined;
    pendingLogin = undefined;
    newestTokens.clear();
    pendingSignOut ??= signOutFully().finally(() => {
      pendingSignOut = undefined;
    });
    return pendingSignOut;
  }

  /**
   * `auth.logout()`, and again after each login begun before it has settled: the session may
   * finish a login it had begun, and that user must not be signed in once the sign-out resolved.
   */
  async function signOutFully(): Promise<void> {
    let earlier = [...loginsInFlight];
    await auth.logout();
    while (earlier.length > 0) {
      const landed = (await Promise.allSettled(earlier)).some((outcome) => outcome.status === 'fulfilled');
      earlier = [...loginsInFlight];
      if (landed) await auth.logout();
    }
  }

  /** `auth.login()`, counted among the logins in flight until it settles. */
  function trackedLogin(provider: LoginProvider): Promise<IdentityPoolCredentials> {
    loginsBegun++;
    const login = auth.login(provider);
    loginsInFlight.add(login);
    const settled = () => loginsInFlight.delete(login);
    login.then(settled, settled);
    return login;
  }

  /** Is the session signed in with the login this provider gave it, for this user? */
  const holds = (login: AmplifyLogin): boolean =>
    linked?.loginsKey === login.loginsKey &&
    linked.subject === login.subject &&
    auth.getState().providers.includes(login.loginsKey);

  /** Gives the session Amplify's login, once per token however many callers ask at once. */
  function logIn(login: AmplifyLogin): Promise<IdentityPoolCredentials> {
    if (pendingLogin?.token === login.token) return pendingLogin.credentials;
    const anotherUser =
      linked !== undefined && (linked.loginsKey !== login.loginsKey || linked.subject !== login.subject);
    const credentials = (async () => {
      // Another user's identity is not linked to this one's: the first user is signed out.
      if (anotherUser) {
        await signOut();
        newestTokens.set(login.loginsKey, login);
      }
      const started = generation;
      const result = await trackedLogin(loginProviderFor(login.loginsKey));
      if (generation === started) linked = { loginsKey: login.loginsKey, subject: login.subject };
      return result;
    })();
    const pending = { token: login.token, credentials };
    pendingLogin = pending;
    const forget = () => {
      if (pendingLogin === pending) pendingLogin = undefined;
    };
    credentials.then(forget, forget);
    return credentials;
  }

  async function signedIn(login: AmplifyLogin, forceRefresh: boolean): Promise<IdentityPoolCredentials> {
    if (pendingSignOut) await pendingSignOut;
    newestTokens.set(login.loginsKey, login);
    if (holds(login)) return auth.getCredentials({ forceRefresh });
    return logIn(login);
  }

  async function guestCredentials(forceRefresh: boolean): Promise<IdentityPoolCredentials | undefined> {
    try {
      return await auth.getCredentials({ forceRefresh });
    } catch (error) {
      if (error instanceof GuestAccessDisabledError) return undefined;
      throw error;
    }
  }

  async function signedOut(authConfig: unknown, forceRefresh: boolean) {
    for (let attempt = 1; ; attempt++) {
      // Amplify has no user, yet the session holds (or is signing in) one this provider gave it
      // (Amplify dropped its tokens without signOut(), or a signed-in call is logging in): that
      // user's credentials must not be served. Looped, and in this function, not a helper: the
      // check and the fetch below must run in one tick, with no sign-in beginning between them.
      while (linked || loginsInFlight.size > 0 || pendingSignOut) {
        await (linked || loginsInFlight.size > 0 ? signOut() : pendingSignOut);
      }
      if (guestAccessTurnedOff(authConfig)) return undefined;
      const loginsBefore = loginsBegun;
      const credentials = await guestCredentials(forceRefresh);
      // No sign-in of ours began while they were fetched: they are not a user's.
      if (loginsBegun === loginsBefore) return credentials;
      if (attempt === MAX_GUEST_ATTEMPTS) throw new AbortError(GUEST_RACED_SIGN_IN);
    }
  }

  return {
    async getCredentialsAndIdentityId(options: AmplifyGetCredentialsOptions) {
      const forceRefresh = options?.forceRefresh === true;
      const credentials =
        options?.authenticated === true
          ? await signedIn(amplifyLoginOf(options.tokens, options.authConfig), forceRefresh)
          : await signedOut(options?.authConfig, forceRefresh);
      return credentials && amplifyShape(shapes, credentials);
    },
    clearCredentialsAndIdentityId: () => signOut(),
  };
}

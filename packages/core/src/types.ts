/** A value or a promise of it: adapters may be synchronous (Web Storage) or not (AsyncStorage). */
export type Awaitable<T> = T | Promise<T>;

/**
 * Where the identity ID (and, with `persistCredentials`, the credentials) are kept.
 * A structural subset of Web Storage and React Native AsyncStorage: `localStorage`,
 * `sessionStorage` and `AsyncStorage` fit as they are.
 */
export interface StorageAdapter {
  getItem(key: string): Awaitable<string | null>;
  /** `options`, when given, says how long the value is worth keeping; adapters may ignore it. */
  setItem(key: string, value: string, options?: StorageWriteOptions): Awaitable<void>;
  removeItem(key: string): Awaitable<void>;
  /**
   * Optional push: call `onChange` soon after `key` is written or removed through another
   * adapter object of the same store (another process); return a function that stops it. The
   * core watches only the sign-out record (`…:signedOut`), so a session hears of a sign-out
   * elsewhere at once instead of at its next request. `onChange` carries nothing: the core
   * re-reads the key. See docs/writing-a-storage-adapter.md.
   */
  watch?(key: string, onChange: () => void): () => void;
}

/** What the core knows about a value it writes (persisted credentials). */
export interface StorageWriteOptions {
  /**
   * Epoch ms after which the value is useless (the credentials' expiration). Adapters that can
   * expire keys (Redis) use it as the TTL; wrappers (encryption) pass it on to the adapter inside.
   */
  expiresAt?: number;
}

/** A token from an identity provider, sent to Cognito in the `Logins` map. */
export interface LoginToken {
  token: string;
  /** When the token stops being valid, epoch ms. */
  expiresAt?: number;
  /**
   * The identity the token was issued for, when it is one identity's (developer-authenticated
   * identities: GetOpenIdTokenForDeveloperIdentity): the session asks for that identity.
   */
  identityId?: string;
}

/** An identity provider (Facebook, Google, your own) that can hand out login tokens. */
export interface LoginProvider {
  /** A short stable name, e.g. `facebook`. */
  readonly id: string;
  /** The Cognito `Logins` key, e.g. `graph.facebook.com`. */
  readonly loginsKey: string;
  /** Interactive sign-in (may show a dialog). */
  signIn(opts?: { signal?: AbortSignal }): Promise<LoginToken>;
  /** Silent renewal; `null` when the user is signed out of the provider. */
  getToken?(opts?: { signal?: AbortSignal }): Promise<LoginToken | null>;
  signOut?(): Promise<void>;
}

/** Temporary AWS credentials for a Cognito identity. */
export interface IdentityPoolCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly identityId: string;
}

/** The `Logins` map as Cognito takes it: provider name → token. */
export type LoginsMap = Record<string, string>;

export interface GetIdInput {
  identityPoolId: string;
  accountId?: string | undefined;
  logins?: LoginsMap | undefined;
  signal?: AbortSignal | undefined;
}
export interface GetCredentialsForIdentityInput {
  identityId: string;
  logins?: LoginsMap | undefined;
  customRoleArn?: string | undefined;
  signal?: AbortSignal | undefined;
}
export interface GetOpenIdTokenInput {
  identityId: string;
  logins?: LoginsMap | undefined;
  signal?: AbortSignal | undefined;
}
export interface UnlinkIdentityInput {
  identityId: string;
  /** Logins proving the caller owns the identity (at least one of its linked logins). */
  logins: LoginsMap;
  /** The providers whose logins are unlinked. */
  loginsToRemove: string[];
  signal?: AbortSignal | undefined;
}
export interface ServiceCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/**
 * `serverTime` (optional in every output): the service's clock when it answered, epoch ms — the
 * response's `Date` header. The session estimates clock skew from it.
 *
 * The only door to the network. Implementations turn service errors into `ServiceError`,
 * transport failures into `NetworkError` and malformed answers into `InvalidResponseError`.
 * They make one attempt each; retries are the caller's.
 */
export interface CognitoIdentityTransport {
  getId(input: GetIdInput): Promise<{ identityId: string; serverTime?: number | undefined }>;
  getCredentialsForIdentity(
    input: GetCredentialsForIdentityInput,
  ): Promise<{ identityId: string; credentials: ServiceCredentials; serverTime?: number | undefined }>;
  getOpenIdToken?(input: GetOpenIdTokenInput): Promise<{ identityId: string; token: string }>;
  /** UnlinkIdentity: removes logins from an identity (used by `removeLogin`). */
  unlinkIdentity?(input: UnlinkIdentityInput): Promise<void>;
}

/** Why the identity ID changed. */
export type IdentityChangeReason = 'created' | 'linked' | 'merged' | 'reset' | 'logout';

export interface IdentityPoolEvents {
  /**
   * The cached identity changed: a new one was created, a login was linked to it (same ID, now
   * authenticated), Cognito merged it into another, it was reset after the service said it is
   * gone, or the session logged out (`identityId` is then `undefined`).
   */
  identityChanged: {
    previousIdentityId?: string | undefined;
    identityId: string | undefined;
    reason: IdentityChangeReason;
  };
  /** Fresh credentials arrived. */
  credentials: { identityId: string; expiration: Date };
  /** Something failed; the session keeps serving whatever is still valid. */
  error: { error: Error };
  /** A login must be renewed interactively: call `login()` (or `logout()`). */
  loginRequired: { providerName: string };
}
export type IdentityPoolEventType = keyof IdentityPoolEvents;
export type IdentityPoolEventListener<T extends IdentityPoolEventType> = (
  event: IdentityPoolEvents[T],
) => void;

/** A secret-free view of the session, for UIs (fits `useSyncExternalStore`). */
export interface IdentityPoolState {
  /** The machine's top-level phase, e.g. `credentialed` or `authenticated`. */
  readonly status: string;
  /**
   * The machine's full state, e.g. `authenticated.refreshing`: a change of a sub-state (inside
   * `authenticated`, `loggingIn`) is a change of the state too, and notifies `subscribe()`.
   */
  readonly phase: string;
  readonly identityId?: string | undefined;
  readonly authenticated: boolean;
  /** The Logins keys of the session, e.g. `['graph.facebook.com']`. */
  readonly providers: readonly string[];
  readonly expiration?: Date | undefined;
  /** The last error, if the session is failed or needs a login. */
  readonly error?: { name: string; message: string } | undefined;
  /**
   * `'tabs'`: coordinated with the origin's other tabs and workers (Web Lock + BroadcastChannel);
   * `'single'`: on its own (no locks or channels here, or `coordinateTabs: false`).
   */
  readonly coordination: 'tabs' | 'single';
}

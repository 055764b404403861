import type { StatusCodeMode } from './errors.js';
import type { DeveloperCredentials } from './sigv4.js';

export type { DeveloperCredentials } from './sigv4.js';

/** A source of time in epoch milliseconds. Tests pass a simulated clock shared with the client. */
export interface Clock {
  now(): number;
}

/** The IAM roles of an identity pool (fake ARNs; nothing is assumed for real). */
export interface PoolRoles {
  authenticated?: string;
  unauthenticated?: string;
}

/** Settings of an identity pool, as given to `startEmulator({ pools })` or `createPool()`. */
export interface PoolOptions {
  /** `<region>:<guid>`; default `${region}:${randomUUID()}` with the emulator's region. */
  identityPoolId?: string;
  /** Guest (unauthenticated) identities; default `true`. */
  allowUnauthenticatedIdentities?: boolean;
  /** The basic (classic) flow; absent means allowed, as for pools created without the flag. */
  allowClassicFlow?: boolean;
  /**
   * Provider name → app id / audience the tokens must carry (`'*'` accepts any audience).
   * Default: Facebook, Google, Amazon and Apple, each with `'*'`.
   */
  supportedLoginProviders?: Record<string, string>;
  /** The developer provider name: the `Logins` key GetOpenIdTokenForDeveloperIdentity requires. */
  developerProviderName?: string;
  /** Default: both roles set to fake ARNs. `false`: GetCredentialsForIdentity fails with
   *  `InvalidIdentityPoolConfigurationException`. */
  roles?: PoolRoles | false;
  /**
   * The role ARNs whose trust policy trusts this pool, for STS AssumeRoleWithWebIdentity.
   * Default: the pool's own authenticated and unauthenticated roles. Whatever the list, the pool's
   * authenticated role refuses guest tokens and its unauthenticated role refuses authenticated ones.
   */
  trustedRoleArns?: string[];
}

/** A pool as the emulator holds it: every setting resolved. */
export interface PoolInfo {
  identityPoolId: string;
  /** The region prefix of the pool ID. */
  region: string;
  allowUnauthenticatedIdentities: boolean;
  allowClassicFlow?: boolean;
  supportedLoginProviders: Record<string, string>;
  developerProviderName?: string;
  roles: PoolRoles | false;
  /** Absent: the pool's own roles trust it. */
  trustedRoleArns?: string[];
}

/** `active`, `disabled` (by the admin API, or merged into another identity) or `deleted`. */
export type IdentityStatus = 'active' | 'disabled' | 'deleted';

/** A snapshot of one identity. */
export interface IdentityInfo {
  identityId: string;
  identityPoolId: string;
  status: IdentityStatus;
  /** True once a login has been linked (it stays true when logins are unlinked). */
  authenticated: boolean;
  /** Provider name → subject (the `sub` of the token) of every linked login. */
  logins: Record<string, string>;
  /** The identity this one was merged into (it is then `disabled`). */
  mergedInto?: string;
  /** Epoch ms on the service clock. */
  createdAt: number;
  /** Epoch ms on the service clock. */
  lastModifiedAt: number;
}

/** One service request as the emulator saw it (preflights and admin requests are not recorded). */
export interface CallRecord {
  /**
   * `GetId`, `GetCredentialsForIdentity`, …, `AssumeRoleWithWebIdentity` (STS); the raw target
   * (or STS `Action`) when it is not a known operation.
   */
  operation: string;
  /** The request's `IdentityPoolId`, else the pool of the request's identity. */
  identityPoolId?: string;
  /** The request's `IdentityId`, else the one GetId returned. */
  identityId?: string;
  /** The provider names of the request's `Logins` (never the tokens). */
  loginProviders: string[];
  /** The HTTP status sent; `0` while pending, or when the connection was dropped or closed first. */
  status: number;
  /** The error name sent, if any. */
  errorType?: string;
  /** The injected fault that answered this request, if any. */
  fault?: Fault['kind'];
  /** Epoch ms on the service clock when the request arrived. */
  at: number;
  /** The `amz-sdk-request` header, e.g. `attempt=2; max=3`. */
  attempt?: string;
  /** The `x-amzn-RequestId` sent. */
  requestId: string;
}

/** A fault answered instead of (or, for `latency`, before) the real response. */
export type Fault =
  /** `TooManyRequestsException` "Rate exceeded" (400 wire / 429 model), optional `Retry-After`. */
  | { kind: 'throttle'; operation?: string; count?: number; retryAfterSeconds?: number }
  /** 500 `InternalErrorException`. */
  | { kind: 'internal'; operation?: string; count?: number }
  /** A raw response, e.g. a 502/503 HTML page, or a malformed 200 body. */
  | {
      kind: 'status';
      status: number;
      operation?: string;
      count?: number;
      body?: string;
      contentType?: string;
    }
  /** Delays the real response by `ms` real milliseconds (`setTimeout`). */
  | { kind: 'latency'; ms: number; operation?: string; count?: number }
  /** Destroys the socket without a response. */
  | { kind: 'drop'; operation?: string; count?: number };

/** Queues faults for the next matching service requests. */
export interface FaultInjector {
  /** Queue a fault for the next `count` (default 1) requests of `operation` (omitted: any operation). */
  inject(fault: Fault): void;
  /** Forget every queued fault. */
  clear(): void;
  /** The queued faults, each with its remaining `count`. */
  pending(): Fault[];
}

/** Options of a token minted by the fake identity provider. */
export interface MintTokenOptions {
  /** The user; default `'emulator-user'`. The identity key is (pool, provider, subject). */
  subject?: string;
  /** The `aud` claim; default `'emulator'` (accepted by pools whose app id is `'*'`). */
  audience?: string;
  /** Lifetime; default 3600. */
  expiresInSeconds?: number;
  /** `iat` in epoch seconds; default now on the emulator's base clock (without the offset). */
  issuedAt?: number;
}

/** Options of the tokens a fake Cognito user pool issues. */
export interface MintUserPoolTokensOptions {
  /** The app client: the ID token's `aud`, the access token's `client_id`; default `'emulator-client'`. */
  clientId?: string;
  /** The user's `sub`; default `'emulator-user'`. The identity key is (pool, Logins key, subject). */
  subject?: string;
  /** `cognito:username` / `username`; default the subject. */
  username?: string;
  /** Lifetime; default 3600 (a user pool's default ID and access token lifetime). */
  expiresInSeconds?: number;
  /** `iat` in epoch seconds; default now on the emulator's base clock (without the offset). */
  issuedAt?: number;
}

/** A signed-in user pool user's tokens, as Amplify's token provider holds them. */
export interface UserPoolTokens {
  /** `token_use: 'id'`, `aud` = the client: the token a `Logins` map carries. */
  idToken: string;
  /** `token_use: 'access'`, no `aud` (refused as a login, as by the service). */
  accessToken: string;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the `Logins` key (the `iss` without `https://`). */
  loginsKey: string;
}

/** A fake identity provider (Facebook, Google, any provider name) whose tokens the emulator accepts. */
export interface FakeIdentityProvider {
  /**
   * Mints a compact HS256 JWT `{ iss: providerName, sub, aud, iat, exp }` for `providerName`
   * (any name works, e.g. `graph.facebook.com`, `accounts.google.com`, `login.example.com`).
   */
  mintToken(providerName: string, options?: MintTokenOptions): string;
  /**
   * A stand-in for a Cognito user pool (`us-east-1_AbC123`): the ID and access tokens it would
   * issue at sign-in, with its claims (`iss` `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`,
   * `token_use`, `cognito:username`), signed like every fake-IdP token. A pool accepts them when its
   * `supportedLoginProviders` maps `loginsKey` to the client ID (or `'*'`); the real service lists
   * user pools as `CognitoIdentityProviders`, which the emulator folds into that one map.
   */
  mintUserPoolTokens(userPoolId: string, options?: MintUserPoolTokensOptions): UserPoolTokens;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Region of generated pool IDs; default `'us-east-1'`. */
  region?: string;
  /** Pools created at start (none by default). */
  pools?: PoolOptions[];
  /** Epoch ms; default `Date.now`. */
  clock?: Clock;
  /** `'wire'` (default): 400 for client errors, 500 for InternalErrorException; `'model'`: Smithy codes. */
  statusCodes?: StatusCodeMode;
  /** Lifetime of the credentials GetCredentialsForIdentity returns; default 3600. */
  credentialsTtlSeconds?: number;
  /** The access key that signs GetOpenIdTokenForDeveloperIdentity; default a random `AKIA…` pair. */
  developerCredentials?: DeveloperCredentials;
  /** Receives one line per request. */
  log?: (line: string) => void;
}

/** A running emulator: its endpoint and its admin surface. */
export interface Emulator {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly port: number;
  /** Region of the first pool, else the `region` option. */
  readonly region: string;
  /** Closes the server and every socket (keep-alive ones too). */
  close(): Promise<void>;
  createPool(options?: PoolOptions): PoolInfo;
  /** Changes settings of a pool; throws if the pool does not exist. */
  updatePool(identityPoolId: string, patch: Partial<PoolOptions>): void;
  /** Deletes a pool; its identities become `deleted`. */
  deletePool(identityPoolId: string): void;
  pools(): PoolInfo[];
  identity(identityId: string): IdentityInfo | undefined;
  identities(identityPoolId?: string): IdentityInfo[];
  /** Later calls get ResourceNotFoundException "Identity '<id>' not found.". */
  deleteIdentity(identityId: string): void;
  /** Later calls get NotAuthorizedException "Access to Identity '<id>' is forbidden.". */
  disableIdentity(identityId: string): void;
  readonly idp: FakeIdentityProvider;
  /**
   * The developer's AWS credentials: pass them as `credentials` to a `CognitoIdentityClient` to
   * call the SigV4-verified GetOpenIdTokenForDeveloperIdentity.
   */
  readonly developerCredentials: DeveloperCredentials;
  readonly faults: FaultInjector;
  /** Every service request, in order of arrival. */
  readonly calls: CallRecord[];
  callCount(operation?: string): number;
  resetCalls(): void;
  /** The service clock becomes `clock.now() + ms` (Expiration, token expiry checks, `Date`). */
  setClockOffset(ms: number): void;
  /** The lifetime of the credentials issued from now on (default `credentialsTtlSeconds`, 3600). */
  setCredentialsTtlSeconds(seconds: number): void;
  /** The current service clock offset in ms. */
  clockOffset(): number;
  /** The public key of the OpenID tokens GetOpenIdToken signs, as a JWK set. */
  openIdJwks(): { keys: JsonWebKeyWithId[] };
}

/** A public JSON Web Key with its key id, as served at `/.well-known/jwks_uri`. */
export interface JsonWebKeyWithId {
  kty: string;
  kid: string;
  alg: string;
  use: string;
  n: string;
  e: string;
}

/**
 * Amplify v6's credentials-provider contract (`CredentialsAndIdentityIdProvider` of
 * `@aws-amplify/core`), restated structurally: this package runs and type-checks without any
 * Amplify code, and `test/types.test.ts` checks these shapes against Amplify's own declarations.
 */

/** A JWT as Amplify holds it: decoded claims, and the compact token from `toString()`. */
export interface AmplifyJwt {
  payload: Record<string, unknown>;
  toString(): string;
}

/** The user pool tokens Amplify's token provider returns for a signed-in user. */
export interface AmplifyAuthTokens {
  idToken?: AmplifyJwt;
  accessToken: AmplifyJwt;
}

/** What Amplify passes on each `fetchAuthSession()`. `authConfig` is Amplify's `Auth` config. */
export type AmplifyGetCredentialsOptions =
  | { authenticated: true; tokens: AmplifyAuthTokens; forceRefresh?: boolean; authConfig?: unknown }
  | { authenticated: false; tokens?: undefined; forceRefresh?: boolean; authConfig?: unknown };

/** Credentials in Amplify's shape (`AWSCredentials`). */
export interface AmplifyCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Amplify's `CredentialsAndIdentityId`. */
export interface AmplifyCredentialsAndIdentityId {
  credentials: AmplifyCredentials;
  identityId?: string;
}

/** Amplify's `CredentialsAndIdentityIdProvider`, as `Amplify.configure(config, { Auth: { credentialsProvider } })` takes it. */
export interface AmplifyCredentialsProvider {
  getCredentialsAndIdentityId(
    options: AmplifyGetCredentialsOptions,
  ): Promise<AmplifyCredentialsAndIdentityId | undefined>;
  /** Amplify calls it on `signOut()` (and awaits it). */
  clearCredentialsAndIdentityId(): Promise<void>;
}

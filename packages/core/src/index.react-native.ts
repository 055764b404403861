/**
 * The `react-native` entry (Metro's `react-native` export condition): everything of index.ts
 * except `sdkTransport`, whose lazy `import('@aws-sdk/client-cognito-identity')` Metro would
 * follow at build time and fail on (the SDK's Node HTTP handler needs `node:https`). The default
 * transport here is the fetch transport; the SDK transport stays at `@identity-pool/core/sdk-transport`
 * for apps that add the SDK's React Native polyfills. This is the one list of the public exports:
 * index.ts re-exports it and adds `sdkTransport` (test/react-native-entry.test.ts checks both).
 */
export { abortable } from './abortable.js';
export {
  createIdentityPoolAuth,
  type GetCredentialsOptions,
  type IdentityPoolAuth,
  type LoginInput,
} from './auth.js';
export type { Clock } from './clock.js';
export { answerWithin, withDeadline } from './deadline.js';
export {
  COGNITO_IDENTITY_LOGINS_KEY,
  type DeveloperIdentityToken,
  developerLogin,
} from './developer-login.js';
export { stateMachineToMermaid } from './diagram.js';
export {
  AbortError,
  ConfigurationError,
  ExternalError,
  type ExternalSource,
  GuestAccessDisabledError,
  IdentityPoolError,
  InvalidResponseError,
  LoginCancelledError,
  LoginFailedError,
  LoginProviderError,
  LoginProviderTimeoutError,
  LoginProviderUnavailableError,
  type LoginProviderUnavailableReason,
  LoginRequiredError,
  LoginSupersededError,
  NetworkError,
  ServiceError,
  SignedOutError,
  StoppedError,
  StorageError,
  toLoginProviderError,
} from './errors.js';
export type { Inspector } from './inspect.js';
export { decodeJwtClaims, jwtExpiresAt } from './jwt.js';
export { browserLifecycle, type LifecycleSource } from './lifecycle.js';
export {
  type AppStateLike,
  appStateLifecycle,
  type ConnectivitySource,
  type NetInfoLike,
  netInfoConnectivity,
} from './lifecycle-app-state.js';
export { type LoadScriptOptions, loadScript } from './load-script.js';
export {
  type IdentityPoolContext,
  type IdentityPoolEmitted,
  type IdentityPoolEvent,
  type IdentityPoolMachine,
  type IdentityPoolMachineInput,
  identityPoolMachine,
  MIN_REFRESH_DELAY_MS,
} from './machine.js';
export { type IdentityPoolAuthOptions, type RetryOptions, resolveOptions } from './options.js';
export { PROVIDER_SIGN_OUT_TIMEOUT_MS, signOutProvider } from './provider-sign-out.js';
export { type Recovery, recoveryFor, recoveryTable } from './recovery.js';
export { describeError, REDACTED, redactValue } from './redact.js';
export { backoffDelay, retryKind, withRetry } from './retry.js';
export { MIN_CREDENTIAL_LIFETIME_MS, resolveLogins, type SessionDeps } from './session.js';
export { singleFlight } from './single-flight.js';
export { memoryStorage } from './storage/memory.js';
export {
  DEFAULT_STORAGE_TIMEOUT_MS,
  SessionStore,
  type SessionStoreOptions,
  STORAGE_SCHEMA_VERSION,
  STORED_RECORD_VERSION,
  type StoredIdentity,
  type StoreLease,
  storageKeys,
} from './storage/session-store.js';
export { type TokenLoginOptions, type TokenResult, tokenLogin } from './token-login.js';
export {
  assumeRoleWithWebIdentity,
  type BasicFlowOptions,
  basicFlowTransport,
  stsEndpoint,
} from './transports/basic-flow.js';
export {
  type FetchLike,
  type FetchResponseLike,
  type FetchTransportOptions,
  fetchTransport,
} from './transports/fetch.js';
export type {
  Awaitable,
  CognitoIdentityTransport,
  GetCredentialsForIdentityInput,
  GetIdInput,
  GetOpenIdTokenInput,
  IdentityChangeReason,
  IdentityPoolCredentials,
  IdentityPoolEventListener,
  IdentityPoolEvents,
  IdentityPoolEventType,
  IdentityPoolState,
  LoginProvider,
  LoginsMap,
  LoginToken,
  ServiceCredentials,
  StorageAdapter,
  StorageWriteOptions,
  UnlinkIdentityInput,
} from './types.js';
export { cognitoUserPoolLogin, userPoolLoginsKey, userPoolLoginsKeyFor } from './user-pool-login.js';

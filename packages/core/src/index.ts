export { abortable } from './abortable.js';
export {
  createIdentityPoolAuth,
  type GetCredentialsOptions,
  type IdentityPoolAuth,
  type LoginInput,
} from './auth.js';
export type { Clock } from './clock.js';
export {
  COGNITO_IDENTITY_LOGINS_KEY,
  type DeveloperIdentityToken,
  developerLogin,
} from './developer-login.js';
export { stateMachineToMermaid } from './diagram.js';
export {
  AbortError,
  ConfigurationError,
  describeError,
  GuestAccessDisabledError,
  IdentityPoolError,
  InvalidResponseError,
  LoginCancelledError,
  LoginRequiredError,
  NetworkError,
  ServiceError,
  SignedOutError,
  StoppedError,
  StorageError,
} from './errors.js';
export { decodeJwtClaims, jwtExpiresAt } from './jwt.js';
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
export { type Recovery, recoveryFor, recoveryTable } from './recovery.js';
export { backoffDelay, retryKind, withRetry } from './retry.js';
export { MIN_CREDENTIAL_LIFETIME_MS, resolveLogins, type SessionDeps } from './session.js';
export { memoryStorage } from './storage/memory.js';
export {
  SessionStore,
  STORAGE_SCHEMA_VERSION,
  type StoredIdentity,
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
export { type SdkTransportOptions, sdkTransport } from './transports/sdk.js';
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
  UnlinkIdentityInput,
} from './types.js';
export { cognitoUserPoolLogin, userPoolLoginsKey, userPoolLoginsKeyFor } from './user-pool-login.js';

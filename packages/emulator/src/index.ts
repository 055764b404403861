/**
 * `@identity-pool/emulator`: a faithful local Amazon Cognito Identity service (AWS JSON 1.1 over
 * HTTP) with a fake identity provider, fault injection, an admin API and a CLI.
 *
 * @packageDocumentation
 */
export { adminAllowMethods, adminPathPrefix } from './admin.js';
export { type CliCommand, type CliOptions, CliUsageError, cliUsage, parseCliArguments } from './cli-args.js';
export { createEmulatorCore, type EmulatorCore, type EmulatorCoreOptions } from './core.js';
export { issueCredentials, type WireCredentials } from './credentials.js';
export { jwksPath, startEmulator } from './emulator.js';
export { ServiceError, type StatusCodeMode, statusCodeFor } from './errors.js';
export { defaultAudience, defaultSubject, type LoginTokenClaims } from './fake-idp.js';
export { amzJsonContentType, exposedHeaders } from './http.js';
export {
  defaultLoginProviders,
  defaultRoles,
  emulatorAccountId,
  IdentityStore,
  maxLinkedLogins,
  NotFoundError,
} from './identity-store.js';
export { type DecodedJwt, decodeJwt } from './jwt.js';
export { type ErrorType, messages } from './messages.js';
export { identityPoolArnClaim, openIdIssuer, openIdKeyId } from './openid-token.js';
export { openIdTokenLifetimeSeconds } from './operations/get-open-id-token.js';
export { implementedOperations, serviceOperationNames, targetPrefix } from './operations/index.js';
export type { ServiceOutcome, ServiceRequest } from './service.js';
export type {
  CallRecord,
  Clock,
  Emulator,
  EmulatorOptions,
  FakeIdentityProvider,
  Fault,
  FaultInjector,
  IdentityInfo,
  IdentityStatus,
  JsonWebKeyWithId,
  MintTokenOptions,
  PoolInfo,
  PoolOptions,
  PoolRoles,
} from './types.js';

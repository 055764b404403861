/**
 * `@identity-pool/emulator`: a faithful local Amazon Cognito Identity service (AWS JSON 1.1 over
 * HTTP) with a fake identity provider, fault injection, an admin API and a CLI.
 *
 * @packageDocumentation
 */
export { adminAllowMethods, adminPathPrefix } from './admin.js';
export { type CliCommand, type CliOptions, CliUsageError, cliUsage, parseCliArguments } from './cli-args.js';
export { cognitoIdentityProviderName } from './cognito-login.js';
export {
  createEmulatorCore,
  type EmulatorCore,
  type EmulatorCoreOptions,
  generateDeveloperCredentials,
} from './core.js';
export { issueCredentials, type WireCredentials } from './credentials.js';
export { jwksPath, startEmulator } from './emulator.js';
export { ServiceError, type StatusCodeMode, statusCodeFor } from './errors.js';
export {
  defaultAudience,
  defaultSubject,
  defaultUserPoolClientId,
  type LoginTokenClaims,
} from './fake-idp.js';
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
export { developerTokenDefaultDurationSeconds } from './operations/get-open-id-token-for-developer-identity.js';
export { implementedOperations, serviceOperationNames, targetPrefix } from './operations/index.js';
export { type ServiceOutcome, type ServiceRequest, signingName } from './service.js';
export { type SignedHttpRequest, verifySigV4 } from './sigv4.js';
export {
  type AssumeRoleWithWebIdentityResult,
  StsError,
  type StsOutcome,
  stsApiVersion,
  stsDefaultDurationSeconds,
  stsMessages,
  stsNamespace,
  trustedRolesOf,
} from './sts.js';
export type {
  CallRecord,
  Clock,
  DeveloperCredentials,
  Emulator,
  EmulatorOptions,
  FakeIdentityProvider,
  Fault,
  FaultInjector,
  IdentityInfo,
  IdentityStatus,
  JsonWebKeyWithId,
  MintTokenOptions,
  MintUserPoolTokensOptions,
  PoolInfo,
  PoolOptions,
  PoolRoles,
  UserPoolTokens,
} from './types.js';

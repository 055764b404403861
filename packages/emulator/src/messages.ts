/**
 * The error names the emulator sends in `__type` and `x-amzn-ErrorType`.
 *
 * The modelled ones come from the Cognito Identity service model; `ValidationException`,
 * `SerializationException`, `UnknownOperationException` and `MissingAuthenticationTokenException`
 * are the unmodelled errors of the service framework in front of it.
 */
export type ErrorType =
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'MissingAuthenticationTokenException'
  | 'NotAuthorizedException'
  | 'ResourceNotFoundException'
  | 'ResourceConflictException'
  | 'InvalidParameterException'
  | 'InvalidIdentityPoolConfigurationException'
  | 'LimitExceededException'
  | 'TooManyRequestsException'
  | 'InternalErrorException';

/**
 * Error messages, verbatim where the real service's text has been observed (see
 * `research/cognito-identity-api.md` §7), so tests can compare exactly.
 */
export const messages = {
  unauthenticatedNotSupported: 'Unauthenticated access is not supported for this identity pool.',
  loginsDontMatch:
    "Logins don't match. Please include at least one valid login for this identity or identity pool.",
  unsupportedProvider: 'Token is not from a supported provider of this identity pool.',
  tokenNotVerifiable: "Invalid login token. Couldn't verify signed token.",
  issuerMismatch: "Invalid login token. Issuer doesn't match providerName",
  incorrectAudience: 'Invalid login token. Incorrect token audience.',
  missingAudienceClaim: 'Invalid login token. Missing a required claim: aud',
  classicFlowDisabled: 'Basic (classic) flow is not enabled, please use enhanced flow.',
  invalidPoolConfiguration: 'Invalid identity pool configuration. Check assigned IAM roles for this pool.',
  rateExceeded: 'Rate exceeded',
  internalError: 'An internal error occurred.',
  missingAuthenticationToken: 'Missing Authentication Token',
  /** `Invalid login token. Token expired: <now s> >= <exp s>` */
  tokenExpired: (nowSeconds: number, expiresAtSeconds: number): string =>
    `Invalid login token. Token expired: ${nowSeconds} >= ${expiresAtSeconds}`,
  /** `Identity '<id>' not found.` — unknown or deleted identity. */
  identityNotFound: (identityId: string): string => `Identity '${identityId}' not found.`,
  /** `Access to Identity '<id>' is forbidden.` — disabled (or merged-away) identity. */
  identityForbidden: (identityId: string): string => `Access to Identity '${identityId}' is forbidden.`,
  /** `IdentityPool '<id>' not found.` */
  poolNotFound: (identityPoolId: string): string => `IdentityPool '${identityPoolId}' not found.`,
  /** A second login of a provider the identity is already linked to, with another user. */
  loginConflict: (providerName: string): string =>
    `A different login for provider '${providerName}' is already linked to this identity.`,
  /** More than 20 logins would end up on one identity. */
  tooManyLogins: (limit: number): string => `An identity cannot have more than ${limit} linked logins.`,
  unknownOperation: (target: string): string => `Unknown operation '${target}'.`,
  notImplemented: (operation: string): string =>
    `The emulator does not implement AWSCognitoIdentityService.${operation} yet.`,
  invalidJson: 'The request body is not a valid JSON object.',
  unsupportedContentType: (contentType: string): string =>
    `Unsupported Content-Type '${contentType}'; use application/x-amz-json-1.1.`,
  wrongMemberType: (member: string, expected: string): string =>
    `Unexpected value at '${member}': expected ${expected}.`,
} as const;

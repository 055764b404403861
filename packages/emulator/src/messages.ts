/**
 * The error names the emulator sends in `__type` and `x-amzn-ErrorType`.
 *
 * The modelled ones come from the Cognito Identity service model; `ValidationException`,
 * `SerializationException`, `UnknownOperationException`, `MissingAuthenticationTokenException`,
 * `IncompleteSignatureException`, `InvalidSignatureException` and `UnrecognizedClientException`
 * are the unmodelled errors of the service framework in front of it.
 */
export type ErrorType =
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException'
  | 'DeveloperUserAlreadyRegisteredException'
  | 'NotAuthorizedException'
  | 'ResourceNotFoundException'
  | 'ResourceConflictException'
  | 'InvalidParameterException'
  | 'InvalidIdentityPoolConfigurationException'
  | 'LimitExceededException'
  | 'TooManyRequestsException'
  | 'RequestEntityTooLargeException'
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
  /** An access key the emulator does not know (the standard AWS text). */
  unrecognizedClient: 'The security token included in the request is invalid.',
  /** A known access key with a wrong signature (the standard AWS text). */
  signatureMismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  /** `Credential should be scoped to correct service: '<service>'. ` (the standard AWS text). */
  wrongSigningService: (service: string): string =>
    `Credential should be scoped to correct service: '${service}'. `,
  /** An `Authorization` header without a required part, e.g. `Authorization header requires 'Signature' parameter.` */
  incompleteSignature: (parts: string[]): string =>
    parts.map((part) => `Authorization header requires '${part}' parameter.`).join(' '),
  unsupportedSigningAlgorithm: (algorithm: string): string =>
    `Unsupported AWS 'algorithm': '${algorithm}'. Only AWS4-HMAC-SHA256 is supported.`,
  missingSigningDate: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  /** The emulator's in-process core has no HTTP request to verify a signature against. */
  signatureNotVerifiable: 'The request signature cannot be verified without the HTTP request.',
  /** GetOpenIdTokenForDeveloperIdentity: the `Logins` lack the pool's developer provider (observed text). */
  developerProviderNotSupported: 'This identity pool does not support the specified developer provider',
  developerUserAlreadyRegistered:
    'The provided developer user identifier is already registered with Cognito under a different identity ID.',
  /** A Cognito OpenID token presented where it cannot be used (observed text). */
  cognitoTokenNotAllowed: "Invalid login token. Can't pass in a Cognito token.",
  /** The emulator's own rule: the `cognito-identity.amazonaws.com` login must be the only one. */
  cognitoTokenNotAlone: 'Invalid login token. A Cognito token cannot be combined with other logins.',
  /** A Cognito OpenID token of a guest identity used as a login. */
  cognitoTokenUnauthenticated:
    'Invalid login token. The Cognito token is not from an authenticated identity.',
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
  /** A request body over the emulator's limit (answered with HTTP 413). */
  requestEntityTooLarge: (limitBytes: number): string => `Request body larger than ${limitBytes} bytes.`,
  notImplemented: (operation: string): string =>
    `The emulator does not implement AWSCognitoIdentityService.${operation} yet.`,
  invalidJson: 'The request body is not a valid JSON object.',
  unsupportedContentType: (contentType: string): string =>
    `Unsupported Content-Type '${contentType}'; use application/x-amz-json-1.1.`,
  wrongMemberType: (member: string, expected: string): string =>
    `Unexpected value at '${member}': expected ${expected}.`,
} as const;

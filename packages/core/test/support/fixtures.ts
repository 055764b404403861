import { ServiceError } from '../../src/errors.js';
import type { IdentityPoolCredentials } from '../../src/types.js';

export const POOL_ID = 'us-east-1:00000000-0000-4000-8000-000000000000';
export const IDENTITY_A = 'us-east-1:aaaaaaaa-0000-4000-8000-000000000000';
export const IDENTITY_B = 'us-east-1:bbbbbbbb-0000-4000-8000-000000000000';
export const IDENTITY_C = 'us-east-1:cccccccc-0000-4000-8000-000000000000';

export function credentialsFor(identityId: string, expiresAt: number, tag = 'x'): IdentityPoolCredentials {
  return Object.freeze({
    accessKeyId: `ASIATEST${tag.toUpperCase()}`,
    secretAccessKey: `secret-${tag}-${identityId}`,
    sessionToken: `session-${tag}-${identityId}`,
    expiration: new Date(expiresAt),
    identityId,
  });
}

/** The service's errors, with their verbatim messages. */
export const serviceErrors = {
  identityNotFound: (id: string) =>
    new ServiceError({
      code: 'ResourceNotFoundException',
      message: `Identity '${id}' not found.`,
      operation: 'GetCredentialsForIdentity',
      statusCode: 400,
    }),
  identityForbidden: (id: string) =>
    new ServiceError({
      code: 'NotAuthorizedException',
      message: `Access to Identity '${id}' is forbidden.`,
      operation: 'GetCredentialsForIdentity',
      statusCode: 400,
    }),
  guestDisabled: (operation = 'GetId') =>
    new ServiceError({
      code: 'NotAuthorizedException',
      message: 'Unauthenticated access is not supported for this identity pool.',
      operation,
      statusCode: 400,
    }),
  tokenExpired: (operation = 'GetCredentialsForIdentity') =>
    new ServiceError({
      code: 'NotAuthorizedException',
      message: 'Invalid login token. Token expired: 1767225600 >= 1767222000',
      operation,
      statusCode: 400,
    }),
  loginsDontMatch: () =>
    new ServiceError({
      code: 'NotAuthorizedException',
      message:
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
      operation: 'GetCredentialsForIdentity',
      statusCode: 400,
    }),
  throttled: (operation = 'GetCredentialsForIdentity') =>
    new ServiceError({
      code: 'TooManyRequestsException',
      message: 'Rate exceeded',
      operation,
      statusCode: 400,
    }),
  poolNotFound: () =>
    new ServiceError({
      code: 'ResourceNotFoundException',
      message: `IdentityPool '${POOL_ID}' not found.`,
      operation: 'GetId',
      statusCode: 400,
    }),
};

import { InvalidResponseError } from '../errors.js';
import type { ServiceCredentials } from '../types.js';

const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;

/** Checks an identity ID the service returned. */
/** Whether `value` looks like an identity ID (`<region>:<guid>`). */
export const isIdentityId = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 55 && IDENTITY_ID.test(value);

export function checkIdentityId(operation: string, value: unknown): string {
  if (!isIdentityId(value)) {
    throw new InvalidResponseError(operation, 'IdentityId is missing or not "<region>:<guid>"');
  }
  return value;
}

function nonEmptyString(operation: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidResponseError(operation, `Credentials.${field} is missing or not a string`);
  }
  return value;
}

/**
 * Checks credentials a transport returned. `expiration` may be a Date or epoch seconds (as on
 * the wire); anything else — an ISO string, NaN, a missing field — is an `InvalidResponseError`.
 */
export function checkCredentials(operation: string, value: unknown): ServiceCredentials {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidResponseError(operation, 'Credentials are missing');
  }
  const raw = value as Record<string, unknown>;
  const expiration =
    raw.expiration instanceof Date
      ? raw.expiration
      : typeof raw.expiration === 'number'
        ? new Date(raw.expiration * 1000)
        : undefined;
  if (!expiration || !Number.isFinite(expiration.getTime())) {
    throw new InvalidResponseError(operation, 'Credentials.Expiration is missing or not a timestamp');
  }
  return {
    accessKeyId: nonEmptyString(operation, 'AccessKeyId', raw.accessKeyId),
    secretAccessKey: nonEmptyString(operation, 'SecretKey', raw.secretAccessKey),
    sessionToken: nonEmptyString(operation, 'SessionToken', raw.sessionToken),
    expiration,
  };
}

import type { ErrorType } from './messages.js';

/** Which HTTP status codes errors are sent with. */
export type StatusCodeMode = 'wire' | 'model';

/**
 * A service error: becomes `{"__type": type, "message": message}` on the wire.
 * Thrown by the operations and the input validation; never carries a secret it was not given.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** The status codes the Smithy model declares (`statusCodes: 'model'`). */
const modelStatusCodes: Partial<Record<ErrorType, number>> = {
  NotAuthorizedException: 403,
  ResourceNotFoundException: 404,
  ResourceConflictException: 409,
  TooManyRequestsException: 429,
};

/**
 * The HTTP status for an error type. `'wire'` is what the real service is observed to send:
 * 400 for every client error and 500 for `InternalErrorException`. `'model'` uses the codes the
 * Smithy model declares (403/404/409/429).
 */
export function statusCodeFor(type: ErrorType, mode: StatusCodeMode): number {
  if (type === 'InternalErrorException') return 500;
  if (type === 'RequestEntityTooLargeException') return 413;
  if (mode === 'model') return modelStatusCodes[type] ?? 400;
  return 400;
}

/**
 * The protocol-level service: an AWS JSON 1.1 request (target, content type, body) in, an output
 * object or a {@link ServiceError} out. No sockets here; the HTTP server frames the result.
 */
import { ServiceError } from './errors.js';
import { type JsonObject, parseJsonObject } from './jwt.js';
import { messages } from './messages.js';
import {
  implementedOperations,
  type ServiceContext,
  serviceOperationNames,
  targetPrefix,
} from './operations/index.js';
import { type SignedHttpRequest, verifySigV4 } from './sigv4.js';

/** A service request as the transport received it. */
export interface ServiceRequest {
  /** The `X-Amz-Target` header. */
  target: string | undefined;
  /** The `Content-Type` header. */
  contentType: string | undefined;
  /** The raw body text. */
  body: string;
  /** Whether the request carries an `Authorization` header. */
  signed: boolean;
  /**
   * The HTTP request line and headers, for operations whose SigV4 signature is verified
   * (GetOpenIdTokenForDeveloperIdentity). Without it such operations fail with
   * `InvalidSignatureException`.
   */
  http?: Omit<SignedHttpRequest, 'body'>;
}

/** The SigV4 signing name of the service. */
export const signingName = 'cognito-identity';

/** The result of a service request: the operation's output, or the error to send. */
export type ServiceOutcome =
  | { ok: true; operation: string; input: JsonObject; output: JsonObject }
  | { ok: false; operation: string; input: JsonObject; error: ServiceError };

const acceptedContentTypes = new Set(['application/x-amz-json-1.1', 'application/json']);

/** The operation name of a target: `AWSCognitoIdentityService.GetId` → `GetId`; other targets as they are. */
export function operationNameOf(target: string | undefined): string {
  if (target === undefined) return '';
  return target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : target;
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Parses the body leniently (for the call log): `{}` when it is not a JSON object. */
export function parseBodyLeniently(body: string): JsonObject {
  return parseJsonObject(body) ?? {};
}

/**
 * Dispatches a request on its target: unknown target → `UnknownOperationException`; unsupported
 * content type or a body that is not a JSON object → `SerializationException`; a SigV4 operation
 * without an `Authorization` header → `MissingAuthenticationTokenException`; a verified one with a
 * bad signature → `UnrecognizedClientException` / `InvalidSignatureException`; then the operation
 * (validation first). An unexpected exception becomes `InternalErrorException`.
 */
export function invokeService(
  context: ServiceContext,
  request: ServiceRequest,
  onUnexpectedError?: (error: unknown) => void,
): ServiceOutcome {
  const operation = operationNameOf(request.target);
  const lenientInput = parseBodyLeniently(request.body);
  const fail = (error: ServiceError): ServiceOutcome => ({
    ok: false,
    operation,
    input: lenientInput,
    error,
  });

  const definition = request.target?.startsWith(targetPrefix) ? implementedOperations[operation] : undefined;
  if (!definition) {
    const known = request.target?.startsWith(targetPrefix) && serviceOperationNames.includes(operation);
    const message = known
      ? messages.notImplemented(operation)
      : messages.unknownOperation(request.target ?? '');
    return fail(new ServiceError('UnknownOperationException', message));
  }
  if (request.contentType !== undefined && !acceptedContentTypes.has(mediaType(request.contentType))) {
    return fail(
      new ServiceError('SerializationException', messages.unsupportedContentType(request.contentType)),
    );
  }
  const input = request.body.trim() === '' ? {} : parseJsonObject(request.body);
  if (!input) return fail(new ServiceError('SerializationException', messages.invalidJson));
  if (definition.auth !== 'none' && !request.signed) {
    return fail(new ServiceError('MissingAuthenticationTokenException', messages.missingAuthenticationToken));
  }
  if (definition.auth === 'sigv4-verified') {
    if (!request.http) {
      return fail(new ServiceError('InvalidSignatureException', messages.signatureNotVerifiable));
    }
    try {
      verifySigV4({ ...request.http, body: request.body }, context.developerCredentials, signingName);
    } catch (error) {
      if (error instanceof ServiceError) return fail(error);
      throw error;
    }
  }

  try {
    return { ok: true, operation, input, output: definition.invoke(context, input) };
  } catch (error) {
    if (error instanceof ServiceError) return fail(error);
    onUnexpectedError?.(error);
    return fail(new ServiceError('InternalErrorException', messages.internalError));
  }
}

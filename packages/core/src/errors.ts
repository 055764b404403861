/**
 * Every error this library throws or reports is an `IdentityPoolError` with an explicit,
 * stable `name`, so callers can branch on `error.name` even across bundles and realms.
 * Messages never contain secrets: no secret key, session token or login token.
 */
export class IdentityPoolError extends Error {
  override name = 'IdentityPoolError';
}

/** A bad option passed to `createIdentityPoolAuth`. The message names the field and the rule. */
export class ConfigurationError extends IdentityPoolError {
  override name = 'ConfigurationError';
  constructor(
    /** The option's path, e.g. `identityPoolId` or `logins.graph.facebook.com`. */
    readonly field: string,
    /** The rule the value broke, in words. */
    readonly rule: string,
  ) {
    super(`Invalid option "${field}": ${rule}`);
  }
}

/** An error answered by the Cognito Identity service (or a proxy in front of it). */
export class ServiceError extends IdentityPoolError {
  override name = 'ServiceError';
  /** The service's error type, e.g. `NotAuthorizedException`. */
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  /** The operation that failed, e.g. `GetCredentialsForIdentity`. */
  readonly operation: string;
  constructor(init: {
    code: string;
    message: string;
    operation: string;
    statusCode?: number | undefined;
    requestId?: string | undefined;
  }) {
    super(`${init.operation} failed: ${init.code}: ${init.message}`);
    this.code = init.code;
    this.serviceMessage = init.message;
    this.operation = init.operation;
    this.statusCode = init.statusCode;
    this.requestId = init.requestId;
  }
  /** The message exactly as the service sent it. */
  readonly serviceMessage: string;
}

/** The request never got an answer: connection refused or reset, DNS failure, timeout. */
export class NetworkError extends IdentityPoolError {
  override name = 'NetworkError';
  constructor(
    readonly operation: string,
    detail: string,
  ) {
    super(`${operation} failed: network error: ${detail}`);
  }
}

/** The service answered with something that is not a valid response for the operation. */
export class InvalidResponseError extends IdentityPoolError {
  override name = 'InvalidResponseError';
  constructor(
    readonly operation: string,
    detail: string,
  ) {
    super(`${operation} returned an invalid response: ${detail}`);
  }
}

/** The identity pool does not allow guest (unauthenticated) identities. Not retried. */
export class GuestAccessDisabledError extends IdentityPoolError {
  override name = 'GuestAccessDisabledError';
}

/**
 * Credentials need a login the session does not have (a provider's token expired and could not
 * be renewed silently, or the stored identity is authenticated). Call `login()` or `logout()`.
 */
export class LoginRequiredError extends IdentityPoolError {
  override name = 'LoginRequiredError';
  constructor(
    /** The Logins keys that need a fresh token, e.g. `['graph.facebook.com']`. */
    readonly providerNames: readonly string[],
    message = providerNames.length
      ? `A login is required: ${providerNames.join(', ')}`
      : 'A login is required: this identity is authenticated',
  ) {
    super(message);
  }
}

/** The user dismissed a login dialog. */
export class LoginCancelledError extends IdentityPoolError {
  override name = 'LoginCancelledError';
}

/** A storage adapter failed. Reported as an `error` event; it never fails sign-in. */
export class StorageError extends IdentityPoolError {
  override name = 'StorageError';
  constructor(
    readonly operation: 'getItem' | 'setItem' | 'removeItem' | 'parse' | 'watch',
    readonly key: string,
    detail: string,
  ) {
    super(`Storage ${operation} failed for "${key}": ${detail}`);
  }
}

/** The caller's `AbortSignal` fired. Other callers sharing the same request are not affected. */
export class AbortError extends IdentityPoolError {
  override name = 'AbortError';
  constructor(message = 'The operation was aborted') {
    super(message);
  }
}

/** The instance was stopped with `stop()`; pending calls reject with this. */
export class StoppedError extends IdentityPoolError {
  override name = 'StoppedError';
  constructor() {
    super('This identity pool session was stopped');
  }
}

/**
 * The session's identity was signed out by another session sharing its storage (another process's
 * `logout()` or `clear()`, recorded in storage: `storage/sign-out-record.ts`); it was forgotten here
 * too, as a local logout would. An `AbortError`, so code treating a local logout's aborts treats it alike.
 */
export class SignedOutError extends AbortError {
  override name = 'SignedOutError';
  constructor() {
    super('The session was signed out by another session sharing its storage');
  }
}

/**
 * Replaces every occurrence of the given secrets (login tokens, secret keys) in an error's
 * message — services and transports may echo a request back — and returns the error.
 */
export function redactSecrets<E>(error: E, secrets: readonly string[]): E {
  if (!(error instanceof Error)) return error;
  const live = secrets.filter((secret) => secret.length >= 4);
  if (live.length === 0) return error;
  const redact = (text: string) => live.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  error.message = redact(error.message);
  if (typeof error.stack === 'string') error.stack = redact(error.stack);
  if (error instanceof ServiceError) {
    (error as { serviceMessage: string }).serviceMessage = redact(error.serviceMessage);
  }
  return error;
}

/** Describes any thrown value in one line, without its stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

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

/**
 * `login()` did not sign in: the service refused the token (invalid, expired, another audience),
 * or the request failed after its retries. The session is as it was before the call (same
 * identity, logins and credentials). `cause` is the service's or network's error, redacted.
 */
export class LoginFailedError extends IdentityPoolError {
  override name = 'LoginFailedError';
  constructor(
    /** The Logins key of the login that failed, e.g. `graph.facebook.com`. */
    readonly providerName: string,
    cause: unknown,
  ) {
    super(`Login with ${providerName} failed: ${describeThrown(cause)}`, { cause });
  }
}

/** A later `login()` replaced this one before it completed; the later one is the session's login. */
export class LoginSupersededError extends IdentityPoolError {
  override name = 'LoginSupersededError';
  constructor(readonly providerName: string) {
    super(`A later login() replaced this login with ${providerName} before it completed`);
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

/** What threw an `ExternalError`. */
export type ExternalSource = 'transport' | 'loginProvider' | 'runtime';

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
 * Code outside this library (a custom transport, a login provider, the runtime) threw something
 * that is not one of this library's errors: a foreign error, a string, a plain object. The
 * message is its description and `cause` a copy of it, both with every secret redacted
 * (`redact.ts`).
 */
export class ExternalError extends IdentityPoolError {
  override name = 'ExternalError';
  constructor(
    /** Who threw. */
    readonly source: ExternalSource,
    /** What was called, e.g. `GetCredentialsForIdentity`, `signIn`. */
    readonly operation: string,
    message: string,
  ) {
    super(message);
  }
}

// ---- Login provider errors (issue 16 §1): what a vendor SDK did wrong, by name. ----

/**
 * A login provider's vendor SDK failed in a way that is not the user's choice: it threw, or
 * answered something unusable. `providerId` names the provider (`'facebook'`); the vendor's
 * own error, if any, is the `cause`.
 */
export class LoginProviderError extends IdentityPoolError {
  override name = 'LoginProviderError';
  constructor(
    /** The provider's `id`, e.g. `facebook`. */
    readonly providerId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a vendor script is unavailable. */
export type LoginProviderUnavailableReason = 'load-failed' | 'blocked-by-csp' | 'not-defined' | 'timeout';

/**
 * The vendor's script could not be used: it did not load (network, HTTP error, wrong MIME type
 * with `nosniff`, an ad blocker), the page's Content-Security-Policy blocked it, it loaded
 * without defining the SDK (a captive portal, an empty script), or it took longer than the
 * deadline. A failed load is never cached: the next sign-in loads the script again.
 */
export class LoginProviderUnavailableError extends LoginProviderError {
  override name = 'LoginProviderUnavailableError';
  constructor(
    providerId: string,
    /** The script's URL. */
    readonly url: string,
    readonly reason: LoginProviderUnavailableReason,
    message: string,
  ) {
    super(providerId, message);
  }
}

/** A vendor SDK call did not answer within its deadline (a callback that never came). */
export class LoginProviderTimeoutError extends LoginProviderError {
  override name = 'LoginProviderTimeoutError';
  constructor(
    providerId: string,
    /** What was waited for, e.g. `signOut` or `google.accounts.id.prompt`. */
    readonly operation: string,
    readonly timeoutMs: number,
    message = `${providerId}: ${operation} did not answer within ${timeoutMs} ms`,
  ) {
    super(providerId, message);
  }
}

/**
 * `error` as an `IdentityPoolError`: returned as it is when it already is one, otherwise wrapped
 * in a `LoginProviderError` naming the provider and what it was doing, with `error` as `cause`.
 */
export function toLoginProviderError(
  providerId: string,
  operation: string,
  error: unknown,
): IdentityPoolError {
  if (isIdentityPoolError(error)) return error;
  return new LoginProviderError(providerId, `${providerId}: ${operation} failed: ${describeThrown(error)}`, {
    cause: error,
  });
}

/** `instanceof`, never throwing: a Proxy's `getPrototypeOf` trap may throw (a login token, say). */
function isIdentityPoolError(error: unknown): error is IdentityPoolError {
  try {
    return error instanceof IdentityPoolError;
  } catch {
    return false;
  }
}

/**
 * One line about a thrown value for an error message, never throwing (a hostile getter, a Proxy).
 * Not redacted here: what the session emits is redacted at its exits (`redact.ts`).
 */
function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) return error.message || error.name;
    return typeof error === 'string' ? error : String(error);
  } catch {
    return 'an unreadable value was thrown';
  }
}

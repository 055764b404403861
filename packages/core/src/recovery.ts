import { GuestAccessDisabledError, LoginRequiredError, ServiceError } from './errors.js';

/**
 * What the machine does about a failed request. Transient failures (throttling, 5xx, network)
 * never get here: they are retried with back-off before the request counts as failed.
 */
export type Recovery =
  /** The cached identity is gone, disabled, merged away or not this user's: forget it, get a new one, retry once. */
  | 'resetIdentity'
  /** A login token is expired or invalid: ask its provider for a fresh one, retry once. */
  | 'renewLogins'
  /** The identity needs a login the session does not have: `loginRequired`, wait for `login()`. */
  | 'loginRequired'
  /** The pool has no guest access: `GuestAccessDisabledError`, no retry. */
  | 'guestAccessDisabled'
  /** Anything else: an `error` event and the `failed` state; the next call tries again. */
  | 'fail';

interface RecoveryRule {
  /** The service's error code the rule is for. */
  code: string;
  /** Matches the service's message. */
  message: RegExp;
  /** Only when the request carried logins (true) or none (false). */
  withLogins?: boolean;
  recovery: Recovery;
  why: string;
}

/** The recovery table. The first matching row wins; no row → `fail`. */
export const recoveryTable: readonly RecoveryRule[] = [
  {
    code: 'ResourceNotFoundException',
    message: /^Identity '.*' not found/,
    recovery: 'resetIdentity',
    why: 'the cached identity was deleted',
  },
  {
    code: 'NotAuthorizedException',
    message: /^Access to Identity '.*' is forbidden/,
    recovery: 'resetIdentity',
    why: 'the cached identity is disabled or was merged into another',
  },
  {
    code: 'ValidationException',
    message: /at 'identityId'/,
    recovery: 'resetIdentity',
    why: 'the cached identity ID is malformed',
  },
  {
    code: 'NotAuthorizedException',
    message: /^Unauthenticated access is not supported/,
    recovery: 'guestAccessDisabled',
    why: 'the pool does not allow guest identities',
  },
  {
    code: 'NotAuthorizedException',
    message: /^Invalid login token|Token expired/,
    recovery: 'renewLogins',
    why: 'a login token expired or was refused',
  },
  {
    code: 'NotAuthorizedException',
    message: /^Logins don't match/,
    withLogins: false,
    recovery: 'loginRequired',
    why: 'the identity is authenticated and the session has no login for it',
  },
  {
    code: 'NotAuthorizedException',
    message: /^Logins don't match/,
    withLogins: true,
    recovery: 'resetIdentity',
    why: "the cached identity is not this login's: get the login's own",
  },
  {
    code: 'ResourceConflictException',
    message: /./,
    withLogins: true,
    recovery: 'resetIdentity',
    why: "another login of the same provider owns the cached identity (a user switch without logout): get this login's own",
  },
];

/** Looks an error up in the recovery table. */
export function recoveryFor(error: unknown, context: { withLogins: boolean }): Recovery {
  if (error instanceof LoginRequiredError) return 'loginRequired';
  if (error instanceof GuestAccessDisabledError) return 'guestAccessDisabled';
  if (!(error instanceof ServiceError)) return 'fail';
  const rule = recoveryTable.find(
    (row) =>
      row.code === error.code &&
      row.message.test(error.serviceMessage) &&
      (row.withLogins === undefined || row.withLogins === context.withLogins),
  );
  return rule?.recovery ?? 'fail';
}

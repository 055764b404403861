/**
 * The recovery table of design.md §4, row by row, with the service's own messages
 * (/work/shared/research/cognito-identity-api.md), so that a one-token change to `recovery.ts`
 * fails a test that names the row it broke (mutation testing found the gaps: issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import {
  GuestAccessDisabledError,
  IdentityPoolError,
  LoginRequiredError,
  ServiceError,
} from '../../src/errors.js';
import { type Recovery, recoveryFor, recoveryTable } from '../../src/recovery.js';

const serviceError = (code: string, message: string) =>
  new ServiceError({ code, message, operation: 'GetCredentialsForIdentity', statusCode: 400 });

const ID = 'us-east-1:11111111-2222-3333-4444-555555555555';
const LOGINS_DONT_MATCH =
  "Logins don't match. Please include at least one valid login for this identity or identity pool.";

type Row = [code: string, message: string, withLogins: boolean, expected: Recovery];

describe('recoveryFor: the service messages Cognito sends', () => {
  it.each<Row>([
    ['ResourceNotFoundException', `Identity '${ID}' not found.`, false, 'resetIdentity'],
    ['ResourceNotFoundException', `Identity '${ID}' not found.`, true, 'resetIdentity'],
    ['NotAuthorizedException', `Access to Identity '${ID}' is forbidden.`, false, 'resetIdentity'],
    ['NotAuthorizedException', `Access to Identity '${ID}' is forbidden.`, true, 'resetIdentity'],
    [
      'ValidationException',
      "1 validation error detected: Value 'not-an-id' at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
      false,
      'resetIdentity',
    ],
    [
      'NotAuthorizedException',
      'Unauthenticated access is not supported for this identity pool.',
      false,
      'guestAccessDisabled',
    ],
    ['NotAuthorizedException', "Invalid login token. Issuer doesn't match providerName", true, 'renewLogins'],
    ['NotAuthorizedException', "Invalid login token. Couldn't verify signed token.", true, 'renewLogins'],
    [
      'NotAuthorizedException',
      'Invalid login token. Token expired: 1764880000 >= 1764876400',
      true,
      'renewLogins',
    ],
    ['NotAuthorizedException', LOGINS_DONT_MATCH, false, 'loginRequired'],
    ['NotAuthorizedException', LOGINS_DONT_MATCH, true, 'resetIdentity'],
    [
      'ResourceConflictException',
      'Logins already linked to another identity for this provider.',
      true,
      'resetIdentity',
    ],
  ])('%s "%s" (withLogins %s) → %s', (code, message, withLogins, expected) => {
    expect(recoveryFor(serviceError(code, message), { withLogins })).toBe(expected);
  });
});

describe('recoveryFor: a message must START with the pattern (the ^ anchors)', () => {
  it.each<Row>(
    [
      ['ResourceNotFoundException', `Pool of Identity '${ID}' not found.`, false],
      ['NotAuthorizedException', `Role for Access to Identity '${ID}' is forbidden.`, false],
      ['NotAuthorizedException', 'Role: Unauthenticated access is not supported here.', false],
      ['NotAuthorizedException', 'Provider said: Invalid login token.', true],
      ['NotAuthorizedException', `Provider said: ${LOGINS_DONT_MATCH}`, false],
      ['NotAuthorizedException', `Provider said: ${LOGINS_DONT_MATCH}`, true],
    ].map(([code, message, withLogins]) => [code, message, withLogins, 'fail'] as Row),
  )('%s "%s" (withLogins %s) → %s', (code, message, withLogins, expected) => {
    expect(recoveryFor(serviceError(code, message), { withLogins })).toBe(expected);
  });
});

describe('recoveryFor: a row applies to its own code and logins only', () => {
  it.each<Row>([
    // The message of one code under another code is not that row's failure.
    ['NotAuthorizedException', `Identity '${ID}' not found.`, false, 'fail'],
    ['ResourceNotFoundException', `Access to Identity '${ID}' is forbidden.`, false, 'fail'],
    ['InvalidParameterException', "Value 'x' at 'identityId' failed", false, 'fail'],
    ['ResourceNotFoundException', 'Unauthenticated access is not supported.', false, 'fail'],
    ['InvalidParameterException', 'Invalid login token. Not a Cognito token.', true, 'fail'],
    ['ResourceNotFoundException', LOGINS_DONT_MATCH, false, 'fail'],
    ['ResourceNotFoundException', LOGINS_DONT_MATCH, true, 'fail'],
    // A conflict means "another login owns this identity": only a request with logins can cause it.
    ['ResourceConflictException', 'Logins already linked to another identity.', false, 'fail'],
    // Codes the table does not know fail, whatever the message and logins.
    ['InternalErrorException', 'Something went wrong.', true, 'fail'],
    ['NotAuthorizedException', 'Token is not from a supported provider of this identity pool.', true, 'fail'],
    ['ResourceNotFoundException', `IdentityPool '${ID}' not found.`, false, 'fail'],
  ])('%s "%s" (withLogins %s) → %s', (code, message, withLogins, expected) => {
    expect(recoveryFor(serviceError(code, message), { withLogins })).toBe(expected);
  });
});

describe('recoveryFor: errors that are not service errors', () => {
  it.each([false, true])('LoginRequiredError → loginRequired (withLogins %s)', (withLogins) => {
    expect(recoveryFor(new LoginRequiredError(['graph.facebook.com']), { withLogins })).toBe('loginRequired');
  });

  it.each([false, true])('GuestAccessDisabledError → guestAccessDisabled (withLogins %s)', (withLogins) => {
    expect(recoveryFor(new GuestAccessDisabledError('no guests'), { withLogins })).toBe(
      'guestAccessDisabled',
    );
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', "Logins don't match"],
    ['a plain Error', new Error("Logins don't match")],
    ['another IdentityPoolError', new IdentityPoolError("Logins don't match")],
    // Shaped like a ServiceError but not one: the table is for what the service said only.
    [
      'a look-alike object',
      { code: 'NotAuthorizedException', serviceMessage: LOGINS_DONT_MATCH, message: '' },
    ],
  ])('%s → fail, without throwing', (_, error) => {
    expect(recoveryFor(error, { withLogins: true })).toBe('fail');
    expect(recoveryFor(error, { withLogins: false })).toBe('fail');
  });
});

describe('recoveryTable: every row is complete and explains itself', () => {
  // Titled by index, not by the row's fields: a broken row must fail here, not while collecting.
  it.each(recoveryTable.map((row, index) => [index, row] as const))('row %i', (_index, row) => {
    expect(typeof row.code).toBe('string');
    expect(row.code).toMatch(/^[A-Z]\w+Exception$/);
    expect(row.message).toBeInstanceOf(RegExp);
    expect(row.recovery).toMatch(/^(resetIdentity|renewLogins|loginRequired|guestAccessDisabled)$/);
    expect(typeof row.why).toBe('string');
    expect(row.why.trim().length).toBeGreaterThan(10);
  });
});

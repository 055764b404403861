/**
 * `resolveLogins` (session.ts): which login tokens are renewed before a request, which are kept
 * when renewal brings nothing, and what the caller gets when a login has no usable token. Each
 * `describe` is one rule; the boundaries (a minute before expiry, the expiry itself) are asserted
 * at the millisecond, as mutation testing asks (issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import { ExternalError, LoginRequiredError } from '../../src/errors.js';
import { LOGIN_TOKEN_RENEW_MS, type LoginEntry, resolveLogins } from '../../src/session.js';
import type { LoginProvider, LoginToken } from '../../src/types.js';
import { FACEBOOK, GOOGLE, HOUR, NOW } from '../support/session-deps.js';

/** A provider whose `getToken` answers `renew` and records what it was asked with. */
function provider(renew?: (options?: { signal?: AbortSignal }) => Promise<LoginToken | null>) {
  const asked: ({ signal?: AbortSignal } | undefined)[] = [];
  const login: LoginProvider = {
    id: 'facebook',
    loginsKey: FACEBOOK,
    signIn: async () => ({ token: 'unused' }),
    ...(renew && {
      getToken: (options?: { signal?: AbortSignal }) => {
        asked.push(options);
        return renew(options);
      },
    }),
  };
  return { login, asked };
}

const entry = (
  token: string | undefined,
  expiresAt: number | undefined,
  login?: LoginProvider,
): LoginEntry => ({
  token,
  expiresAt,
  provider: login,
});

const fresh = async () => ({ token: 'new-token', expiresAt: NOW + HOUR, identityId: 'us-east-1:id' });

describe('a token is renewed when it is missing, refused, or within a minute of expiry', () => {
  it.each([
    ['no token', entry(undefined, undefined), false],
    ['the service refused it (force)', entry('old-token', NOW + HOUR), true],
    ['exactly a minute left', entry('old-token', NOW + LOGIN_TOKEN_RENEW_MS), false],
    ['expired', entry('old-token', NOW - 1), false],
  ])('%s: asks the provider', async (_, held, force) => {
    const { login, asked } = provider(fresh);
    const { map, logins } = await resolveLogins(
      { [FACEBOOK]: { ...held, provider: login } },
      { now: NOW, force },
    );
    expect(asked).toHaveLength(1);
    expect(map).toEqual({ [FACEBOOK]: 'new-token' });
    // The renewed token replaces the entry whole: its expiry and the identity it was issued for.
    expect(logins[FACEBOOK]).toEqual({
      provider: login,
      token: 'new-token',
      expiresAt: NOW + HOUR,
      identityId: 'us-east-1:id',
    });
  });

  it.each([
    ['a minute and a millisecond left', NOW + LOGIN_TOKEN_RENEW_MS + 1],
    ['no expiry', undefined],
  ])('%s: used as it is, the provider not asked', async (_, expiresAt) => {
    const { login, asked } = provider(fresh);
    const held = entry('old-token', expiresAt, login);
    const { map, logins } = await resolveLogins({ [FACEBOOK]: held }, { now: NOW, force: false });
    expect(asked).toHaveLength(0);
    expect(map).toEqual({ [FACEBOOK]: 'old-token' });
    expect(logins[FACEBOOK]).toBe(held);
  });

  it('passes the caller’s signal to the provider, and no options without one', async () => {
    const { login, asked } = provider(fresh);
    const signal = new AbortController().signal;
    await resolveLogins(
      { [FACEBOOK]: entry(undefined, undefined, login) },
      { now: NOW, force: false, signal },
    );
    await resolveLogins({ [FACEBOOK]: entry(undefined, undefined, login) }, { now: NOW, force: false });
    expect(asked).toEqual([{ signal }, undefined]);
  });
});

describe('early renewal is a courtesy: a token that is still valid is kept when renewal brings nothing', () => {
  it.each([
    ['answers null', async () => null],
    [
      'throws',
      async () => {
        throw new Error('offline');
      },
    ],
  ])('30 s left and the provider %s: the held token is used', async (_, renew) => {
    const { login } = provider(renew);
    const held = entry('old-token', NOW + 30_000, login);
    const { map, logins } = await resolveLogins({ [FACEBOOK]: held }, { now: NOW, force: false });
    expect(map).toEqual({ [FACEBOOK]: 'old-token' });
    expect(logins[FACEBOOK]).toBe(held);
  });

  it('a token expiring this very millisecond is not valid: the provider’s error is thrown', async () => {
    const { login } = provider(async () => {
      throw new Error('offline');
    });
    await expect(
      resolveLogins({ [FACEBOOK]: entry('old-token', NOW, login) }, { now: NOW, force: false }),
    ).rejects.toThrow('offline');
  });

  it('an entry without a token has nothing to keep: the provider’s error is thrown', async () => {
    const { login } = provider(async () => {
      throw new Error('offline');
    });
    await expect(
      resolveLogins({ [FACEBOOK]: entry(undefined, NOW + HOUR, login) }, { now: NOW, force: false }),
    ).rejects.toThrow('offline');
  });

  it('a renewal the caller aborted is not hidden behind the held token', async () => {
    const controller = new AbortController();
    const { login } = provider(async () => {
      controller.abort();
      throw new Error('aborted while renewing');
    });
    await expect(
      resolveLogins(
        { [FACEBOOK]: entry('old-token', NOW + 30_000, login) },
        { now: NOW, force: false, signal: controller.signal },
      ),
    ).rejects.toThrow('aborted while renewing');
  });

  it('a refused token (force) whose provider answers null is dropped, however long it has left', async () => {
    const { login } = provider(async () => null);
    const error = await resolveLogins(
      { [FACEBOOK]: entry('old-token', NOW + HOUR, login) },
      { now: NOW, force: true },
    ).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect((error as LoginRequiredError).providerNames).toEqual([FACEBOOK]);
  });
});

describe('a login with no provider to renew it: kept until it expires or is refused', () => {
  it('within the renewal minute but not expired: used', async () => {
    const { map } = await resolveLogins(
      { [FACEBOOK]: entry('old-token', NOW + 1) },
      { now: NOW, force: false },
    );
    expect(map).toEqual({ [FACEBOOK]: 'old-token' });
  });

  it.each([
    ['expired this very millisecond', NOW, false],
    ['refused by the service (force)', NOW + HOUR, true],
  ])(
    '%s: a LoginRequiredError naming it, its provider kept for a later sign-in',
    async (_, expiresAt, force) => {
      const { login } = provider();
      const logins = { [FACEBOOK]: entry('old-token', expiresAt, login) };
      const error = await resolveLogins(logins, { now: NOW, force }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(LoginRequiredError);
      expect((error as LoginRequiredError).providerNames).toEqual([FACEBOOK]);
    },
  );

  it('every login without a token is named, sorted', async () => {
    const error = await resolveLogins(
      {
        'cognito-idp': entry(undefined, undefined),
        [GOOGLE]: entry(undefined, undefined),
        [FACEBOOK]: entry('t-1', undefined),
      },
      { now: NOW, force: false },
    ).catch((thrown: unknown) => thrown);
    expect((error as LoginRequiredError).providerNames).toEqual([GOOGLE, 'cognito-idp']);
  });
});

describe('a provider’s failure leaves as the library’s error, every login token redacted', () => {
  it('names the provider’s getToken and carries no token of the session', async () => {
    const { login } = provider(async () => {
      throw new Error('renewal failed for old-token and other-token');
    });
    const error = await resolveLogins(
      { [FACEBOOK]: entry('old-token', NOW - 1, login), [GOOGLE]: entry('other-token', NOW + HOUR) },
      { now: NOW, force: false },
    ).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ExternalError);
    expect(error).toMatchObject({ source: 'loginProvider', operation: 'getToken' });
    expect((error as Error).message).not.toMatch(/old-token|other-token/);
  });
});

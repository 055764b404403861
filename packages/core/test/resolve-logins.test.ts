/**
 * `resolveLogins` (session.ts), where issue 12 §2's "a still-valid token is refused" lived: early
 * renewal is a courtesy, so a token that has not expired is used when its provider brings none.
 */
import { describe, expect, it } from 'vitest';
import { type LoginProvider, LoginRequiredError, resolveLogins } from '../src/index.js';

const NOW = Date.UTC(2026, 0, 1);
const FACEBOOK = 'graph.facebook.com';

function provider(getToken: LoginProvider['getToken']): LoginProvider {
  return { id: 'facebook', loginsKey: FACEBOOK, signIn: async () => ({ token: 'unused' }), getToken };
}

const resolve = (expiresAt: number | undefined, getToken: LoginProvider['getToken'], force = false) =>
  resolveLogins(
    { [FACEBOOK]: { token: 'old-token', expiresAt, provider: provider(getToken) } },
    { now: NOW, force },
  );

describe('resolveLogins', () => {
  it('uses a token with 30 s left when early renewal returns null', async () => {
    const { map } = await resolve(NOW + 30_000, async () => null);
    expect(map).toEqual({ [FACEBOOK]: 'old-token' });
  });

  it('uses a token with 30 s left when early renewal throws', async () => {
    const { map } = await resolve(NOW + 30_000, async () => {
      throw new Error('offline');
    });
    expect(map).toEqual({ [FACEBOOK]: 'old-token' });
  });

  it('takes the renewed token when there is one', async () => {
    const { map, logins } = await resolve(NOW + 30_000, async () => ({
      token: 'new-token',
      expiresAt: NOW + 3_600_000,
    }));
    expect(map).toEqual({ [FACEBOOK]: 'new-token' });
    expect(logins[FACEBOOK]?.expiresAt).toBe(NOW + 3_600_000);
  });

  it('an expired token with no renewal is a LoginRequiredError', async () => {
    await expect(resolve(NOW - 1, async () => null)).rejects.toBeInstanceOf(LoginRequiredError);
  });

  it('an expired token whose renewal throws rejects with the provider’s error', async () => {
    await expect(
      resolve(NOW - 1, async () => {
        throw new Error('offline');
      }),
    ).rejects.toThrow('offline');
  });

  it('a token the service refused (force) is never kept, however long it has left', async () => {
    await expect(resolve(NOW + 3_600_000, async () => null, true)).rejects.toBeInstanceOf(LoginRequiredError);
  });
});

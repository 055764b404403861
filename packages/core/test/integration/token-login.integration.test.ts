/**
 * Token renewal through a `LoginProvider` (`tokenLogin`), end to end against the emulator: a
 * token inside its expiry window is renewed before use, a token the service calls expired is
 * renewed and the request retried once, a provider with no token leads to `loginRequired` with
 * the identity kept, and two providers live on one identity.
 */
import { describe, expect, it } from 'vitest';
import { LoginCancelledError, LoginRequiredError, type LoginToken, tokenLogin } from '../../src/index.js';
import { recordEvents, useEmulator } from '../support/emulator.js';

const env = useEmulator();
const HOUR = 3600_000;

/** A provider over the emulator's fake IdP whose silent answers the test controls. */
function provider(providerName: string, subject: string) {
  const state = {
    silent: 'fresh' as 'fresh' | 'none',
    /** What `expiresAt` the provider reports for a signed-in token, relative to now. */
    signInLifetimeMs: HOUR,
    getTokenCalls: 0,
  };
  const mint = (lifetimeMs = HOUR): LoginToken => ({
    token: env.emulator.idp.mintToken(providerName, {
      subject,
      issuedAt: Math.floor((Date.now() + env.emulator.clockOffset()) / 1000),
    }),
    expiresAt: Date.now() + lifetimeMs,
  });
  const login = tokenLogin({
    loginsKey: providerName,
    signIn: async () => mint(state.signInLifetimeMs),
    getToken: async () => {
      state.getTokenCalls++;
      return state.silent === 'fresh' ? mint() : null;
    },
  });
  return { login, state };
}

describe('tokenLogin and token renewal against the emulator', () => {
  it('a token inside its expiry window is renewed with getToken() before it is sent', async () => {
    const auth = env.auth({ identityPoolId: env.pool() });
    const amazon = provider('www.amazon.com', 'amzn-1');
    amazon.state.signInLifetimeMs = 30_000; // signIn's token expires in 30 s, getToken's in an hour
    const first = await auth.login(amazon.login);
    // Not sent as is: it is within a minute of expiry, so it is renewed before the first request.
    expect(amazon.state.getTokenCalls).toBe(1);
    const second = await auth.getCredentials({ forceRefresh: true });
    expect(second.identityId).toBe(first.identityId);
    expect(amazon.state.getTokenCalls).toBe(1); // a fresh token is not renewed again
  });

  it('"Token expired" from the service: getToken() renews silently and the request is retried once', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const events = recordEvents(auth);
    const apple = provider('appleid.apple.com', 'apple-1');
    const first = await auth.login(apple.login);
    env.emulator.setClockOffset(2 * HOUR);
    try {
      const renewed = await auth.getCredentials({ forceRefresh: true });
      expect(renewed.identityId).toBe(first.identityId);
      expect(apple.state.getTokenCalls).toBe(1);
      const refreshes = env.calls(pool, 'GetCredentialsForIdentity').slice(-2);
      expect(refreshes.map((call) => call.errorType ?? 'ok')).toEqual(['NotAuthorizedException', 'ok']);
      expect(events.filter((e) => e.type === 'loginRequired')).toEqual([]);
    } finally {
      env.emulator.setClockOffset(0);
    }
  });

  it('getToken() → null: loginRequired fires, the identity is kept, and login() recovers', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const events = recordEvents(auth);
    const apple = provider('appleid.apple.com', 'apple-2');
    const first = await auth.login(apple.login);
    apple.state.silent = 'none';
    env.emulator.setClockOffset(2 * HOUR);
    try {
      await expect(auth.getCredentials({ forceRefresh: true })).rejects.toBeInstanceOf(LoginRequiredError);
      expect(events.filter((e) => e.type === 'loginRequired')).toEqual([
        { type: 'loginRequired', providerName: 'appleid.apple.com' },
      ]);
      expect(auth.getState()).toMatchObject({ status: 'authenticated', identityId: first.identityId });
      expect(auth.getCachedIdentityId()).toBe(first.identityId);
      await expect(auth.getCredentials()).rejects.toBeInstanceOf(LoginRequiredError); // fails fast
      const again = await auth.login(apple.login);
      expect(again.identityId).toBe(first.identityId);
    } finally {
      env.emulator.setClockOffset(0);
    }
  });

  it('two linked logins on one identity are both renewed; a cancelled signIn changes nothing', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const guest = await auth.getCredentials();
    const facebook = provider('graph.facebook.com', 'fb-1');
    const google = provider('accounts.google.com', 'g-1');
    expect((await auth.login(facebook.login)).identityId).toBe(guest.identityId);
    const cancelled = tokenLogin({ loginsKey: 'www.amazon.com', getToken: async () => null });
    await expect(auth.login(cancelled)).rejects.toBeInstanceOf(LoginCancelledError);
    expect((await auth.login(google.login)).identityId).toBe(guest.identityId);
    expect(env.emulator.identity(guest.identityId)?.logins).toEqual({
      'graph.facebook.com': 'fb-1',
      'accounts.google.com': 'g-1',
    });
    env.emulator.setClockOffset(2 * HOUR);
    try {
      await auth.getCredentials({ forceRefresh: true });
      expect([facebook.state.getTokenCalls, google.state.getTokenCalls]).toEqual([1, 1]);
      expect(auth.getState().providers).toEqual(['accounts.google.com', 'graph.facebook.com']);
    } finally {
      env.emulator.setClockOffset(0);
    }
  });
});

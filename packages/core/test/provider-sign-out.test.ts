/**
 * `logout()` and `removeLogin()` resolve once the session's own state is cleared, whatever the
 * provider's `signOut()` does: a vendor that never answers (Facebook's `getLoginStatus` is known
 * to) is waited for no longer than `PROVIDER_SIGN_OUT_TIMEOUT_MS`, and a failing one is reported
 * as a typed `error` event.
 */
import { describe, expect, it } from 'vitest';
import {
  createIdentityPoolAuth,
  IdentityPoolError,
  type LoginProvider,
  memoryStorage,
  tokenLogin,
} from '../src/index.js';
import { PROVIDER_SIGN_OUT_TIMEOUT_MS, signOutProvider } from '../src/provider-sign-out.js';
import { ControlledClock } from './support/controlled-clock.js';
import { credentialsFor, IDENTITY_A, POOL_ID } from './support/fixtures.js';
import { hostileShapes } from './support/hostile-shapes.js';

const FACEBOOK = 'graph.facebook.com';
const GOOGLE = 'accounts.google.com';

function session(clock: ControlledClock) {
  const auth = createIdentityPoolAuth({
    identityPoolId: POOL_ID,
    storage: memoryStorage(),
    clock,
    transport: {
      getId: async () => ({ identityId: IDENTITY_A }),
      getCredentialsForIdentity: async ({ identityId }) => ({
        identityId,
        credentials: credentialsFor(identityId, clock.now() + 3_600_000),
      }),
      unlinkIdentity: async () => {},
    },
  });
  const errors: IdentityPoolError[] = [];
  auth.on('error', ({ error }) => errors.push(error));
  return { auth, errors };
}

const provider = (loginsKey: string, signOut: () => Promise<void>): LoginProvider =>
  tokenLogin({ loginsKey, id: loginsKey.split('.')[1], getToken: async () => `${loginsKey}-token`, signOut });

const never = () => new Promise<void>(() => {});
const settled = async (promise: Promise<unknown>) => {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
};

describe('a provider sign-out never holds logout() or removeLogin()', () => {
  it('logout() resolves within the deadline when signOut() never settles, and reports a LoginProviderTimeoutError', async () => {
    const clock = new ControlledClock(Date.now());
    const { auth, errors } = session(clock);
    await auth.login(provider(FACEBOOK, never));
    const logout = auth.logout();
    expect(await settled(logout)).toBe(false);
    expect(auth.getState()).toMatchObject({ authenticated: false, providers: [] });
    clock.advance(PROVIDER_SIGN_OUT_TIMEOUT_MS);
    expect(await settled(logout)).toBe(true);
    await logout;
    expect(errors.map((e) => [e.name, (e as { providerId?: string }).providerId])).toEqual([
      ['LoginProviderTimeoutError', 'facebook'],
    ]);
    expect(errors[0]?.message).toMatch(/signOut did not answer within 5000 ms/);
  });

  it('removeLogin() resolves within the deadline when signOut() never settles', async () => {
    const clock = new ControlledClock(Date.now());
    const { auth, errors } = session(clock);
    await auth.login(provider(FACEBOOK, async () => {}));
    await auth.login(provider(GOOGLE, never));
    const removing = auth.removeLogin(GOOGLE);
    await settled(removing);
    expect(auth.getState().providers).toEqual([FACEBOOK]);
    clock.advance(PROVIDER_SIGN_OUT_TIMEOUT_MS);
    expect(await settled(removing)).toBe(true);
    await removing;
    expect(errors.map((e) => e.name)).toEqual(['LoginProviderTimeoutError']);
  });

  it('a sign-out that fails with a plain Error is reported as a LoginProviderError naming the provider', async () => {
    const clock = new ControlledClock(Date.now());
    const { auth, errors } = session(clock);
    await auth.login(
      provider(FACEBOOK, async () => {
        throw new Error('FB.logout() called without an access token.');
      }),
    );
    await auth.logout();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'LoginProviderError', providerId: 'facebook' });
    expect(errors[0]?.message).toMatch(/facebook: signOut failed: FB\.logout\(\) called without/);
    expect((errors[0] as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });
});

describe('a provider whose signOut() throws a hostile value', () => {
  it.each(Object.entries(hostileShapes))(
    '%s: reported as one IdentityPoolError, never thrown',
    async (_name, shape) => {
      const reported: IdentityPoolError[] = [];
      const provider: LoginProvider = {
        id: 'hostile',
        loginsKey: FACEBOOK,
        signIn: async () => ({ token: 'unused' }),
        signOut: async () => {
          throw shape(['a-login-token']);
        },
      };
      const done = signOutProvider(provider, new ControlledClock(), (error) => reported.push(error));
      // Reported at once (not after the deadline, which this clock never reaches).
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(IdentityPoolError);
      await done;
    },
  );
});

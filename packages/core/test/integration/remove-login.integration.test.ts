/**
 * `removeLogin()`: UnlinkIdentity against the emulator, through both transports.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, fetchTransport, memoryStorage, storageKeys } from '../../src/index.js';
import { useEmulator } from '../support/emulator.js';

const env = useEmulator();
const FACEBOOK = 'graph.facebook.com';
const GOOGLE = 'accounts.google.com';

describe.each([
  ['the SDK transport', () => undefined],
  ['fetchTransport', () => fetchTransport({ endpoint: env.emulator.endpoint })],
])('removeLogin with %s', (_name, transport) => {
  it('unlinks one login, keeps the identity and the other login, and stores the change', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const t = transport();
    const auth = env.auth({ identityPoolId: pool, storage, ...(t ? { transport: t } : {}) });
    const fb = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-remove' });
    const google = env.emulator.idp.mintToken(GOOGLE, { subject: 'g-remove' });
    await auth.login({ providerName: FACEBOOK, token: fb });
    const id = (await auth.login({ providerName: GOOGLE, token: google })).identityId;
    expect(env.emulator.identity(id)?.logins).toEqual({ [FACEBOOK]: 'fb-remove', [GOOGLE]: 'g-remove' });

    await auth.removeLogin(GOOGLE);
    expect(env.emulator.identity(id)?.logins).toEqual({ [FACEBOOK]: 'fb-remove' });
    expect(auth.getState()).toMatchObject({ identityId: id, authenticated: true, providers: [FACEBOOK] });
    const stored = JSON.parse(storage.getItem(storageKeys('identity-pool', pool).identity) as string);
    expect(stored.providers).toEqual([FACEBOOK]);
    // The session goes on with the remaining login…
    const refreshed = await auth.getCredentials({ forceRefresh: true });
    expect(refreshed.identityId).toBe(id);
    expect(env.calls(pool).at(-1)).toMatchObject({
      operation: 'GetCredentialsForIdentity',
      loginProviders: [FACEBOOK],
    });
    // …and the unlinked Google user is a new user the next time it is seen.
    const other = env.auth({ identityPoolId: pool });
    const googleAgain = await other.login({ providerName: GOOGLE, token: google });
    expect(googleAgain.identityId).not.toBe(id);
  });
});

describe('removeLogin refuses what cannot work, and changes nothing', () => {
  it('the only login, an unknown provider, a guest', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    await auth.getCredentials();
    await expect(auth.removeLogin(FACEBOOK)).rejects.toBeInstanceOf(ConfigurationError);
    await auth.login({
      providerName: FACEBOOK,
      token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-only' }),
    });
    const before = env.calls(pool).length;
    await expect(auth.removeLogin(FACEBOOK)).rejects.toThrow(/only login.*logout\(\)/);
    await expect(auth.removeLogin(GOOGLE)).rejects.toThrow(/not a login of this identity/);
    await expect(auth.removeLogin('' as string)).rejects.toBeInstanceOf(ConfigurationError);
    expect(env.calls(pool)).toHaveLength(before);
    expect(auth.getState().providers).toEqual([FACEBOOK]);
  });
});

describe('removeLogin racing logout', () => {
  it('a logout while UnlinkIdentity is on its way: the signed-out identity is not written back, and removeLogin() rejects', async () => {
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const storage = memoryStorage();
    const pool = env.pool();
    const auth = env.auth({
      identityPoolId: pool,
      storage,
      transport: {
        getId: async () => ({ identityId: 'us-east-1:aaaaaaaa-0000-4000-8000-000000000000' }),
        getCredentialsForIdentity: async ({ identityId }) => ({
          identityId,
          credentials: {
            accessKeyId: 'ASIAREMOVE',
            secretAccessKey: 'secret',
            sessionToken: 'session',
            expiration: new Date(Date.now() + 3_600_000),
          },
        }),
        unlinkIdentity: async () => sleep(50),
      },
    });
    await auth.login({ providerName: FACEBOOK, token: 'fb' });
    await auth.login({ providerName: GOOGLE, token: 'google' });
    const removing = auth.removeLogin(GOOGLE);
    await sleep(10);
    await auth.logout();
    await expect(removing).rejects.toMatchObject({ name: 'AbortError' });
    expect(storage.getItem(storageKeys('identity-pool', pool).identity)).toBeNull();
    expect(auth.getCachedIdentityId()).toBeUndefined();
  });
});

import { createIdentityPoolAuth } from '@identity-pool/core';
import { startEmulator } from '@identity-pool/emulator';
import { expect, it } from 'vitest';
import { amazonLogin } from '../src/index.js';
import { fakeAmazonSdk } from './fake-amazon-sdk.js';

it('a guest signs in with Amazon, keeps its identity, renews silently and logs out', async () => {
  const emulator = await startEmulator();
  try {
    const { identityPoolId } = emulator.createPool({
      supportedLoginProviders: { 'www.amazon.com': 'amzn1.client' },
    });
    // The fake Amazon's clock is the service's (base clock + offset).
    const mint = () =>
      emulator.idp.mintToken('www.amazon.com', {
        subject: 'amzn-alice',
        audience: 'amzn1.client',
        issuedAt: Math.floor((Date.now() + emulator.clockOffset()) / 1000),
      });
    const auth = createIdentityPoolAuth({ identityPoolId, endpoint: emulator.endpoint });
    const guest = await auth.getCredentials();

    const credentials = await auth.login(
      amazonLogin({ clientId: 'amzn1.client', sdk: fakeAmazonSdk({ mint }) }),
    );
    expect(credentials.identityId).toBe(guest.identityId); // linked
    expect(emulator.identity(guest.identityId)?.logins).toEqual({ 'www.amazon.com': 'amzn-alice' });

    emulator.setClockOffset(2 * 3600_000); // the Amazon token expires: renewed with interactive 'never'
    expect((await auth.getCredentials({ forceRefresh: true })).identityId).toBe(guest.identityId);

    await auth.logout();
    expect(auth.getState()).toMatchObject({ authenticated: false, providers: [] });
    auth.stop();
  } finally {
    await emulator.close();
  }
});

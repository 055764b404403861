// (c) A page built by Vite for production: guest, login with a fake-IdP token, logout, against
// the emulator named in the query string. Writes its outcome to #result for the test to read.
import { createIdentityPoolAuth } from '@identity-pool/core';
import { webStorage } from '@identity-pool/storage-adapters/web-storage';

const output = document.getElementById('result');
async function run() {
  const query = new URLSearchParams(location.search);
  const endpoint = query.get('endpoint');
  const auth = createIdentityPoolAuth({
    identityPoolId: query.get('pool'),
    endpoint,
    storage: webStorage(localStorage),
  });
  const guest = await auth.getCredentials();
  const minted = await fetch(`${endpoint}/__admin/tokens`, {
    method: 'POST',
    body: JSON.stringify({ providerName: 'accounts.google.com', subject: 'vite' }),
  });
  const { token } = await minted.json();
  const signedIn = await auth.login({ providerName: 'accounts.google.com', token });
  const authenticated = auth.getState().authenticated;
  await auth.logout();
  auth.stop();
  return {
    guest: guest.identityId,
    linked: signedIn.identityId === guest.identityId,
    authenticated,
    after: auth.getCachedIdentityId() ?? null,
  };
}
run().then(
  (result) => {
    output.textContent = JSON.stringify({ ok: true, ...result });
  },
  (error) => {
    output.textContent = JSON.stringify({ ok: false, error: `${error.name}: ${error.message}` });
  },
);

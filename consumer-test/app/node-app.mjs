// (a) A Node ESM app, as a user writes it: guest credentials, a login with a fake-IdP token, logout.
// Usage: node node-app.mjs <endpoint> <identityPoolId>. Exits non-zero with the reason on failure.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createIdentityPoolAuth } from '@identity-pool/core';
import { memoryStorage } from '@identity-pool/storage-adapters/memory';

const [endpoint, identityPoolId] = process.argv.slice(2);
const auth = createIdentityPoolAuth({ identityPoolId, endpoint, storage: memoryStorage() });
const reasons = [];
auth.on('identityChanged', ({ reason }) => reasons.push(reason));

const guest = await auth.getCredentials();
assert.match(guest.accessKeyId, /^ASIA/, 'guest credentials have an access key');
assert.ok(guest.expiration > new Date(), 'guest credentials are not expired');
assert.equal(auth.getState().authenticated, false);

const minted = await fetch(`${endpoint}/__admin/tokens`, {
  method: 'POST',
  // A user of its own per run: the emulator is shared by the runs on each Node version, and a
  // login that already has an identity would (rightly) merge this guest into it instead of linking.
  body: JSON.stringify({ providerName: 'graph.facebook.com', subject: `consumer-${randomUUID()}` }),
});
const { token } = await minted.json();
const signedIn = await auth.login({ providerName: 'graph.facebook.com', token });
assert.equal(signedIn.identityId, guest.identityId, 'the login is linked to the guest identity');
assert.equal(auth.getState().authenticated, true);
assert.deepEqual(auth.getState().providers, ['graph.facebook.com']);

await auth.logout();
assert.equal(auth.getCachedIdentityId(), undefined, 'logout forgets the identity');
assert.deepEqual(reasons, ['created', 'linked', 'logout']);
auth.stop();
console.log(`node ${process.version}: guest ${guest.identityId}, linked, logged out`);

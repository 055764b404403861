// (e) An Amplify v6 app as docs/amplify.md shows it: aws-amplify from the registry,
// @identity-pool/amplify and core from their tarballs, against the emulator. A guest for 100
// concurrent fetchAuthSession() calls (one identity), a user pool user's tokens (from the
// emulator's fake user pool, written where Amplify's signIn() writes them) linked to that guest,
// and signOut() giving a fresh guest. Usage: node amplify-app.mjs <endpoint>.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { amplifyCredentialsProvider } from '@identity-pool/amplify';
import { createIdentityPoolAuth } from '@identity-pool/core';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';

const [endpoint] = process.argv.slice(2);
const admin = async (path, body) =>
  (await fetch(`${endpoint}/__admin/${path}`, { method: 'POST', body: JSON.stringify(body) })).json();
const jwt = (token) => ({
  payload: JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')),
  toString: () => token,
});
const userPoolId = 'us-east-1_Consumer1';
const clientId = 'consumer-client';
const loginsKey = `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
const { identityPoolId } = await admin('pools', { supportedLoginProviders: { [loginsKey]: clientId } });
const outputs = {
  version: '1.4',
  auth: {
    aws_region: 'us-east-1',
    user_pool_id: userPoolId,
    user_pool_client_id: clientId,
    identity_pool_id: identityPoolId,
    unauthenticated_identities_enabled: true,
  },
};

Amplify.configure(outputs);
const auth = createIdentityPoolAuth({ identityPoolId: outputs.auth.identity_pool_id, endpoint });
const credentialsProvider = amplifyCredentialsProvider(auth);
Amplify.configure(outputs, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider, credentialsProvider } });

const guests = await Promise.all(Array.from({ length: 100 }, () => fetchAuthSession()));
const guestId = guests[0].identityId;
assert.deepEqual(
  new Set(guests.map((s) => s.identityId)),
  new Set([guestId]),
  'one identity for 100 callers',
);
assert.ok(guests[0].credentials.expiration > new Date(), 'guest credentials are not expired');

const subject = `consumer-${randomUUID()}`;
const tokens = await admin('tokens/user-pool', { userPoolId, clientId, subject });
await cognitoUserPoolsTokenProvider.tokenOrchestrator.setTokens({
  tokens: {
    idToken: jwt(tokens.idToken),
    accessToken: jwt(tokens.accessToken),
    clockDrift: 0,
    username: subject,
  },
});
const signedIn = await fetchAuthSession();
assert.equal(signedIn.identityId, guestId, 'the user pool sign-in is linked to the guest identity');
assert.deepEqual(auth.getState().providers, [loginsKey]);

await signOut();
const after = await fetchAuthSession();
assert.notEqual(after.identityId, guestId, 'after signOut() the guest is a fresh identity');
assert.equal(auth.getState().authenticated, false);
auth.stop();
console.log(`node ${process.version}: aws-amplify guest ${guestId}, user pool sign-in linked, signed out`);

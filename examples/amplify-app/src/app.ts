/**
 * The Amplify app: Amplify v6 configured from `amplify_outputs.json`, with the three lines of
 * docs/amplify.md that give it an identity-pool session as its credentials provider. Three
 * buttons: guest credentials (`fetchAuthSession()`), a user pool sign-in, `signOut()`.
 *
 * The one stand-in: the user pool. Amplify's `signIn()` asks the user pool service, which the
 * emulator does not serve; "Sign in" asks the emulator's fake user pool for the user's tokens
 * instead (`POST /__admin/tokens/user-pool`) and hands them to Amplify's token orchestrator, the
 * call `signIn()` ends with. From there every step is Amplify's own.
 */

import { decodeJWT } from '@aws-amplify/core';
import { amplifyCredentialsProvider } from '@identity-pool/amplify';
import { createIdentityPoolAuth } from '@identity-pool/core';
import { Amplify } from 'aws-amplify';
import { type AuthSession, fetchAuthSession, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import outputs from './amplify_outputs.json' with { type: 'json' };

/** The emulator's endpoint (src/serve.ts builds the page with it); unset, the session calls AWS. */
const endpoint = import.meta.env.VITE_IDENTITY_POOL_ENDPOINT;

// docs/amplify.md, "The three lines" (plus the emulator's endpoint):
Amplify.configure(outputs);
const auth = createIdentityPoolAuth({
  identityPoolId: outputs.auth.identity_pool_id,
  storage: localStorage,
  ...(endpoint ? { endpoint } : {}),
});
const credentialsProvider = amplifyCredentialsProvider(auth);
Amplify.configure(outputs, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider, credentialsProvider } });

const show = (id: string, text: string) => {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
};

/** The guest identity seen last, to tell whether a sign-in linked it. */
let guestIdentityId: string | undefined;

/** Shows who Amplify says is signed in and the credentials it signs with (never the secrets). */
function showSession(session: AuthSession) {
  const user = session.tokens?.idToken?.payload['cognito:username'];
  show('user', typeof user === 'string' ? user : 'guest');
  show('identity-id', session.identityId ?? '—');
  show('expiration', session.credentials?.expiration?.toISOString() ?? '—');
  if (!session.tokens) guestIdentityId = session.identityId;
  show(
    'linked',
    session.tokens ? String(session.identityId !== undefined && session.identityId === guestIdentityId) : '—',
  );
}

/** The user pool's tokens for `username`, from the emulator's fake user pool (see above). */
async function userPoolTokens(username: string): Promise<{ idToken: string; accessToken: string }> {
  const response = await fetch(`${endpoint ?? ''}/__admin/tokens/user-pool`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      userPoolId: outputs.auth.user_pool_id,
      clientId: outputs.auth.user_pool_client_id,
      subject: username,
      username,
    }),
  });
  if (!response.ok) throw new Error(`the emulator's user pool answered ${response.status}`);
  return (await response.json()) as { idToken: string; accessToken: string };
}

/** What `signIn()` ends with: the user's tokens in Amplify's token store. */
async function signInAs(username: string) {
  const tokens = await userPoolTokens(username);
  await cognitoUserPoolsTokenProvider.tokenOrchestrator.setTokens({
    tokens: {
      idToken: decodeJWT(tokens.idToken),
      accessToken: decodeJWT(tokens.accessToken),
      clockDrift: 0,
      username,
    },
  });
}

/** Runs a button's action; its outcome (or the error's name and message) goes to `#result`. */
function onClick(id: string, action: () => Promise<void>) {
  document.getElementById(id)?.addEventListener('click', () => {
    show('result', `${id}: …`);
    action().then(
      () => show('result', `${id}: done`),
      (error: Error) => show('result', `${id}: ${error.name}: ${error.message}`),
    );
  });
}

onClick('guest', async () => showSession(await fetchAuthSession()));
onClick('sign-in', async () => {
  await signInAs('demo-user');
  showSession(await fetchAuthSession());
});
onClick('sign-out', async () => {
  await signOut();
  for (const id of ['user', 'identity-id', 'expiration', 'linked']) show(id, '—');
});
show('result', 'ready');

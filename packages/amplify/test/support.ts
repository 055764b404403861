/**
 * The real `aws-amplify` against the emulator: one emulator per file on a clock the test moves,
 * an identity-pool session per test, and Amplify configured as docs/amplify.md shows: its own
 * user pool token provider, our credentials provider. A user pool sign-in is stood in for by the
 * call Amplify's `signIn()` ends with (`tokenOrchestrator.setTokens`), given tokens the emulator's
 * fake user pool issued: Amplify's `signIn()` itself needs the user pool service.
 */
import { decodeJWT } from '@aws-amplify/core';
import { createIdentityPoolAuth, fetchTransport, type IdentityPoolAuth } from '@identity-pool/core';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { Amplify } from 'aws-amplify';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { amplifyCredentialsProvider } from '../src/index.js';

export const USER_POOL_ID = 'us-east-1_AmpEmu1';
export const CLIENT_ID = 'amplify-app-client';
export const USER_POOL_LOGIN = `cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}`;

/** Time that moves only when the test says (timers stay real: a jump is a device waking up). */
export const clock = {
  // Amplify's token provider judges token expiry by the real clock: start there.
  current: Date.now(),
  now() {
    return this.current;
  },
  jumpMinutes(minutes: number) {
    this.current += minutes * 60_000;
  },
};

export function useAmplifyWithEmulator() {
  let emulator: Emulator | undefined;
  const sessions: IdentityPoolAuth[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ clock: { now: () => clock.now() } });
  });
  afterEach(() => {
    for (const session of sessions.splice(0)) session.stop();
    emulator?.setCredentialsTtlSeconds(3600);
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const env = {
    get emulator(): Emulator {
      if (!emulator) throw new Error('the emulator is not started yet');
      return emulator;
    },
    /** A pool that accepts the user pool, a session over it, and Amplify configured with both. */
    async setup(options: { allowGuestAccess?: boolean; restApiEndpoint?: string } = {}) {
      const { identityPoolId } = env.emulator.createPool({
        supportedLoginProviders: { [USER_POOL_LOGIN]: CLIENT_ID },
      });
      const endpoint = env.emulator.endpoint;
      const config = {
        Auth: {
          Cognito: {
            userPoolId: USER_POOL_ID,
            userPoolClientId: CLIENT_ID,
            identityPoolId,
            allowGuestAccess: options.allowGuestAccess ?? true,
          },
        },
        ...(options.restApiEndpoint
          ? { API: { REST: { items: { endpoint: options.restApiEndpoint, region: 'us-east-1' } } } }
          : {}),
      };
      Amplify.configure(config);
      const { tokenOrchestrator } = cognitoUserPoolsTokenProvider;
      await tokenOrchestrator.clearTokens(); // no user from an earlier test

      // The lines an Amplify app adds (docs/amplify.md):
      const auth = createIdentityPoolAuth({ identityPoolId, transport: fetchTransport({ endpoint }), clock });
      const credentialsProvider = amplifyCredentialsProvider(auth);
      Amplify.configure(config, {
        Auth: { tokenProvider: cognitoUserPoolsTokenProvider, credentialsProvider },
      });
      sessions.push(auth);
      return {
        identityPoolId,
        auth,
        credentialsProvider,
        /** Amplify now holds this user's tokens (as after `signIn()`), fresh from the user pool. */
        async signIn(subject: string, expiresInSeconds = 3600, clientId = CLIENT_ID) {
          const tokens = env.emulator.idp.mintUserPoolTokens(USER_POOL_ID, {
            clientId,
            subject,
            expiresInSeconds,
          });
          await tokenOrchestrator.setTokens({
            tokens: {
              idToken: decodeJWT(tokens.idToken),
              accessToken: decodeJWT(tokens.accessToken),
              clockDrift: 0,
              username: subject,
            },
          });
          return tokens;
        },
        /** Amplify drops its tokens without calling the credentials provider (a failed refresh). */
        dropTokens() {
          return tokenOrchestrator.clearTokens();
        },
        /** The service calls of this pool so far, by operation. */
        calls(operation?: string) {
          const ids = new Set(env.emulator.identities(identityPoolId).map((i) => i.identityId));
          return env.emulator.calls.filter(
            (call) =>
              (call.identityPoolId === identityPoolId || (call.identityId && ids.has(call.identityId))) &&
              (!operation || call.operation === operation),
          ).length;
        },
        identities: () => env.emulator.identities(identityPoolId),
      };
    },
  };
  return env;
}

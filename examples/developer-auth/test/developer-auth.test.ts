/**
 * End to end against the emulator: the app asks the example backend, the backend signs
 * GetOpenIdTokenForDeveloperIdentity with the emulator's developer credentials, and the app's
 * session gets credentials for the identity the backend returned.
 */
import type { Server } from 'node:http';
import { memoryStorage } from '@identity-pool/core';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { getOpenIdTokenForDeveloperIdentity } from '@identity-pool/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendLogin, signInThroughBackend, startBackend } from '../src/index.js';

const PROVIDER = 'login.example.com';
let emulator: Emulator;
let backend: { url: string; server: Server };
let identityPoolId: string;
const sessions = new Map([
  ['session-alice', 'alice'],
  ['session-bob', 'bob'],
]);

beforeAll(async () => {
  emulator = await startEmulator();
  identityPoolId = emulator.createPool({ developerProviderName: PROVIDER }).identityPoolId;
  backend = await startBackend({
    identityPoolId,
    developerProviderName: PROVIDER,
    sessions,
    credentials: emulator.developerCredentials,
    endpoint: emulator.endpoint,
  });
});
afterAll(async () => {
  await new Promise((resolve) => backend?.server.close(resolve));
  await emulator?.close();
});

describe('developer-authenticated identities, end to end', () => {
  it('the app signs in through the backend and gets the identity the backend returned', async () => {
    const auth = await signInThroughBackend(
      { identityPoolId, endpoint: emulator.endpoint },
      backend.url,
      () => 'session-alice',
    );
    const credentials = await auth.getCredentials();
    expect(emulator.identity(credentials.identityId)).toMatchObject({
      authenticated: true,
      logins: { [PROVIDER]: 'alice' },
    });
    expect(auth.getState()).toMatchObject({
      authenticated: true,
      providers: ['cognito-identity.amazonaws.com'],
    });
    // The same user again: the same identity.
    const again = await signInThroughBackend(
      { identityPoolId, endpoint: emulator.endpoint },
      backend.url,
      () => 'session-alice',
    );
    expect((await again.getCredentials()).identityId).toBe(credentials.identityId);
    auth.stop();
    again.stop();
  });

  it('a guest that signs in moves to the backend identity (pinned), persisted for the next start', async () => {
    const storage = memoryStorage();
    const { createIdentityPoolAuth } = await import('@identity-pool/core');
    const auth = createIdentityPoolAuth({ identityPoolId, endpoint: emulator.endpoint, storage });
    const guest = await auth.getCredentials();
    const changes: unknown[] = [];
    auth.on('identityChanged', (event) => changes.push(event));
    const signedIn = await auth.login(backendLogin(backend.url, () => 'session-bob'));
    expect(signedIn.identityId).not.toBe(guest.identityId);
    expect(emulator.identity(signedIn.identityId)).toMatchObject({ logins: { [PROVIDER]: 'bob' } });
    expect(changes).toEqual([
      expect.objectContaining({ previousIdentityId: guest.identityId, identityId: signedIn.identityId }),
    ]);
    auth.stop();
  });

  it('100 users signing in at once in one process each get their own identity (the identity travels with the token, no state is shared)', async () => {
    const { createIdentityPoolAuth } = await import('@identity-pool/core');
    const users = Array.from({ length: 100 }, (_, n) => `user${n}`);
    for (const user of users) sessions.set(`session-${user}`, user);
    const apps = users.map(() => createIdentityPoolAuth({ identityPoolId, endpoint: emulator.endpoint }));
    // Guests first, then every login at once, each held until all 100 tokens are fetched: no
    // request goes out before the last token came (a process-wide token → identity table would
    // have forgotten some by then).
    await Promise.all(apps.map((app) => app.getCredentials()));
    const callsBefore = emulator.calls.length;
    let fetched = 0;
    let allFetched!: () => void;
    const barrier = new Promise<void>((resolve) => {
      allFetched = resolve;
    });
    const signedIn = await Promise.all(
      apps.map((app, n) => {
        const provider = backendLogin(backend.url, () => `session-${users[n]}`);
        return app.login({
          ...provider,
          async signIn(options) {
            const token = await provider.signIn(options);
            if (++fetched === users.length) allFetched();
            await barrier;
            return token;
          },
        });
      }),
    );
    signedIn.forEach((credentials, n) => {
      expect(emulator.identity(credentials.identityId)).toMatchObject({ logins: { [PROVIDER]: users[n] } });
    });
    expect(new Set(signedIn.map((credentials) => credentials.identityId)).size).toBe(users.length);
    // Straight to each user's identity: one GetCredentialsForIdentity per login, none refused and
    // retried through a recovery.
    const calls = emulator.calls
      .slice(callsBefore)
      .filter((call) => call.operation !== 'GetOpenIdTokenForDeveloperIdentity');
    expect(calls.filter((call) => call.errorType !== undefined)).toEqual([]);
    expect(calls.map((call) => call.operation)).toEqual(users.map(() => 'GetCredentialsForIdentity'));
    for (const app of apps) app.stop();
  });

  it('the backend refuses an app without a session (401) and the login is cancelled', async () => {
    const { createIdentityPoolAuth } = await import('@identity-pool/core');
    const auth = createIdentityPoolAuth({ identityPoolId, endpoint: emulator.endpoint });
    await expect(auth.login(backendLogin(backend.url, () => null))).rejects.toMatchObject({
      name: 'LoginCancelledError',
    });
    auth.stop();
  });

  it('the Node helper is really signed: wrong credentials or provider are refused', async () => {
    await expect(
      getOpenIdTokenForDeveloperIdentity({
        identityPoolId,
        developerProviderName: PROVIDER,
        userId: 'carol',
        endpoint: emulator.endpoint,
        credentials: { ...emulator.developerCredentials, secretAccessKey: 'wrong-secret-key-000000000000' },
      }),
    ).rejects.toMatchObject({ name: 'ServiceError', code: 'InvalidSignatureException' });
    await expect(
      getOpenIdTokenForDeveloperIdentity({
        identityPoolId,
        developerProviderName: 'other.example.com',
        userId: 'carol',
        endpoint: emulator.endpoint,
        credentials: emulator.developerCredentials,
      }),
    ).rejects.toMatchObject({ name: 'ServiceError', code: 'NotAuthorizedException' });
    const ok = await getOpenIdTokenForDeveloperIdentity({
      identityPoolId,
      developerProviderName: PROVIDER,
      userId: 'carol',
      tokenDuration: 300,
      endpoint: emulator.endpoint,
      credentials: emulator.developerCredentials,
    });
    expect(ok.identityId).toMatch(/^us-east-1:/);
    expect(ok.expiresAt).toBeGreaterThan(Date.now() + 200_000);
    expect(ok.expiresAt).toBeLessThanOrEqual(Date.now() + 301_000);
  });
});

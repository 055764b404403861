/**
 * The provider's public API under attack, as an outside reviewer drives it: concurrent users,
 * sign-out racing callers, refresh storms and hostile tokens. Called directly (not through
 * `fetchAuthSession()`, whose own cache would hide the races), against the emulator over HTTP.
 */
import { IdentityPoolError } from '@identity-pool/core';
import { describe, expect, it } from 'vitest';
import type { AmplifyAuthTokens, AmplifyCredentialsAndIdentityId } from '../src/index.js';
import { clock, USER_POOL_ID, USER_POOL_LOGIN, useAmplifyWithEmulator } from './support.js';

const env = useAmplifyWithEmulator();

/** Amplify's tokens for a compact ID token (and access token). */
const tokensOf = (idToken: string, accessToken = idToken): AmplifyAuthTokens => ({
  idToken: { payload: {}, toString: () => idToken },
  accessToken: { payload: {}, toString: () => accessToken },
});

/** An unsigned JWT with these claims: what a garbled or forged token looks like. */
const unsignedJwt = (claims: Record<string, unknown>): string =>
  [{ alg: 'HS256', typ: 'JWT' }, claims]
    .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .concat('c2lnbmF0dXJl')
    .join('.');

/** The settled outcome of a call: its value, or the error it rejected with. */
const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('amplifyCredentialsProvider under attack', () => {
  it('two users signing in at once from a guest: each gets only an identity linked to themself', async () => {
    const app = await env.setup();
    await app.credentialsProvider.getCredentialsAndIdentityId({ authenticated: false });
    const mint = (subject: string) =>
      env.emulator.idp.mintUserPoolTokens(USER_POOL_ID, { clientId: 'amplify-app-client', subject });
    const alice = mint('alice');
    const bob = mint('bob');
    const ask = (tokens: { idToken: string; accessToken: string }) =>
      settle(
        app.credentialsProvider.getCredentialsAndIdentityId({
          authenticated: true,
          tokens: tokensOf(tokens.idToken, tokens.accessToken),
        }),
      );
    const outcomes = await Promise.all([ask(alice), ask(bob), ask(alice), ask(bob)]);
    const subjects = ['alice', 'bob', 'alice', 'bob'];
    outcomes.forEach((outcome, i) => {
      if ('error' in outcome) {
        expect(outcome.error).toBeInstanceOf(IdentityPoolError);
        return;
      }
      const identityId = (outcome.value as AmplifyCredentialsAndIdentityId).identityId as string;
      expect(env.emulator.identity(identityId)?.logins).toEqual({ [USER_POOL_LOGIN]: subjects[i] });
    });
  });

  it('1,000 callers, signed in and out, while clearCredentialsAndIdentityId() runs: no signed-out caller gets a user’s credentials', async () => {
    const app = await env.setup();
    const { idToken, accessToken } = env.emulator.idp.mintUserPoolTokens(USER_POOL_ID, {
      clientId: 'amplify-app-client',
      subject: 'carol',
    });
    const tokens = tokensOf(idToken, accessToken);
    const provider = app.credentialsProvider;
    const carol = await provider.getCredentialsAndIdentityId({ authenticated: true, tokens });
    /** Access key IDs handed to callers signed in as carol, and to callers signed out. */
    const carols = new Set([carol?.credentials.accessKeyId]);
    const guests = new Set<string | undefined>();
    const errors: unknown[] = [];
    const call = async (i: number) => {
      const signedIn = i % 2 === 0;
      const outcome = await settle(
        provider.getCredentialsAndIdentityId(
          signedIn
            ? { authenticated: true, tokens, forceRefresh: i % 10 === 0 }
            : { authenticated: false, forceRefresh: i % 7 === 0 },
        ),
      );
      if ('error' in outcome) errors.push(outcome.error);
      else (signedIn ? carols : guests).add(outcome.value?.credentials.accessKeyId);
    };
    const before = Array.from({ length: 500 }, (_, i) => call(i));
    const clearing = provider.clearCredentialsAndIdentityId();
    const during = Array.from({ length: 500 }, (_, i) => call(i + 500));
    await Promise.all([...before, clearing, ...during]);
    const after = await provider.getCredentialsAndIdentityId({ authenticated: false });

    expect([...guests].filter((key) => carols.has(key))).toEqual([]);
    expect(carols.has(after?.credentials.accessKeyId)).toBe(false);
    expect(env.emulator.identity(after?.identityId as string)?.logins).toEqual({});
    for (const error of errors) {
      expect(error).toBeInstanceOf(IdentityPoolError);
      expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(idToken.split('.')[2]);
    }
    // Measured on a 2-core machine: 3 typed errors of 1,000, 6 service calls.
    expect(errors.length).toBeLessThan(50);
  });

  it('a signed-out call while a user’s login is in flight does not get that user’s identity', async () => {
    const app = await env.setup();
    const { idToken, accessToken } = env.emulator.idp.mintUserPoolTokens(USER_POOL_ID, {
      clientId: 'amplify-app-client',
      subject: 'dave',
    });
    const provider = app.credentialsProvider;
    const signedIn = settle(
      provider.getCredentialsAndIdentityId({ authenticated: true, tokens: tokensOf(idToken, accessToken) }),
    );
    const signedOut = await provider.getCredentialsAndIdentityId({ authenticated: false });
    await signedIn;
    const identity = env.emulator.identity(signedOut?.identityId as string);
    expect(identity?.logins).toEqual({});
  });

  it('clearCredentialsAndIdentityId() during a login: once it resolved, the session holds no user', async () => {
    const app = await env.setup();
    const { idToken, accessToken } = env.emulator.idp.mintUserPoolTokens(USER_POOL_ID, {
      clientId: 'amplify-app-client',
      subject: 'erin',
    });
    const provider = app.credentialsProvider;
    const tokens = tokensOf(idToken, accessToken);
    const signingIn = settle(provider.getCredentialsAndIdentityId({ authenticated: true, tokens }));
    await provider.clearCredentialsAndIdentityId();
    expect(app.auth.getState()).toMatchObject({ authenticated: false, providers: [] });
    const outcome = await signingIn;
    if ('error' in outcome) expect(outcome.error).toBeInstanceOf(IdentityPoolError);
    expect(app.auth.getState()).toMatchObject({ authenticated: false, providers: [] });
  });

  const hostileTokens: [string, () => unknown][] = [
    ['no tokens at all', () => undefined],
    ['tokens without an idToken', () => ({ accessToken: { payload: {}, toString: () => 'a.b.c' } })],
    ['an idToken that is null', () => ({ idToken: null })],
    ['an idToken whose toString() returns a number', () => ({ idToken: { toString: () => 42 } })],
    [
      'an idToken that is a Proxy whose traps throw',
      () => ({
        idToken: new Proxy(
          {},
          {
            get() {
              throw new Error('trap');
            },
          },
        ),
      }),
    ],
    ['not a JWT', () => tokensOf('not-a-jwt')],
    ['three garbled parts', () => tokensOf('%%%.@@@.***')],
    [
      'a payload that is not JSON',
      () => tokensOf(`e30.${Buffer.from('{sub: no').toString('base64url')}.c2ln`),
    ],
    ['an iss that is a number', () => tokensOf(unsignedJwt({ iss: 42, sub: 'x', exp: 9e9 }))],
    [
      'an iss 100,000 characters long',
      () => tokensOf(unsignedJwt({ iss: `https://${'e'.repeat(100_000)}`, sub: 'x', exp: 9e9 })),
    ],
    [
      'an iss of another user pool (forged)',
      () =>
        tokensOf(
          unsignedJwt({
            iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Forged1',
            sub: 'x',
            exp: 9e9,
          }),
        ),
    ],
    [
      'an iss that is not https',
      () => tokensOf(unsignedJwt({ iss: 'javascript:alert(1)', sub: 'x', exp: 9e9 })),
    ],
    [
      'an exp of NaN-ish text',
      () => tokensOf(unsignedJwt({ iss: `https://${USER_POOL_LOGIN}`, sub: 'x', exp: 'soon' })),
    ],
  ];
  it.each(hostileTokens)(
    'a hostile token (%s): a typed error without the token, the guest identity kept',
    async (_name, make) => {
      const app = await env.setup();
      const guest = await app.credentialsProvider.getCredentialsAndIdentityId({ authenticated: false });
      const tokens = make() as AmplifyAuthTokens;
      const compact = (() => {
        try {
          return String(tokens?.idToken?.toString());
        } catch {
          return '';
        }
      })();
      const outcome = await settle(
        app.credentialsProvider.getCredentialsAndIdentityId({ authenticated: true, tokens }),
      );
      expect('error' in outcome).toBe(true);
      const error = (outcome as { error: Error }).error;
      expect(error).toBeInstanceOf(IdentityPoolError);
      const signature = compact.split('.')[2];
      if (signature && signature.length > 3) {
        expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(signature);
      }
      expect(app.auth.getState()).toMatchObject({ authenticated: false, identityId: guest?.identityId });
    },
  );

  it('an expired ID token: a typed error, the guest identity kept', async () => {
    const app = await env.setup();
    const guest = await app.credentialsProvider.getCredentialsAndIdentityId({ authenticated: false });
    const { idToken, accessToken } = env.emulator.idp.mintUserPoolTokens(USER_POOL_ID, {
      clientId: 'amplify-app-client',
      subject: 'grace',
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
      expiresInSeconds: 3600,
    });
    const outcome = await settle(
      app.credentialsProvider.getCredentialsAndIdentityId({
        authenticated: true,
        tokens: tokensOf(idToken, accessToken),
      }),
    );
    expect('error' in outcome && outcome.error).toBeInstanceOf(IdentityPoolError);
    const error = (outcome as { error: Error }).error;
    expect(`${error.message} ${error.stack}`).not.toContain(idToken.split('.')[2]);
    expect(app.auth.getState()).toMatchObject({ authenticated: false, identityId: guest?.identityId });
  });

  it('a forceRefresh storm (500 at once): one refresh, one set of credentials for all', async () => {
    const app = await env.setup();
    await app.credentialsProvider.getCredentialsAndIdentityId({ authenticated: false });
    const before = app.calls('GetCredentialsForIdentity');
    const results = await Promise.all(
      Array.from({ length: 500 }, () =>
        app.credentialsProvider.getCredentialsAndIdentityId({ authenticated: false, forceRefresh: true }),
      ),
    );
    const refreshes = app.calls('GetCredentialsForIdentity') - before;
    expect(new Set(results.map((r) => r?.identityId)).size).toBe(1);
    expect(refreshes).toBe(1);
  });

  it('clearCredentialsAndIdentityId() during a refresh: no caller gets the user’s credentials after it resolved', async () => {
    const app = await env.setup();
    const { idToken, accessToken } = env.emulator.idp.mintUserPoolTokens(USER_POOL_ID, {
      clientId: 'amplify-app-client',
      subject: 'ivan',
      expiresInSeconds: 6 * 3600,
    });
    const tokens = tokensOf(idToken, accessToken);
    const provider = app.credentialsProvider;
    const ivan = await provider.getCredentialsAndIdentityId({ authenticated: true, tokens });
    clock.jumpMinutes(61); // ivan's credentials have expired: the next call refreshes
    let cleared = false;
    const late: unknown[] = [];
    const calls = Array.from({ length: 100 }, (_, i) =>
      settle(
        provider.getCredentialsAndIdentityId({ authenticated: true, tokens, forceRefresh: i % 3 === 0 }),
      ).then((outcome) => {
        if (cleared && 'value' in outcome) late.push(outcome.value?.identityId);
        if ('error' in outcome) expect(outcome.error).toBeInstanceOf(IdentityPoolError);
      }),
    );
    await provider.clearCredentialsAndIdentityId();
    cleared = true;
    expect(app.auth.getState()).toMatchObject({ authenticated: false, providers: [] });
    await Promise.all(calls);
    expect(late.filter((identityId) => identityId === ivan?.identityId)).toEqual([]);
  });
});

/**
 * `amplifyCredentialsProvider` inside the real aws-amplify 6 (`fetchAuthSession`, `signOut`, its
 * user pool token provider), against the emulator over HTTP. See support.ts for the one step
 * stood in for: the user pool service's answer to `signIn()`.
 */
import { ConfigurationError } from '@identity-pool/core';
import { fetchAuthSession, signOut } from 'aws-amplify/auth';
import { describe, expect, it } from 'vitest';
import { clock, USER_POOL_LOGIN, useAmplifyWithEmulator } from './support.js';

const env = useAmplifyWithEmulator();

type Session = Awaited<ReturnType<typeof fetchAuthSession>>;
/** Credentials handed out expired (or without an expiry) as of now on the session's clock. */
const expiredNow = (sessions: Session[]): number =>
  sessions.filter(
    (s) => !(s.credentials?.expiration instanceof Date) || s.credentials.expiration.getTime() <= clock.now(),
  ).length;

/** `n` concurrent `fetchAuthSession()` calls, each result checked for expiry when it arrives. */
async function fetchConcurrently(n: number, counts: { expired: number }): Promise<Session[]> {
  const sessions = await Promise.all(Array.from({ length: n }, () => fetchAuthSession()));
  counts.expired += expiredNow(sessions);
  return sessions;
}

describe('fetchAuthSession() with amplifyCredentialsProvider', () => {
  it('1,000 concurrent callers: 2 service calls (GetId + GetCredentialsForIdentity), 1 identity', async () => {
    const app = await env.setup();
    const counts = { expired: 0 };
    const sessions = await fetchConcurrently(1000, counts);
    expect(app.calls('GetId')).toBe(1);
    expect(app.calls('GetCredentialsForIdentity')).toBe(1);
    expect(app.calls()).toBe(2);
    expect(app.identities()).toHaveLength(1);
    const identityId = app.identities()[0]?.identityId;
    expect(new Set(sessions.map((s) => s.identityId))).toEqual(new Set([identityId]));
    expect(new Set(sessions.map((s) => s.credentials?.accessKeyId)).size).toBe(1);
    expect(sessions[0]?.credentials).toEqual({
      accessKeyId: expect.stringMatching(/^ASIA/),
      secretAccessKey: expect.any(String),
      sessionToken: expect.any(String),
      expiration: expect.any(Date),
    });
    expect(counts.expired).toBe(0);
  });

  it('credentials living 45 minutes are refreshed, never handed out expired', async () => {
    const app = await env.setup();
    env.emulator.setCredentialsTtlSeconds(45 * 60);
    const counts = { expired: 0 };
    const handedOut = await fetchConcurrently(1, counts);
    const first = handedOut[0]?.credentials;
    expect(Math.abs((first?.expiration?.getTime() ?? 0) - (clock.now() + 45 * 60_000))).toBeLessThan(1000);

    clock.jumpMinutes(44.5); // 30 s of life left: less than the minute a caller is guaranteed
    handedOut.push(...(await fetchConcurrently(100, counts)));
    expect(handedOut.at(-1)?.credentials?.expiration?.getTime()).toBeGreaterThan(clock.now() + 60_000);
    clock.jumpMinutes(46); // the second credentials have expired too
    handedOut.push(...(await fetchConcurrently(100, counts)));

    expect(counts.expired).toBe(0);
    expect(handedOut.at(-1)?.credentials?.expiration?.getTime()).toBeGreaterThan(clock.now() + 60_000);
    expect(new Set(handedOut.map((s) => s.credentials?.accessKeyId)).size).toBe(3);
    expect(app.calls('GetCredentialsForIdentity')).toBe(3); // one per expiry, not one per caller
    expect(app.identities()).toHaveLength(1);
  });

  it('forceRefresh fetches new credentials for the same identity', async () => {
    const app = await env.setup();
    const before = await fetchAuthSession();
    const after = await fetchAuthSession({ forceRefresh: true });
    expect(after.identityId).toBe(before.identityId);
    expect(after.credentials?.accessKeyId).not.toBe(before.credentials?.accessKeyId);
    expect(app.calls('GetCredentialsForIdentity')).toBe(2);
  });
});

describe('user pool sign-in and sign-out', () => {
  it('signing in through a user pool token links the guest identity (same identityId)', async () => {
    const app = await env.setup();
    const guest = await fetchAuthSession();
    expect(app.auth.getState().authenticated).toBe(false);

    await app.signIn('alice');
    const callsBefore = app.calls();
    const counts = { expired: 0 };
    const signedIn = await fetchConcurrently(1000, counts);
    expect(new Set(signedIn.map((s) => s.identityId))).toEqual(new Set([guest.identityId]));
    expect(signedIn[0]?.credentials?.accessKeyId).not.toBe(guest.credentials?.accessKeyId);
    expect(app.calls() - callsBefore).toBe(1); // one login for 1,000 callers
    expect(app.identities()).toEqual([
      expect.objectContaining({
        identityId: guest.identityId,
        authenticated: true,
        logins: { [USER_POOL_LOGIN]: 'alice' },
      }),
    ]);
    expect(app.auth.getState()).toMatchObject({ authenticated: true, providers: [USER_POOL_LOGIN] });
    expect(counts.expired).toBe(0);
    expect(signedIn[0]?.tokens?.idToken?.payload.sub).toBe('alice');

    // Amplify refreshed the user's tokens: the same user, the same identity, no new login.
    await app.signIn('alice');
    const afterRefresh = await fetchAuthSession();
    expect(afterRefresh.identityId).toBe(guest.identityId);
    expect(app.calls() - callsBefore).toBe(1);
  });

  it('the session renews its login with the newest token Amplify handed over, without a new login', async () => {
    const app = await env.setup();
    await app.signIn('grace', 10 * 60); // an ID token that dies in 10 minutes
    const first = await fetchAuthSession();
    await app.signIn('grace'); // Amplify refreshed it: the same user, an hour of life
    await fetchAuthSession();
    const logins = app.calls('GetId');
    clock.jumpMinutes(11); // the first token has expired
    // A refresh by the session itself (its timer's job; fetchAuthSession({ forceRefresh }) would
    // make Amplify refresh its tokens first, which needs the user pool service).
    await app.auth.getCredentials({ forceRefresh: true });
    const renewed = await fetchAuthSession();
    expect(renewed.identityId).toBe(first.identityId);
    expect(renewed.credentials?.accessKeyId).not.toBe(first.credentials?.accessKeyId);
    expect(app.calls('GetId')).toBe(logins);
    expect(app.auth.getState()).toMatchObject({ authenticated: true, providers: [USER_POOL_LOGIN] });
  });

  it('signOut() signs the session out: the next guest is a fresh identity', async () => {
    const app = await env.setup();
    const guest = await fetchAuthSession();
    await app.signIn('bob');
    await fetchAuthSession();
    await signOut();
    expect(app.auth.getState()).toMatchObject({ authenticated: false, providers: [] });
    expect(app.auth.getCachedIdentityId()).toBeUndefined();

    const next = await fetchAuthSession();
    expect(next.identityId).not.toBe(guest.identityId);
    expect(app.auth.getState().authenticated).toBe(false);
    expect(app.identities().find((i) => i.identityId === next.identityId)?.authenticated).toBe(false);
  });

  it('another user signing in (no signOut between) does not get the first user’s identity', async () => {
    const app = await env.setup();
    await fetchAuthSession();
    await app.signIn('carol');
    const carol = await fetchAuthSession();
    await app.signIn('dave');
    const dave = await fetchAuthSession();
    expect(dave.identityId).not.toBe(carol.identityId);
    expect(env.emulator.identity(dave.identityId as string)?.logins).toEqual({ [USER_POOL_LOGIN]: 'dave' });
    expect(env.emulator.identity(carol.identityId as string)?.logins).toEqual({ [USER_POOL_LOGIN]: 'carol' });
  });

  it('Amplify losing its tokens without signOut(): the user’s credentials are not served to a guest', async () => {
    const app = await env.setup();
    await app.signIn('erin');
    const erin = await fetchAuthSession();
    await app.dropTokens();
    const after = await fetchAuthSession();
    expect(after.identityId).not.toBe(erin.identityId);
    expect(after.credentials?.accessKeyId).not.toBe(erin.credentials?.accessKeyId);
    expect(app.auth.getState().authenticated).toBe(false);
  });

  it('guest access off in Amplify’s config: no credentials for a signed-out user, no service call', async () => {
    const app = await env.setup({ allowGuestAccess: false });
    const session = await fetchAuthSession();
    expect(session.credentials).toBeUndefined();
    expect(app.calls()).toBe(0);
  });

  it('guest access off, and Amplify dropped its user’s tokens: no credentials, and the session is signed out', async () => {
    const app = await env.setup({ allowGuestAccess: false });
    await app.signIn('heidi');
    expect((await fetchAuthSession()).credentials?.accessKeyId).toMatch(/^ASIA/);
    await app.dropTokens();
    expect((await fetchAuthSession()).credentials).toBeUndefined();
    expect(app.auth.getState()).toMatchObject({ authenticated: false, providers: [] });
  });

  it('a signed-in user without an ID token is a ConfigurationError, and the session keeps its identity', async () => {
    const app = await env.setup();
    const guest = await fetchAuthSession();
    const error = await app.credentialsProvider
      .getCredentialsAndIdentityId({
        authenticated: true,
        tokens: { accessToken: { payload: {}, toString: () => 'a.b.c' } },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ name: 'ConfigurationError', field: 'tokens.idToken' });
    expect(app.auth.getCachedIdentityId()).toBe(guest.identityId);
  });

  it('a token the service refuses: LoginFailedError without the token in it; the guest identity is kept', async () => {
    const app = await env.setup();
    const guest = await fetchAuthSession();
    const { idToken, accessToken } = await app.signIn('frank', 3600, 'another-client');
    const error = await fetchAuthSession().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('LoginFailedError');
    const seen = [
      error?.message,
      error?.stack,
      JSON.stringify(error),
      String((error as { cause?: unknown })?.cause),
    ];
    for (const text of seen) {
      expect(text).not.toContain(idToken.split('.')[2]);
      expect(text).not.toContain(accessToken.split('.')[2]);
    }
    expect(app.auth.getState()).toMatchObject({ authenticated: false, identityId: guest.identityId });
  });

  it('an ID token whose toString() throws is a ConfigurationError, not the foreign error', async () => {
    const app = await env.setup();
    const hostile = {
      payload: {},
      toString(): string {
        throw new Error('hostile toString');
      },
    };
    await expect(
      app.credentialsProvider.getCredentialsAndIdentityId({
        authenticated: true,
        tokens: { idToken: hostile, accessToken: hostile },
      }),
    ).rejects.toMatchObject({ name: 'ConfigurationError', field: 'tokens.idToken' });
  });
});

/**
 * The machine's rules (design.md §4), end to end: the real AWS SDK client over HTTP against the
 * emulator on loopback, through `createIdentityPoolAuth`.
 */
import { describe, expect, it } from 'vitest';
import {
  GuestAccessDisabledError,
  type IdentityPoolCredentials,
  LoginFailedError,
  type LoginProvider,
  LoginRequiredError,
  memoryStorage,
  ServiceError,
  sdkTransport,
} from '../../src/index.js';
import { recordEvents, useEmulator } from '../support/emulator.js';

const env = useEmulator();
const FACEBOOK = 'graph.facebook.com';

describe('rule 2: one request however many callers', () => {
  it('a cold start costs one GetId and one GetCredentialsForIdentity', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const credentials = await auth.getCredentials();
    expect(credentials.identityId).toMatch(/^us-east-1:[0-9a-f-]+$/);
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(env.calls(pool).map((c) => c.operation)).toEqual(['GetId', 'GetCredentialsForIdentity']);
  });

  it('1,000 concurrent getCredentials() make 2 calls and 1 identity', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const all = await Promise.all(Array.from({ length: 1000 }, () => auth.getCredentials()));
    expect(new Set(all).size).toBe(1);
    expect(env.calls(pool)).toHaveLength(2);
    expect(env.emulator.identities(pool)).toHaveLength(1);
  });

  it('concurrent getIdentityId() and getCredentials() share the one GetId', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const [id, credentials, id2] = await Promise.all([
      auth.getIdentityId(),
      auth.getCredentials(),
      auth.getIdentityId(),
    ]);
    expect(id).toBe(credentials.identityId);
    expect(id2).toBe(id);
    expect(env.calls(pool, 'GetId')).toHaveLength(1);
  });

  it('getIdentityId() alone makes only GetId, and getCachedIdentityId() is synchronous', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    expect(auth.getCachedIdentityId()).toBeUndefined();
    const id = await auth.getIdentityId();
    expect(auth.getCachedIdentityId()).toBe(id);
    expect(env.calls(pool).map((c) => c.operation)).toEqual(['GetId']);
  });
});

describe('rule 3: the identity is stored before credentials are handed out', () => {
  it('a warm start over the same storage costs one call and keeps the identity', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const before = env.auth({ identityPoolId: pool, storage });
    const first = await before.getCredentials();
    before.stop(); // a restart: one live session per storage namespace
    env.emulator.resetCalls();
    const second = await env.auth({ identityPoolId: pool, storage }).getCredentials();
    expect(second.identityId).toBe(first.identityId);
    expect(env.calls(pool).map((c) => c.operation)).toEqual(['GetCredentialsForIdentity']);
  });

  it('with persistCredentials, a warm start with unexpired credentials costs nothing', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const before = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    const first = await before.getCredentials();
    before.stop();
    env.emulator.resetCalls();
    const second = await env
      .auth({ identityPoolId: pool, storage, persistCredentials: true })
      .getCredentials();
    expect(second).toEqual(first);
    expect(env.calls(pool)).toHaveLength(0);
  });

  it('writes the identity to storage before the credentials resolve', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const seenAtResolve: string[] = [];
    const auth = env.auth({ identityPoolId: pool, storage });
    await auth.getCredentials().then(() => seenAtResolve.push(...storage.keys()));
    expect(seenAtResolve.some((key) => key.includes(pool) && key.endsWith(':identity'))).toBe(true);
  });

  it('never writes credentials to storage unless persistCredentials is on', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const credentials = await env.auth({ identityPoolId: pool, storage }).getCredentials();
    const everything = storage
      .keys()
      .map((k) => storage.getItem(k))
      .join('\n');
    expect(everything).not.toContain(credentials.secretAccessKey);
    expect(everything).not.toContain(credentials.sessionToken);
  });
});

describe('rule 4: login links the guest, or adopts the identity it merges into', () => {
  it('login with a cached guest identity links it: same ID, identityChanged "linked"', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const events = recordEvents(auth);
    const guest = await auth.getCredentials();
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-linker' });
    const signedIn = await auth.login({ providerName: FACEBOOK, token });
    expect(signedIn.identityId).toBe(guest.identityId);
    expect(signedIn.accessKeyId).not.toBe(guest.accessKeyId);
    expect(env.emulator.identity(guest.identityId)).toMatchObject({ authenticated: true, status: 'active' });
    expect(events.filter((e) => e.type === 'identityChanged')).toEqual([
      {
        type: 'identityChanged',
        previousIdentityId: undefined,
        identityId: guest.identityId,
        reason: 'created',
      },
      {
        type: 'identityChanged',
        previousIdentityId: guest.identityId,
        identityId: guest.identityId,
        reason: 'linked',
      },
    ]);
    expect(auth.getState()).toMatchObject({
      status: 'authenticated',
      authenticated: true,
      providers: [FACEBOOK],
    });
    // The GetCredentialsForIdentity that linked carried the guest's ID and the login.
    const link = env.calls(pool, 'GetCredentialsForIdentity')[1];
    expect(link).toMatchObject({ identityId: guest.identityId, loginProviders: [FACEBOOK] });
  });

  it('a second device merges into the identity that owns the login: identityChanged "merged"', async () => {
    const pool = env.pool();
    const token = () => env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-merger' });
    const deviceOne = env.auth({ identityPoolId: pool });
    await deviceOne.getCredentials();
    const owner = (await deviceOne.login({ providerName: FACEBOOK, token: token() })).identityId;

    const storage = memoryStorage();
    const deviceTwo = env.auth({ identityPoolId: pool, storage });
    const events = recordEvents(deviceTwo);
    const guest = (await deviceTwo.getCredentials()).identityId;
    expect(guest).not.toBe(owner);
    const merged = await deviceTwo.login({ providerName: FACEBOOK, token: token() });
    expect(merged.identityId).toBe(owner);
    expect(deviceTwo.getCachedIdentityId()).toBe(owner);
    expect(events.filter((e) => e.type === 'identityChanged').at(-1)).toEqual({
      type: 'identityChanged',
      previousIdentityId: guest,
      identityId: owner,
      reason: 'merged',
    });
    expect(env.emulator.identity(guest)).toMatchObject({ status: 'disabled', mergedInto: owner });
    // The adopted identity was persisted: a restart over the same storage resumes it.
    deviceTwo.stop();
    const restarted = env.auth({ identityPoolId: pool, storage, logins: { [FACEBOOK]: token() } });
    expect((await restarted.getCredentials()).identityId).toBe(owner);
  });

  it('login without any cached identity gets the login’s identity with GetId', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-direct' });
    const credentials = await auth.login({ providerName: FACEBOOK, token });
    expect(env.calls(pool).map((c) => [c.operation, c.loginProviders])).toEqual([
      ['GetId', [FACEBOOK]],
      ['GetCredentialsForIdentity', [FACEBOOK]],
    ]);
    expect(env.emulator.identity(credentials.identityId)?.authenticated).toBe(true);
  });

  it('the logins option starts signed in, with a LoginProvider renewing silently', async () => {
    const pool = env.pool();
    let issued = 0;
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({ token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-option' }) }),
      getToken: async () => {
        issued++;
        return { token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-option' }) };
      },
    };
    const auth = env.auth({ identityPoolId: pool, logins: { [FACEBOOK]: provider } });
    const credentials = await auth.getCredentials();
    expect(issued).toBe(1);
    expect(auth.getState()).toMatchObject({ authenticated: true, identityId: credentials.identityId });
  });
});

describe('logout and clear', () => {
  it('logout forgets the authenticated identity; the next call is a fresh guest', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const auth = env.auth({ identityPoolId: pool, storage });
    let signedOut = 0;
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({ token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-logout' }) }),
      signOut: async () => {
        signedOut++;
      },
    };
    const events = recordEvents(auth);
    const authenticated = await auth.login(provider);
    await auth.logout();
    expect(signedOut).toBe(1);
    expect(auth.getState()).toMatchObject({ status: 'unauthenticated', authenticated: false, providers: [] });
    // Nothing of the identity is left: only the sign-out record, which names no identity.
    expect(storage.keys().filter((key) => key.includes(pool))).toEqual([
      `identity-pool:v1:${pool}:signedOut`,
    ]);
    expect(storage.getItem(`identity-pool:v1:${pool}:signedOut`)).not.toContain(authenticated.identityId);
    expect(events.filter((e) => e.type === 'identityChanged').at(-1)).toMatchObject({
      previousIdentityId: authenticated.identityId,
      identityId: undefined,
      reason: 'logout',
    });
    const guest = await auth.getCredentials();
    expect(guest.identityId).not.toBe(authenticated.identityId);
    expect(env.emulator.identity(guest.identityId)?.authenticated).toBe(false);
    expect(env.calls(pool).at(-2)).toMatchObject({ operation: 'GetId', loginProviders: [] });
  });

  it('a provider whose signOut throws never fails logout(); the failure is an error event', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const events = recordEvents(auth);
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({ token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-throws' }) }),
      signOut: () => {
        throw new Error('FB is not loaded');
      },
    };
    await auth.login(provider);
    await expect(auth.logout()).resolves.toBeUndefined();
    // Reported typed (every emitted error is an IdentityPoolError), the provider's error as cause.
    const errors = events.filter((e) => e.type === 'error').map((e) => e.error as Error & { cause?: Error });
    expect(errors.map((e) => [e.name, e.message, e.cause?.message])).toEqual([
      ['LoginProviderError', 'facebook: signOut failed: FB is not loaded', 'FB is not loaded'],
    ]);
    expect(auth.getState().status).toBe('unauthenticated');
  });

  it('clear() removes exactly this pool’s keys and nothing else', async () => {
    const pool = env.pool();
    const other = env.pool();
    const storage = memoryStorage();
    storage.setItem('my-app:settings', '{"theme":"dark"}');
    await env.auth({ identityPoolId: other, storage, persistCredentials: true }).getCredentials();
    const auth = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    await auth.getCredentials();
    const before = storage.keys();
    await auth.clear();
    // Only the sign-out record of this pool is left (`sign-out-record.ts`: no identity, no secret).
    expect(storage.keys()).toEqual([
      ...before.filter((key) => !key.includes(pool)),
      `identity-pool:v1:${pool}:signedOut`,
    ]);
    expect(storage.getItem('my-app:settings')).toBe('{"theme":"dark"}');
    expect(storage.keys().filter((key) => key.includes(other))).toHaveLength(2);
    expect(auth.getCachedIdentityId()).toBeUndefined();
  });

  it('clearCredentials() keeps the identity and fetches new credentials for it', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const first = await auth.getCredentials();
    await auth.clearCredentials();
    expect(auth.getState().expiration).toBeUndefined();
    const second = await auth.getCredentials();
    expect(second.identityId).toBe(first.identityId);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(env.calls(pool, 'GetId')).toHaveLength(1);
  });
});

describe('rule 5: recovery follows the error, never loops', () => {
  it('a deleted identity is replaced with exactly one new GetId', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const events = recordEvents(auth);
    const first = await auth.getCredentials();
    env.emulator.deleteIdentity(first.identityId);
    const second = await auth.getCredentials({ forceRefresh: true });
    expect(second.identityId).not.toBe(first.identityId);
    expect(env.calls(pool).map((c) => c.operation)).toEqual([
      'GetId',
      'GetCredentialsForIdentity',
      'GetCredentialsForIdentity',
      'GetId',
      'GetCredentialsForIdentity',
    ]);
    expect(events.filter((e) => e.type === 'identityChanged').at(-1)).toMatchObject({
      previousIdentityId: first.identityId,
      identityId: second.identityId,
      reason: 'reset',
    });
  });

  it('a disabled identity is replaced with exactly one new GetId', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const before = env.auth({ identityPoolId: pool, storage });
    const first = await before.getCredentials();
    before.stop();
    env.emulator.disableIdentity(first.identityId);
    env.emulator.resetCalls();
    const second = await env.auth({ identityPoolId: pool, storage }).getCredentials();
    expect(second.identityId).not.toBe(first.identityId);
    expect(env.calls(pool).map((c) => c.operation)).toEqual([
      'GetCredentialsForIdentity',
      'GetId',
      'GetCredentialsForIdentity',
    ]);
  });

  it('login() with an expired token that cannot be renewed → LoginFailedError; the session is as before', async () => {
    // Before issue 12 this signed the session into `loginRequired` (a guest lost guest access).
    // `loginRequired` is for a session already signed in whose token can no longer be renewed.
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const guest = await auth.getCredentials();
    const events = recordEvents(auth);
    const expired = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-expired', expiresInSeconds: -10 });
    const failure = await auth
      .login({ providerName: FACEBOOK, token: expired })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LoginFailedError);
    expect(events.filter((e) => e.type === 'loginRequired')).toEqual([]);
    expect(auth.getState()).toMatchObject({ status: 'credentialed', authenticated: false, providers: [] });
    expect(await auth.getCredentials()).toBe(guest);
    // A fresh login links the same identity.
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-expired' });
    const credentials = await auth.login({ providerName: FACEBOOK, token });
    expect(credentials.identityId).toBe(guest.identityId);
  });

  it('a token the service calls expired is renewed once through the provider, then the call succeeds', async () => {
    const pool = env.pool();
    const tokens = [
      env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-renew', expiresInSeconds: -5 }),
      env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-renew' }),
    ];
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({ token: tokens[0]! }),
      getToken: async () => ({ token: tokens[1]! }),
    };
    const auth = env.auth({ identityPoolId: pool });
    const credentials = await auth.login(provider);
    expect(env.emulator.identity(credentials.identityId)?.authenticated).toBe(true);
    const errors = env.calls(pool).filter((c) => c.errorType);
    expect(errors.map((c) => c.errorType)).toEqual(['NotAuthorizedException']);
  });

  it('guest access disabled → GuestAccessDisabledError with no retry', async () => {
    const pool = env.pool({ allowUnauthenticatedIdentities: false });
    const auth = env.auth({ identityPoolId: pool });
    const error = await auth.getCredentials().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuestAccessDisabledError);
    expect((error as Error).name).toBe('GuestAccessDisabledError');
    expect(env.calls(pool)).toHaveLength(1);
    expect(auth.getState().status).toBe('failed');
  });

  it('a restored authenticated identity without a login → loginRequired, without a network call', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-restart' });
    const before = env.auth({ identityPoolId: pool, storage });
    await before.login({ providerName: FACEBOOK, token });
    before.stop();
    env.emulator.resetCalls();
    const restarted = env.auth({ identityPoolId: pool, storage });
    const events = recordEvents(restarted);
    await expect(restarted.getCredentials()).rejects.toBeInstanceOf(LoginRequiredError);
    expect(events.filter((e) => e.type === 'loginRequired')).toEqual([
      { type: 'loginRequired', providerName: FACEBOOK },
    ]);
    expect(env.calls(pool)).toHaveLength(0);
  });

  it('throttling and 5xx are retried with back-off (3 attempts in all)', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    env.emulator.faults.inject({ kind: 'throttle', operation: 'GetId', count: 2 });
    env.emulator.faults.inject({ kind: 'internal', operation: 'GetCredentialsForIdentity', count: 1 });
    await auth.getCredentials();
    expect(env.calls(pool).map((c) => `${c.operation}:${c.status}`)).toEqual([
      'GetId:400',
      'GetId:400',
      'GetId:200',
      'GetCredentialsForIdentity:500',
      'GetCredentialsForIdentity:200',
    ]);
  });

  it('gives up after 3 attempts, reports an error, and the next call tries again', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const events = recordEvents(auth);
    env.emulator.faults.inject({ kind: 'throttle', operation: 'GetId', count: 3 });
    const error = await auth.getCredentials().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ServiceError', code: 'TooManyRequestsException' });
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
    expect(auth.getState().status).toBe('failed');
    expect(env.calls(pool)).toHaveLength(3);
    await auth.getCredentials();
    expect(env.calls(pool)).toHaveLength(5);
  });

  it('a dropped connection is a NetworkError, retried', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    env.emulator.faults.inject({ kind: 'drop', operation: 'GetId', count: 2 });
    const error = await auth.getCredentials().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NetworkError' });
    await expect(auth.getCredentials()).resolves.toMatchObject({ identityId: expect.any(String) });
  });

  it('an unknown pool is a ServiceError, not retried', async () => {
    const auth = env.auth({ identityPoolId: 'us-east-1:99999999-9999-4999-8999-999999999999' });
    await expect(auth.getCredentials()).rejects.toMatchObject({
      name: 'ServiceError',
      code: 'ResourceNotFoundException',
    });
  });
});

describe('rule 7: no secrets in errors, events or state', () => {
  it('nothing the session emits or reports contains a secret or a login token', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const events = recordEvents(auth);
    const secrets: string[] = [];
    const remember = (c: IdentityPoolCredentials) => secrets.push(c.secretAccessKey, c.sessionToken);
    remember(await auth.getCredentials());
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-secret' });
    secrets.push(token);
    remember(await auth.login({ providerName: FACEBOOK, token }));
    // Errors that echo the request: a token the service refuses, and a malformed Logins map.
    const refused = env.emulator.idp.mintToken(FACEBOOK, {
      subject: 'fb-secret',
      audience: 'x',
      expiresInSeconds: -1,
    });
    secrets.push(refused);
    const errors: unknown[] = [];
    errors.push(await auth.login({ providerName: FACEBOOK, token: refused }).catch((e: unknown) => e));
    const visible = JSON.stringify({
      events: events.map((e) => ({ ...e, error: e.error && { message: (e.error as Error).message } })),
      state: auth.getState(),
      errors: errors.map(
        (e) => e && { message: (e as Error).message, name: (e as Error).name, stack: (e as Error).stack },
      ),
    });
    for (const secret of secrets) expect(visible).not.toContain(secret);
  });

  it('login tokens the service echoes in a validation error are redacted', async () => {
    const pool = env.pool();
    const logins = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`p${i}.example.com`, `tok-${i}-secret`]),
    );
    const transport = sdkTransport({ region: 'us-east-1', endpoint: env.emulator.endpoint });
    const error = (await transport
      .getId({ identityPoolId: pool, logins })
      .catch((e: unknown) => e)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.code).toBe('ValidationException');
    expect(error.serviceMessage).toContain("at 'logins'");
    for (const token of Object.values(logins)) {
      expect(error.message).not.toContain(token);
      expect(error.serviceMessage).not.toContain(token);
    }
  });
});

/**
 * A login is a transaction (issue 12 §2, design.md §7): against the emulator with the real AWS SDK
 * transport. A login the service refuses, an aborted one and one a later login replaced leave the
 * session exactly as it was; a login resolves only with the identity its own token was linked to.
 */
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  type IdentityPoolAuth,
  LoginFailedError,
  type LoginProvider,
  LoginRequiredError,
  memoryStorage,
  ServiceError,
  type StorageAdapter,
} from '../../src/index.js';
import { recordEvents, useEmulator } from '../support/emulator.js';

const env = useEmulator();
const FACEBOOK = 'graph.facebook.com';

/** A memory storage whose every key and value can be read back at once. */
function inspectableStorage() {
  const storage = memoryStorage();
  const snapshot = () => Object.fromEntries(storage.keys().map((key) => [key, storage.getItem(key)]));
  return { storage, snapshot };
}

/** A guest session with credentials, and everything a test compares after a failed login. */
async function guestSession(options: { persistCredentials?: boolean; storage?: StorageAdapter } = {}) {
  const pool = env.pool({ supportedLoginProviders: { [FACEBOOK]: 'my-app' } });
  const { storage, snapshot } = inspectableStorage();
  const auth = env.auth({ identityPoolId: pool, storage: options.storage ?? storage, ...options });
  const guest = await auth.getCredentials();
  const events = recordEvents(auth);
  return { pool, auth, guest, events, state: auth.getState(), stored: snapshot(), snapshot };
}

/**
 * The session is as it was: same state, same credentials with no new request, same storage — and,
 * unless the request reached the service before the caller gave up, the service's identity too.
 */
async function expectUnchanged(
  session: Awaited<ReturnType<typeof guestSession>>,
  { serviceReached = false } = {},
) {
  const { auth, guest, pool, state, stored, snapshot } = session;
  expect(auth.getState()).toEqual(state);
  expect(auth.getState()).toMatchObject({
    authenticated: false,
    providers: [],
    identityId: guest.identityId,
  });
  const before = env.calls(pool).length;
  expect(await auth.getCredentials()).toBe(guest);
  expect(env.calls(pool)).toHaveLength(before);
  expect(snapshot()).toEqual(stored);
  if (!serviceReached)
    expect(env.emulator.identity(guest.identityId)).toMatchObject({ authenticated: false, status: 'active' });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected a rejection');
  return outcome;
}

describe('a login the service refuses', () => {
  const refused: Array<[string, () => string, RegExp]> = [
    ['a garbage token', () => 'not-a-jwt-at-all-0123456789', /Couldn't verify signed token/],
    [
      'an expired token',
      () => env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app', expiresInSeconds: -30 }),
      /Token expired/,
    ],
    [
      'a token for another audience',
      () => env.emulator.idp.mintToken(FACEBOOK, { audience: 'someone-else' }),
      /Incorrect token audience/,
    ],
  ];

  it.each(refused)(
    '%s: LoginFailedError with the service error as cause; the guest session is untouched',
    async (_name, token, serviceMessage) => {
      const session = await guestSession();
      const secret = token();
      const error = await failure(session.auth.login({ providerName: FACEBOOK, token: secret }));
      expect(error).toBeInstanceOf(LoginFailedError);
      expect(error.name).toBe('LoginFailedError');
      expect((error as LoginFailedError).providerName).toBe(FACEBOOK);
      expect(error.cause).toBeInstanceOf(ServiceError);
      expect((error.cause as ServiceError).code).toBe('NotAuthorizedException');
      expect((error.cause as ServiceError).serviceMessage).toMatch(serviceMessage);
      expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(secret);
      expect(session.events).toEqual([{ type: 'error', error }]);
      await expectUnchanged(session);
    },
  );

  it('with persisted credentials, storage keeps the guest identity and credentials', async () => {
    const session = await guestSession({ persistCredentials: true });
    const error = await failure(session.auth.login({ providerName: FACEBOOK, token: 'garbage-token-xyz' }));
    expect(error).toBeInstanceOf(LoginFailedError);
    await expectUnchanged(session);
  });

  it('a login the network fails (after its retries) rolls back too, with the network error as cause', async () => {
    const session = await guestSession();
    env.emulator.faults.inject({ kind: 'drop', operation: 'GetCredentialsForIdentity', count: 3 });
    const token = env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app' });
    const error = await failure(session.auth.login({ providerName: FACEBOOK, token }));
    expect(error).toBeInstanceOf(LoginFailedError);
    expect((error.cause as Error).name).toBe('NetworkError');
    expect(session.events).toEqual([{ type: 'error', error }]);
    await expectUnchanged(session);
  });

  it('a provider whose renewal throws an error quoting the token: the cause is redacted', async () => {
    const session = await guestSession();
    const secret = 'garbage-secret-token-0123456789';
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({ token: secret }),
      getToken: async () => {
        throw new Error(`cannot renew ${secret}`);
      },
    };
    const error = await failure(session.auth.login(provider));
    expect(error).toBeInstanceOf(LoginFailedError);
    expect((error.cause as Error).message).toBe('cannot renew [redacted]');
    expect(
      `${error.message} ${(error.cause as Error).message} ${(error.cause as Error).stack}`,
    ).not.toContain(secret);
    expect(session.events).toEqual([{ type: 'error', error }]);
    await expectUnchanged(session);
  });

  it('a guest identity the service deleted is replaced inside the login (reset), once', async () => {
    const session = await guestSession();
    env.emulator.deleteIdentity(session.guest.identityId);
    const token = env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app', subject: 'after-delete' });
    const credentials = await session.auth.login({ providerName: FACEBOOK, token });
    expect(credentials.identityId).not.toBe(session.guest.identityId);
    expect(env.emulator.identity(credentials.identityId)?.logins).toEqual({ [FACEBOOK]: 'after-delete' });
    expect(session.events.filter((e) => e.type === 'identityChanged')).toEqual([
      {
        type: 'identityChanged',
        previousIdentityId: session.guest.identityId,
        identityId: credentials.identityId,
        reason: 'reset',
      },
    ]);
    expect(Object.values(session.snapshot()).join()).toContain(credentials.identityId);
  });

  it('after a refused login, a good one links the same guest identity', async () => {
    const session = await guestSession();
    await failure(session.auth.login({ providerName: FACEBOOK, token: 'garbage-token-xyz' }));
    const token = env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app', subject: 'after-refusal' });
    const credentials = await session.auth.login({ providerName: FACEBOOK, token });
    expect(credentials.identityId).toBe(session.guest.identityId);
    expect(session.auth.getState()).toMatchObject({ authenticated: true, providers: [FACEBOOK] });
  });

  it('a refused login of a session with no identity yet leaves it with none', async () => {
    const pool = env.pool({ supportedLoginProviders: { [FACEBOOK]: 'my-app' } });
    const { storage, snapshot } = inspectableStorage();
    const auth = env.auth({ identityPoolId: pool, storage });
    await new Promise((resolve) => setTimeout(resolve, 10)); // restored (nothing stored)
    const state = auth.getState();
    expect(state.status).toBe('unauthenticated');
    const error = await failure(auth.login({ providerName: FACEBOOK, token: 'garbage-token-xyz' }));
    expect(error).toBeInstanceOf(LoginFailedError);
    expect((error.cause as ServiceError).operation).toBe('GetId');
    expect(auth.getState()).toEqual(state);
    expect(snapshot()).toEqual({});
    // Guest access still works.
    const guest = await auth.getCredentials();
    expect(env.emulator.identity(guest.identityId)?.authenticated).toBe(false);
  });
});

describe('while a login is pending', () => {
  it('the committed guest credentials keep being served, with no request of their own', async () => {
    const session = await guestSession();
    env.emulator.faults.inject({
      kind: 'latency',
      ms: 100,
      operation: 'GetCredentialsForIdentity',
      count: 1,
    });
    const token = env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app', subject: 'pending' });
    const login = session.auth.login({ providerName: FACEBOOK, token });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(session.auth.getState()).toMatchObject({ status: 'loggingIn', authenticated: false });
    const before = env.calls(session.pool).length;
    expect(await session.auth.getCredentials()).toBe(session.guest);
    expect(env.calls(session.pool)).toHaveLength(before);
    const signedIn = await login;
    expect(signedIn.identityId).toBe(session.guest.identityId);
    expect(await session.auth.getCredentials()).toBe(signedIn);
  });
});

describe('loginRequired keeps its meaning', () => {
  it('a signed-in session needing a login: a refused login() leaves it needing one', async () => {
    const pool = env.pool({ supportedLoginProviders: { [FACEBOOK]: 'my-app' } });
    const storage = memoryStorage();
    const token = env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app', subject: 'returning' });
    const before = env.auth({ identityPoolId: pool, storage });
    const first = await before.login({ providerName: FACEBOOK, token });
    // One live session per storage namespace in a process: the restart comes after it stopped.
    before.stop();
    const restarted = env.auth({ identityPoolId: pool, storage });
    await expect(restarted.getCredentials()).rejects.toBeInstanceOf(LoginRequiredError);
    const state = restarted.getState();
    expect(state).toMatchObject({
      status: 'authenticated',
      authenticated: true,
      identityId: first.identityId,
    });
    const error = await failure(restarted.login({ providerName: FACEBOOK, token: 'garbage-token-xyz' }));
    expect(error).toBeInstanceOf(LoginFailedError);
    expect(restarted.getState()).toEqual(state);
    await expect(restarted.getCredentials()).rejects.toBeInstanceOf(LoginRequiredError);
    // The user's own token signs the same identity back in.
    const again = env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app', subject: 'returning' });
    expect((await restarted.login({ providerName: FACEBOOK, token: again })).identityId).toBe(
      first.identityId,
    );
  });

  it('a failed session: a refused login() leaves it failed, and the next call tries again', async () => {
    const pool = env.pool({ supportedLoginProviders: { [FACEBOOK]: 'my-app' } });
    const auth = env.auth({ identityPoolId: pool });
    env.emulator.faults.inject({ kind: 'internal', operation: 'GetId', count: 3 });
    await expect(auth.getCredentials()).rejects.toMatchObject({ name: 'ServiceError' });
    const state = auth.getState();
    expect(state.status).toBe('failed');
    const error = await failure(auth.login({ providerName: FACEBOOK, token: 'garbage-token-xyz' }));
    expect(error).toBeInstanceOf(LoginFailedError);
    expect(auth.getState()).toEqual(state);
    const guest = await auth.getCredentials();
    expect(env.emulator.identity(guest.identityId)?.authenticated).toBe(false);
  });
});

describe('a still-valid token', () => {
  it('with under a minute left is used when its provider cannot renew it early', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({
        token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'short-lived', expiresInSeconds: 40 }),
        expiresAt: Date.now() + 40_000,
      }),
      getToken: async () => null,
    };
    const credentials = await auth.login(provider);
    expect(env.emulator.identity(credentials.identityId)?.logins).toEqual({ [FACEBOOK]: 'short-lived' });
  });

  it('is used when early renewal throws', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({
        token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'renewal-throws', expiresInSeconds: 40 }),
        expiresAt: Date.now() + 40_000,
      }),
      getToken: async () => {
        throw new Error('the provider is offline');
      },
    };
    const credentials = await auth.login(provider);
    expect(env.emulator.identity(credentials.identityId)?.logins).toEqual({ [FACEBOOK]: 'renewal-throws' });
  });
});

describe('concurrent logins for one provider', () => {
  /** Each promise resolves with its own token's identity, or rejects because a later one replaced it. */
  async function expectOwnIdentities(auth: IdentityPoolAuth, pool: string, users: string[]) {
    const outcomes = await Promise.allSettled(
      users.map((subject) =>
        auth.login({ providerName: FACEBOOK, token: env.emulator.idp.mintToken(FACEBOOK, { subject }) }),
      ),
    );
    const ownerOf = (identityId: string) => env.emulator.identity(identityId)?.logins[FACEBOOK];
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') expect(ownerOf(outcome.value.identityId)).toBe(users[index]);
      else expect((outcome.reason as Error).name).toBe('LoginSupersededError');
    }
    // The last login always wins, and the session holds its identity.
    const last = outcomes[outcomes.length - 1]!;
    expect(last.status).toBe('fulfilled');
    if (last.status === 'fulfilled') expect(auth.getCachedIdentityId()).toBe(last.value.identityId);
    expect(env.emulator.identities(pool).length).toBeGreaterThan(0);
    return outcomes;
  }

  it('login(A) and login(B) never resolve A with B’s identity (guest session)', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    await auth.getCredentials();
    await expectOwnIdentities(auth, pool, ['alice', 'bob']);
  });

  it('login(A) and login(B) never resolve A with B’s identity (no identity yet)', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    await expectOwnIdentities(auth, pool, ['alice', 'bob']);
  });

  it('with a slow service, the earlier login is superseded', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    await auth.getCredentials();
    env.emulator.faults.inject({ kind: 'latency', ms: 100, count: 2 });
    const outcomes = await expectOwnIdentities(auth, pool, ['carol', 'dave', 'erin']);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('the same token twice while its login is pending (a double click): both calls join one login', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const guest = await auth.getCredentials();
    env.emulator.faults.inject({ kind: 'latency', ms: 50, count: 1 });
    const before = env.calls(pool).length;
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'frank' });
    const [first, second] = await Promise.all([
      auth.login({ providerName: FACEBOOK, token }),
      auth.login({ providerName: FACEBOOK, token }),
    ]);
    expect(second).toBe(first);
    expect(first.identityId).toBe(guest.identityId);
    expect(
      env
        .calls(pool)
        .slice(before)
        .map((call) => call.operation),
    ).toEqual(['GetCredentialsForIdentity']);
  });

  it('a joined login is cancelled only when every caller aborts', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const guest = await auth.getCredentials();
    env.emulator.faults.inject({ kind: 'latency', ms: 50, count: 1 });
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'grace' });
    const impatient = new AbortController();
    const first = auth.login({ providerName: FACEBOOK, token }, { signal: impatient.signal });
    const second = auth.login({ providerName: FACEBOOK, token });
    impatient.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const signedIn = await second;
    expect(signedIn.identityId).toBe(guest.identityId);
    expect(auth.getState()).toMatchObject({ authenticated: true, providers: [FACEBOOK] });
  });
});

describe('an aborted login', () => {
  it('aborted during signIn(): nothing is sent and nothing changes', async () => {
    const session = await guestSession();
    const controller = new AbortController();
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => {
        controller.abort();
        return { token: env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app' }) };
      },
    };
    const before = env.calls(session.pool).length;
    const error = await failure(session.auth.login(provider, { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortError);
    expect(env.calls(session.pool)).toHaveLength(before);
    expect(session.events).toEqual([]);
    await expectUnchanged(session);
  });

  it('aborted during the request: the session stays a guest', async () => {
    const session = await guestSession({ persistCredentials: true });
    env.emulator.faults.inject({
      kind: 'latency',
      ms: 150,
      operation: 'GetCredentialsForIdentity',
      count: 1,
    });
    const controller = new AbortController();
    const token = env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app' });
    const login = session.auth.login({ providerName: FACEBOOK, token }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await failure(login)).toBeInstanceOf(AbortError);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the response would have arrived
    expect(session.events).toEqual([]);
    // The service got the request and linked the login (no client can call that back); the
    // session does not take it.
    await expectUnchanged(session, { serviceReached: true });
  });

  it('aborted after the response, while the identity is being saved: storage is put back', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const controller = new AbortController();
    let holdWrites = false;
    let releaseWrites: () => void = () => {};
    // An asynchronous adapter whose writes wait until the test lets them go.
    const slow: StorageAdapter = {
      getItem: (key) => storage.getItem(key),
      async setItem(key, value) {
        if (holdWrites) {
          controller.abort();
          await new Promise<void>((resolve) => {
            releaseWrites = resolve;
          });
        }
        storage.setItem(key, value);
      },
      removeItem: (key) => storage.removeItem(key),
    };
    const auth = env.auth({ identityPoolId: pool, storage: slow, persistCredentials: true });
    const guest = await auth.getCredentials();
    const events = recordEvents(auth);
    const state = auth.getState();
    const stored = Object.fromEntries(storage.keys().map((key) => [key, storage.getItem(key)]));
    holdWrites = true;
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'saved-then-aborted' });
    const login = auth.login({ providerName: FACEBOOK, token }, { signal: controller.signal });
    expect(await failure(login)).toBeInstanceOf(AbortError);
    holdWrites = false;
    releaseWrites();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([]);
    expect(auth.getState()).toEqual(state);
    expect(await auth.getCredentials()).toBe(guest);
    expect(Object.fromEntries(storage.keys().map((key) => [key, storage.getItem(key)]))).toEqual(stored);
  });

  it('logout() during a login: the login rejects with AbortError and nothing of it lands', async () => {
    const session = await guestSession();
    env.emulator.faults.inject({
      kind: 'latency',
      ms: 100,
      operation: 'GetCredentialsForIdentity',
      count: 1,
    });
    const token = env.emulator.idp.mintToken(FACEBOOK, { audience: 'my-app' });
    const login = session.auth.login({ providerName: FACEBOOK, token });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await session.auth.logout();
    expect(await failure(login)).toBeInstanceOf(AbortError);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(session.auth.getState()).toMatchObject({ identityId: undefined, authenticated: false });
    // Only the sign-out record the logout wrote (no identity, no secret): nothing of the login.
    const left = session.snapshot();
    expect(Object.keys(left)).toEqual([expect.stringMatching(/:signedOut$/)]);
    expect(Object.values(left).join()).not.toContain(session.guest.identityId);
  });
});

/**
 * Interactions of the merged failure paths (issues 12 and 16): each feature was tested alone, so
 * these attack the guarantees of docs/security.md that span two of them — sign-out records with
 * logins, leases with undo, storage time-outs with the sign-out record, redaction after logout,
 * the namespace guard with tab coordination, request deadlines with the login transaction,
 * untrusted storage with the sign-out record. Against the emulator over the real SDK transport,
 * with the test adapters of test/support where a timing must be forced.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  createIdentityPoolAuth,
  type IdentityPoolAuth,
  type StorageAdapter,
} from '../../src/index.js';
import { storageKeys } from '../../src/storage/session-store.js';
import type { CognitoIdentityTransport } from '../../src/types.js';
import { recordEvents, useEmulator } from '../support/emulator.js';
import { IDENTITY_A, IDENTITY_B, POOL_ID, serviceErrors } from '../support/fixtures.js';
import { findSecrets } from '../support/secret-scan.js';
import { sharedStorage } from '../support/shared-storage.js';
import { origin } from '../support/tab-scope.js';

const env = useEmulator();
const FACEBOOK = 'graph.facebook.com';
const keysOf = (pool: string) => storageKeys('identity-pool', pool);

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A memory adapter whose calls on chosen keys can be made to fail or to wait for a release. */
function controllableAdapter() {
  const items = new Map<string, string>();
  const held: Array<() => void> = [];
  let failOn: ((key: string) => boolean) | undefined;
  let holdSetOn: ((key: string) => boolean) | undefined;
  const adapter: StorageAdapter = {
    async getItem(key) {
      if (failOn?.(key)) throw new Error(`getItem ${key} refused`);
      return items.get(key) ?? null;
    },
    async setItem(key, value) {
      if (failOn?.(key)) throw new Error(`setItem ${key} refused: ${value}`);
      if (holdSetOn?.(key)) await new Promise<void>((resolve) => held.push(resolve));
      items.set(key, value);
    },
    async removeItem(key) {
      if (failOn?.(key)) throw new Error(`removeItem ${key} refused`);
      items.delete(key);
    },
  };
  return {
    adapter,
    items,
    failOn: (test: (key: string) => boolean) => {
      failOn = test;
    },
    holdSetOn: (test: ((key: string) => boolean) | undefined) => {
      holdSetOn = test;
    },
    /** Lets every held write land. */
    release: () => {
      for (const resolve of held.splice(0)) resolve();
    },
    heldCount: () => held.length,
  };
}

const until = async (condition: () => boolean, ms = 2_000) => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe('the sign-out record under hostile storage', () => {
  it('an adapter that throws on the sign-out record key: logout() resolves, the keys are gone, a StorageError is reported, nothing secret in it', async () => {
    const pool = env.pool();
    const store = controllableAdapter();
    const auth = env.auth({ identityPoolId: pool, storage: store.adapter, persistCredentials: true });
    const events = recordEvents(auth);
    const alice = await auth.login({
      providerName: FACEBOOK,
      token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'alice' }),
    });
    const secrets = [alice.secretAccessKey, alice.sessionToken];
    store.failOn((key) => key === keysOf(pool).signedOut);

    await auth.logout();
    expect(store.items.has(keysOf(pool).identity)).toBe(false);
    expect(store.items.has(keysOf(pool).credentials)).toBe(false);
    await until(() => events.some((event) => event.type === 'error'));
    const errors = events.filter((event) => event.type === 'error').map((event) => event.error);
    expect(errors).toContainEqual(expect.objectContaining({ name: 'StorageError', operation: 'setItem' }));
    expect(findSecrets(events, secrets)).toEqual([]);

    // The record can be neither read nor written: the session goes on as a fresh guest, and a
    // failed read of it is no news (never a sign-out of what it holds).
    const guest = await auth.getCredentials();
    expect(guest.identityId).not.toBe(alice.identityId);
    const again = await auth.getCredentials({ forceRefresh: true });
    expect(again.identityId).toBe(guest.identityId);
    expect(JSON.parse(store.items.get(keysOf(pool).identity) ?? '{}').identityId).toBe(guest.identityId);
  });

  it('storageTimeoutMs expiring on the sign-out record write: logout() resolves within it, and the late record is never news to the session that wrote it', async () => {
    const pool = env.pool();
    const store = controllableAdapter();
    const auth = env.auth({ identityPoolId: pool, storage: store.adapter, storageTimeoutMs: 100 });
    const events = recordEvents(auth);
    const first = await auth.getIdentityId();
    store.holdSetOn((key) => key === keysOf(pool).signedOut);

    const started = Date.now();
    await auth.logout();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1_000);
    expect(store.heldCount()).toBe(1);
    await until(() => events.some((event) => event.type === 'error'));
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'error',
        error: expect.objectContaining({ name: 'StorageError', key: keysOf(pool).signedOut }),
      }),
    );

    // A new guest while the record is still on its way; then it lands.
    store.holdSetOn(undefined);
    const guest = await auth.getCredentials();
    expect(guest.identityId).not.toBe(first);
    store.release();
    await until(() => store.items.has(keysOf(pool).signedOut));

    // Its own late record does not sign the session out of the guest it made since.
    const refreshed = await auth.getCredentials({ forceRefresh: true });
    expect(refreshed.identityId).toBe(guest.identityId);
    expect(auth.getState().identityId).toBe(guest.identityId);
    expect(
      events.filter((event) => event.type === 'identityChanged' && event.reason === 'logout'),
    ).toHaveLength(1);
  });
});

describe('logins racing sign-outs recorded by another session', () => {
  it('a login whose identity write was in flight when another process logged out: it is served until the next request, then signed out, and nobody restores it', async () => {
    const pool = env.pool();
    const shared = sharedStorage();
    let holdIdentity = false;
    let release: (() => void) | undefined;
    const a = env.auth({ identityPoolId: pool, storage: shared.adapter() });
    await a.getCredentials();
    const b = env.auth({
      identityPoolId: pool,
      storage: shared.adapter({
        beforeSet: (key) =>
          holdIdentity && key === keysOf(pool).identity
            ? new Promise<void>((resolve) => {
                release = resolve;
              })
            : undefined,
      }),
    });
    await b.getCredentials();
    holdIdentity = true;
    const login = b.login({
      providerName: FACEBOOK,
      token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'bob' }),
    });
    await until(() => release !== undefined);
    await a.logout();
    holdIdentity = false;
    release?.();
    const bob = await login;
    // The write landed after A's record: it names the record it was obtained under, so it is
    // older than A's sign-out.
    expect(JSON.parse(shared.items.get(keysOf(pool).identity) ?? '{}').identityId).toBe(bob.identityId);

    await expect(b.getCredentials({ forceRefresh: true })).rejects.toMatchObject({ name: 'SignedOutError' });
    // A third process starting now does not restore Bob.
    const c = env.auth({ identityPoolId: pool, storage: shared.adapter() });
    expect((await c.getCredentials()).identityId).not.toBe(bob.identityId);
  });
});

describe('the login transaction with deadlines, aborts and clears', () => {
  it('the request deadline firing on a login’s GetId: LoginFailedError with a NetworkError cause, the session and storage as before', async () => {
    const pool = env.pool();
    const store = controllableAdapter();
    // The SDK is loaded on first use, inside the first request's deadline: load it first.
    await env.auth({ identityPoolId: env.pool() }).getIdentityId();
    const auth = env.auth({
      identityPoolId: pool,
      storage: store.adapter,
      requestTimeoutMs: 200,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const events = recordEvents(auth);
    await until(() => auth.getState().status !== 'restoring');
    const before = auth.getState();
    env.emulator.faults.inject({ kind: 'latency', ms: 5_000, operation: 'GetId', count: 2 });
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'carol' });
    const error = await auth.login({ providerName: FACEBOOK, token }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'LoginFailedError',
      cause: expect.objectContaining({ name: 'NetworkError' }),
    });
    expect(auth.getState()).toEqual(before);
    expect([...store.items.keys()]).toEqual([]);
    expect(findSecrets([events, error, auth.getState()], [token])).toEqual([]);
    // The next login is a fresh transaction.
    const carol = await auth.login({ providerName: FACEBOOK, token });
    expect(auth.getState()).toMatchObject({ authenticated: true, identityId: carol.identityId });
  });

  it('abort of a joined double-click login racing logout(): every caller rejects, nothing is written after logout() resolves, the next login is its own', async () => {
    const pool = env.pool();
    const store = controllableAdapter();
    // The held write times out (then its late landing is undone): logout() does not wait for it.
    const auth = env.auth({
      identityPoolId: pool,
      storage: store.adapter,
      persistCredentials: true,
      storageTimeoutMs: 200,
    });
    await auth.getCredentials();
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'dave' });
    store.holdSetOn((key) => key === keysOf(pool).identity);
    const first = new AbortController();
    const second = new AbortController();
    const one = auth.login({ providerName: FACEBOOK, token }, { signal: first.signal });
    const two = auth.login({ providerName: FACEBOOK, token }, { signal: second.signal });
    const settled = Promise.allSettled([one, two]);
    await until(() => store.heldCount() === 1);
    first.abort();
    const logout = auth.logout();
    second.abort();
    await logout;
    const [r1, r2] = await settled;
    expect(r1).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ name: 'AbortError' }) });
    expect(r2).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ name: 'AbortError' }) });
    store.holdSetOn(undefined);
    store.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The held identity write landed late — but logout's removes are queued behind it.
    expect(store.items.has(keysOf(pool).identity)).toBe(false);
    expect(store.items.has(keysOf(pool).credentials)).toBe(false);
    expect(auth.getState()).toMatchObject({ authenticated: false });

    const dave = await auth.login({
      providerName: FACEBOOK,
      token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'dave' }),
    });
    expect(auth.getState()).toMatchObject({ authenticated: true, identityId: dave.identityId });
  });

  it('clear() during a login’s undo: when it resolves no key holds a value, and the undo writes nothing after', async () => {
    const pool = env.pool();
    const store = controllableAdapter();
    const auth = env.auth({ identityPoolId: pool, storage: store.adapter, persistCredentials: true });
    await auth.getCredentials();
    const controller = new AbortController();
    store.holdSetOn((key) => key === keysOf(pool).identity);
    const login = auth
      .login(
        { providerName: FACEBOOK, token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'erin' }) },
        { signal: controller.signal },
      )
      .catch((e: unknown) => e);
    await until(() => store.heldCount() === 1);
    controller.abort();
    expect(await login).toMatchObject({ name: 'AbortError' });
    // The save's write lands; the undo's write of the guest is then held too.
    store.release();
    await until(() => store.heldCount() === 1);
    const cleared = auth.clear();
    store.holdSetOn(undefined);
    store.release();
    await cleared;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.items.has(keysOf(pool).identity)).toBe(false);
    expect(store.items.has(keysOf(pool).credentials)).toBe(false);
  });
});

describe('two sessions over one adapter object', () => {
  function stubTabs() {
    const scope = origin().scope();
    vi.stubGlobal('navigator', scope.navigator);
    vi.stubGlobal('BroadcastChannel', scope.BroadcastChannel);
    vi.stubGlobal('importScripts', scope.importScripts);
  }
  const sessions: IdentityPoolAuth[] = [];
  afterEach(() => {
    for (const session of sessions.splice(0)) session.stop();
  });
  const create = (storage: StorageAdapter, coordinateTabs: boolean) => {
    const session = createIdentityPoolAuth({
      identityPoolId: 'us-east-1:00000000-0000-4000-8000-0000000000aa',
      endpoint: env.emulator.endpoint,
      storage,
      coordinateTabs,
    });
    sessions.push(session);
    return session;
  };

  it('tabs mode beside tabs mode coordinate (both allowed)', () => {
    stubTabs();
    const storage = controllableAdapter().adapter;
    expect(create(storage, true).getState().coordination).toBe('tabs');
    expect(create(storage, true).getState().coordination).toBe('tabs');
  });

  it('a session on its own beside a coordinating tab on the same adapter is refused, whichever comes first', () => {
    stubTabs();
    const first = controllableAdapter().adapter;
    create(first, true);
    expect(() => create(first, false)).toThrow(ConfigurationError);
    const second = controllableAdapter().adapter;
    create(second, false);
    expect(() => create(second, true)).toThrow(ConfigurationError);
    expect(() => create(second, true)).toThrow(/storageKeyPrefix "identity-pool"/);
  });
});

describe('planted storage and the sign-out record', () => {
  it('an identity and credentials of another region planted beside a sign-out record are discarded; the new guest is stored under that record', async () => {
    const pool = env.pool();
    const store = controllableAdapter();
    const keys = keysOf(pool);
    const foreign = 'eu-west-1:aaaaaaaa-0000-4000-8000-000000000000';
    store.items.set(keys.signedOut, JSON.stringify({ v: 1, id: 'planted-record-1', at: 1 }));
    store.items.set(
      keys.identity,
      JSON.stringify({
        v: 2,
        pool,
        region: 'us-east-1',
        identityId: foreign,
        authenticated: true,
        providers: [FACEBOOK],
        m: 'planted-record-1',
      }),
    );
    store.items.set(
      keys.credentials,
      JSON.stringify({
        v: 2,
        pool,
        region: 'eu-west-1',
        identityId: foreign,
        accessKeyId: 'ASIAPLANTED',
        secretAccessKey: 'planted-secret',
        sessionToken: 'planted-token',
        expiration: Date.now() + 3_600_000,
      }),
    );
    const auth = env.auth({ identityPoolId: pool, storage: store.adapter, persistCredentials: true });
    const events = recordEvents(auth);
    const credentials = await auth.getCredentials();
    expect(credentials.identityId).not.toBe(foreign);
    expect(credentials.accessKeyId).not.toBe('ASIAPLANTED');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'error', error: expect.objectContaining({ name: 'StorageError' }) }),
    );
    const stored = JSON.parse(store.items.get(keys.identity) ?? '{}');
    expect(stored).toMatchObject({ identityId: credentials.identityId, m: 'planted-record-1' });
    expect(JSON.parse(store.items.get(keys.credentials) ?? '{}').identityId).toBe(credentials.identityId);
    expect(JSON.parse(store.items.get(keys.signedOut) ?? '{}').id).toBe('planted-record-1');
  });
});

describe('hostile adapter answers', () => {
  /** An answer whose `then` getter throws: reading it to see whether it is a promise throws. */
  const trap = (message: string) =>
    ({
      // biome-ignore lint/suspicious/noThenProperty: the hostile thenable is what is under test
      get then(): never {
        throw new Error(message);
      },
    }) as unknown as Promise<never>;

  it('an answer whose `then` getter throws counts as a failed call: reported, and later calls on the key still run', async () => {
    const pool = env.pool();
    const store = controllableAdapter();
    let reads = 0;
    let writes = 0;
    const storage: StorageAdapter = {
      getItem: (key) => (reads++ === 0 ? trap('getItem trapped') : store.adapter.getItem(key)),
      setItem: (key, value) => (writes++ === 0 ? trap('setItem trapped') : store.adapter.setItem(key, value)),
      removeItem: (key) => store.adapter.removeItem(key),
    };
    const auth = env.auth({ identityPoolId: pool, storage });
    const events = recordEvents(auth);
    const first = await auth.getCredentials();
    const again = await auth.getCredentials({ forceRefresh: true });
    expect(again.identityId).toBe(first.identityId);
    // The trapped write was followed by a working one: the identity key is not wedged.
    expect(JSON.parse(store.items.get(keysOf(pool).identity) ?? '{}').identityId).toBe(first.identityId);
    await until(() => events.filter((event) => event.type === 'error').length >= 2);
    const errors = events.filter((event) => event.type === 'error').map((event) => event.error);
    expect(errors).toEqual([
      expect.objectContaining({ name: 'StorageError', operation: 'getItem' }),
      expect.objectContaining({ name: 'StorageError', operation: 'setItem' }),
    ]);
    await auth.logout();
    expect(store.items.has(keysOf(pool).identity)).toBe(false);
  });
});

describe('redaction after logout() forgot the secrets', () => {
  it('a pending login’s request that fails after logout() quoting its token (message, cause, plain object) leaks it nowhere', async () => {
    const token = 'pending-login-token-0123456789';
    let fail: (() => void) | undefined;
    const transport: CognitoIdentityTransport = {
      getId: async () => ({ identityId: IDENTITY_A }),
      getCredentialsForIdentity: async (input) => {
        if (!Object.values(input.logins ?? {}).includes(token))
          return {
            identityId: IDENTITY_A,
            credentials: {
              accessKeyId: 'ASIAGUEST',
              secretAccessKey: 'guest-secret-key',
              sessionToken: 'guest-session-token',
              expiration: new Date(Date.now() + 3_600_000),
            },
          };
        await new Promise<void>((resolve) => {
          fail = resolve;
        });
        throw Object.assign(new Error(`Invalid login token ${token}`), {
          cause: { quoted: token, logins: { [FACEBOOK]: token } },
          token,
        });
      },
    };
    const auth = createIdentityPoolAuth({ identityPoolId: POOL_ID, transport, retry: { maxAttempts: 1 } });
    try {
      const events = recordEvents(auth);
      const outcomes: unknown[] = [];
      await auth.getCredentials();
      const login = auth.login({ providerName: FACEBOOK, token }).catch((e: unknown) => e);
      await until(() => fail !== undefined);
      await auth.logout();
      outcomes.push(await login);
      fail?.();
      // The guest after the logout, and time for whatever the late failure still emits.
      outcomes.push(await auth.getCredentials().catch((e: unknown) => e));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(outcomes[0]).toMatchObject({ name: 'AbortError' });
      expect(
        findSecrets([events, outcomes, auth.getState(), JSON.stringify(auth.getState())], [token]),
      ).toEqual([]);
    } finally {
      auth.stop();
    }
  });
});

describe('restart while a login’s save is in flight', () => {
  it('stop() while the identity is being written: the login rejects, and nothing more is written after stop()', async () => {
    const pool = env.pool();
    const store = controllableAdapter();
    const writes: string[] = [];
    const storage: StorageAdapter = {
      getItem: (key) => store.adapter.getItem(key),
      setItem: (key, value) => {
        writes.push(key);
        return store.adapter.setItem(key, value);
      },
      removeItem: (key) => store.adapter.removeItem(key),
    };
    const auth = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
    const guest = await auth.getCredentials();
    store.holdSetOn((key) => key === keysOf(pool).identity);
    const login = auth
      .login({ providerName: FACEBOOK, token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'frank' }) })
      .catch((e: unknown) => e);
    await until(() => store.heldCount() === 1);
    auth.stop();
    expect(await login).toMatchObject({ name: 'StoppedError' });
    const sentAtStop = writes.length;
    store.holdSetOn(undefined);
    store.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The write already with the adapter lands; the credentials' write queued behind it is not sent.
    expect(writes.slice(sentAtStop)).toEqual([]);
    expect(JSON.parse(store.items.get(keysOf(pool).credentials) ?? '{}').identityId).toBe(guest.identityId);
  });
});

describe('a failed login does not swallow a sign-out recorded elsewhere', () => {
  /**
   * The service: IDENTITY_A for the guest, which Bob's login cannot link (it resets it); his own
   * identity is IDENTITY_B, or his token is refused (`refuseBob`).
   */
  const transport = ({ refuseBob = true } = {}): CognitoIdentityTransport => ({
    getId: async (input) => {
      if (Object.keys(input.logins ?? {}).length === 0) return { identityId: IDENTITY_A };
      if (refuseBob) throw serviceErrors.tokenExpired('GetId');
      return { identityId: IDENTITY_B };
    },
    getCredentialsForIdentity: async (input) => {
      const withLogins = Object.keys(input.logins ?? {}).length > 0;
      if (withLogins && input.identityId === IDENTITY_A) throw serviceErrors.identityForbidden(IDENTITY_A);
      return {
        identityId: input.identityId,
        credentials: {
          accessKeyId: 'ASIAGUEST',
          secretAccessKey: 'guest-secret-key',
          sessionToken: 'guest-session-token',
          expiration: new Date(Date.now() + 3_600_000),
        },
      };
    },
  });

  it('a login that reset the identity and then failed still ends the identity another process signed out', async () => {
    const shared = sharedStorage();
    const sessions = [0, 1].map(() =>
      createIdentityPoolAuth({
        identityPoolId: POOL_ID,
        transport: transport({ refuseBob: true }),
        storage: shared.adapter(),
        retry: { maxAttempts: 1 },
      }),
    );
    const [a, b] = sessions as [IdentityPoolAuth, IdentityPoolAuth];
    try {
      expect((await a.getCredentials()).identityId).toBe(IDENTITY_A);
      expect((await b.getCredentials()).identityId).toBe(IDENTITY_A);
      await a.logout();
      // B's login reads the storage's sign-out record as the one its new identity would be obtained
      // under — and then fails.
      const failed = await b.login({ providerName: FACEBOOK, token: 'bobs-token' }).catch((e: unknown) => e);
      expect(failed).toMatchObject({ name: 'LoginFailedError' });
      // B still holds the identity A signed out: its next request must end it.
      await expect(b.getCredentials({ forceRefresh: true })).rejects.toMatchObject({
        name: 'SignedOutError',
      });
      // …and never wrote it back where A (or anyone) would restore it.
      expect(shared.items.has(storageKeys('identity-pool', POOL_ID).identity)).toBe(false);
    } finally {
      for (const session of sessions) session.stop();
    }
  });

  it('a login that reset the identity and succeeded keeps its new identity past the next refresh', async () => {
    const shared = sharedStorage();
    const sessions = [0, 1].map(() =>
      createIdentityPoolAuth({
        identityPoolId: POOL_ID,
        transport: transport({ refuseBob: false }),
        storage: shared.adapter(),
        retry: { maxAttempts: 1 },
      }),
    );
    const [a, b] = sessions as [IdentityPoolAuth, IdentityPoolAuth];
    try {
      await a.getCredentials();
      await b.getCredentials();
      await a.logout();
      const bob = await b.login({ providerName: FACEBOOK, token: 'bobs-token' });
      expect(bob.identityId).toBe(IDENTITY_B);
      // Obtained under A's sign-out record: that record is no news to it.
      expect((await b.getCredentials({ forceRefresh: true })).identityId).toBe(IDENTITY_B);
      expect(b.getState()).toMatchObject({ authenticated: true, identityId: IDENTITY_B });
    } finally {
      for (const session of sessions) session.stop();
    }
  });
});

/**
 * The public API raced after the facade was split into parts sharing one `SessionScope`
 * (auth-*.ts, login-*.ts): a flag, counter or snapshot copied by value into a part, a listener
 * registered twice or never removed, or a changed order in logout/stop would show here. Against
 * the emulator over the real SDK transport, with the timing adapters of test/support. Every
 * test also asserts that no promise was left rejected without a handler.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CognitoIdentityTransport,
  type IdentityPoolAuth,
  type IdentityPoolCredentials,
  IdentityPoolError,
  type LoginProvider,
  memoryStorage,
  StoppedError,
  type StorageAdapter,
  sdkTransport,
} from '../../src/index.js';
import { storageKeys } from '../../src/storage/session-store.js';
import { fifoAdapter, slowWriteAdapter, syncAdapter, type TestAdapter } from '../support/adapters.js';
import { recordEvents, useEmulator } from '../support/emulator.js';
import { findSecrets } from '../support/secret-scan.js';
import { sharedStorage } from '../support/shared-storage.js';
import { origin } from '../support/tab-scope.js';

const env = useEmulator();
const FACEBOOK = 'graph.facebook.com';
const GOOGLE = 'accounts.google.com';
const keysOf = (pool: string) => storageKeys('identity-pool', pool);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  // Rejections are reported after the microtask queue drains: give them a turn.
  await sleep(20);
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const token = (provider: string, subject: string) => env.emulator.idp.mintToken(provider, { subject });

/** The outcome of a call: what it resolved with, or the error it rejected with. */
async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** Every rejection is one of the library's errors and carries none of `secrets`. */
function expectSafeRejections(outcomes: Array<{ error?: unknown }>, secrets: string[]) {
  for (const { error } of outcomes) {
    if (error === undefined) continue;
    expect(error).toBeInstanceOf(IdentityPoolError);
  }
  expect(findSecrets(outcomes, secrets)).toEqual([]);
}

/** The pool's keys holding a value, the sign-out record aside (it is what a logout leaves). */
function heldKeys(adapter: TestAdapter, pool: string) {
  const { signedOut } = keysOf(pool);
  return [...adapter.items.keys()].filter((key) => key.includes(pool) && key !== signedOut);
}

describe.each([
  ['slow writes', () => slowWriteAdapter(40)],
  ['FIFO', () => fifoAdapter(10)],
])('logout() racing the session (%s)', (_name, makeAdapter) => {
  it('during a refresh: no key holds a value once it resolves, and none lands afterwards', async () => {
    const pool = env.pool();
    const adapter = makeAdapter();
    const auth = env.auth({ identityPoolId: pool, storage: adapter, persistCredentials: true });
    const alice = await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') });
    await adapter.drain();

    const refresh = outcome(auth.getCredentials({ forceRefresh: true }));
    await sleep(2);
    await auth.logout();
    expect(heldKeys(adapter, pool)).toEqual([]);
    const result = await refresh;
    expect(result.value?.identityId).not.toBe(alice.identityId);
    expectSafeRejections([result], [alice.secretAccessKey, alice.sessionToken]);
    await adapter.drain();
    await sleep(50);
    await adapter.drain();
    expect(heldKeys(adapter, pool)).toEqual([]);
  });

  it('with a storm of getCredentials: no caller gets the signed-out identity, storage never holds it again', async () => {
    const pool = env.pool();
    const adapter = makeAdapter();
    const auth = env.auth({ identityPoolId: pool, storage: adapter, persistCredentials: true });
    const alice = await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') });
    await adapter.drain();

    const logout = auth.logout();
    const storm = Array.from({ length: 30 }, (_, i) =>
      outcome(auth.getCredentials(i % 3 === 0 ? { forceRefresh: true } : undefined)),
    );
    await logout;
    const after = await Promise.all(storm);
    for (const { value } of after) expect(value?.identityId).not.toBe(alice.identityId);
    expectSafeRejections(after, [alice.secretAccessKey, alice.sessionToken]);
    await adapter.drain();
    expect([...adapter.items.values()].join()).not.toContain(alice.identityId);
  });

  it('during a login: the login rejects typed, and the login it began never lands', async () => {
    const pool = env.pool();
    const adapter = makeAdapter();
    const auth = env.auth({ identityPoolId: pool, storage: adapter, persistCredentials: true });
    await auth.getCredentials();
    await adapter.drain();
    const alice = token(FACEBOOK, 'alice');
    const login = outcome(auth.login({ providerName: FACEBOOK, token: alice }));
    await sleep(5);
    await auth.logout();
    const result = await login;
    expect(result.error).toBeInstanceOf(IdentityPoolError);
    expectSafeRejections([result], [alice]);
    await adapter.drain();
    expect([...adapter.items.values()].join()).not.toContain(alice);
    expect(auth.getState().providers).toEqual([]);
  });
});

describe('concurrent logins', () => {
  it('two different tokens at once: each caller gets its own token’s identity', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const [a, b] = await Promise.all([
      outcome(auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') })),
      outcome(auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'bob') })),
    ]);
    const ownerOf = (credentials: IdentityPoolCredentials | undefined) =>
      credentials && env.emulator.identity(credentials.identityId)?.logins?.[FACEBOOK];
    if (a.value) expect(ownerOf(a.value)).toBe('alice');
    if (b.value) expect(ownerOf(b.value)).toBe('bob');
    expectSafeRejections([a, b], []);
    expect(a.value ?? b.value).toBeDefined();
  });

  it('the same token twice: both resolve with one identity; an aborted third leaves the session as it was', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const guest = await auth.getIdentityId();
    const alice = token(FACEBOOK, 'alice');
    const [a, b] = await Promise.all([
      auth.login({ providerName: FACEBOOK, token: alice }),
      auth.login({ providerName: FACEBOOK, token: alice }),
    ]);
    expect(a.identityId).toBe(b.identityId);
    const controller = new AbortController();
    const aborted = outcome(
      auth.login({ providerName: GOOGLE, token: token(GOOGLE, 'g') }, { signal: controller.signal }),
    );
    controller.abort();
    expect((await aborted).error).toMatchObject({ name: 'AbortError' });
    await sleep(30);
    expect(auth.getState()).toMatchObject({ identityId: a.identityId, providers: [FACEBOOK] });
    expect(guest).toBeDefined();
  });
});

describe('stop() in the middle of work', () => {
  it('during a login, a refresh and a logout: every call rejects typed; no write is sent afterwards', async () => {
    const pool = env.pool();
    const adapter = fifoAdapter(10);
    const auth = env.auth({ identityPoolId: pool, storage: adapter, persistCredentials: true });
    await auth.getCredentials();
    await adapter.drain();
    let writesAfterStop = 0;
    let stopped = false;
    adapter.onSetItem = () => {
      if (stopped) writesAfterStop++;
    };
    const calls = [
      outcome(auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') })),
      outcome(auth.getCredentials({ forceRefresh: true })),
      outcome(auth.getIdentityId()),
    ];
    await sleep(3);
    auth.stop();
    stopped = true;
    const results = await Promise.all(calls);
    for (const result of results.slice(0, 2)) expect(result.error).toBeInstanceOf(StoppedError);
    expectSafeRejections(results, []);
    await sleep(100);
    await adapter.drain();
    expect(writesAfterStop).toBe(0);
    await expect(auth.logout()).rejects.toBeInstanceOf(StoppedError);
    await expect(auth.clearCredentials()).rejects.toBeInstanceOf(StoppedError);
  });

  it('during removeLogin(): it rejects with StoppedError, and the provider is not signed out after stop()', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    let signOuts = 0;
    const google: LoginProvider = {
      id: 'google',
      loginsKey: GOOGLE,
      signIn: async () => ({ token: token(GOOGLE, 'g-stop') }),
      signOut: async () => {
        signOuts++;
      },
    };
    await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'fb-stop') });
    await auth.login(google);
    const removing = outcome(auth.removeLogin(GOOGLE));
    auth.stop();
    const result = await removing;
    expect(result.error).toBeInstanceOf(StoppedError);
    expect(signOuts).toBe(0);
  });

  it('leaves no abort listener on a long-lived signal and no timer running', async () => {
    const pool = env.pool();
    const timers = new Set<unknown>();
    const clock = {
      now: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => {
        const id = setTimeout(() => {
          timers.delete(id);
          fn();
        }, ms);
        timers.add(id);
        return id;
      },
      clearTimeout: (id: unknown) => {
        timers.delete(id);
        clearTimeout(id as ReturnType<typeof setTimeout>);
      },
    };
    const auth = env.auth({ identityPoolId: pool, clock });
    const controller = new AbortController();
    let listening = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listening++;
      add(...args);
    }) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listening--;
      remove(...args);
    }) as typeof remove;
    const signal = controller.signal;
    for (let i = 0; i < 20; i++) {
      await auth.getCredentials({ forceRefresh: true, signal });
      await auth.getIdentityId({ signal });
    }
    await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'leak') }, { signal });
    expect(listening).toBe(0);
    const pendingLogin = outcome(
      auth.login({ providerName: GOOGLE, token: token(GOOGLE, 'leak') }, { signal }),
    );
    const pendingCredentials = outcome(auth.getCredentials({ forceRefresh: true, signal }));
    auth.stop();
    await Promise.all([pendingLogin, pendingCredentials]);
    await sleep(20);
    expect(listening).toBe(0);
    expect(timers.size).toBe(0);
  });
});

describe('listeners', () => {
  it('a subscribe() listener that throws does not keep the others from hearing of the change', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const heard: string[] = [];
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      auth.subscribe(() => {
        heard.push('first');
        throw new Error('app bug');
      });
      auth.subscribe(() => heard.push('second'));
      await auth.getCredentials();
      await sleep(20);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(heard.filter((who) => who === 'second').length).toBe(
      heard.filter((who) => who === 'first').length,
    );
    expect(heard.length).toBeGreaterThan(0);
    // The app's bug is still surfaced, once per call.
    expect(thrown).toHaveLength(heard.filter((who) => who === 'first').length);
    expect(thrown).toContainEqual(expect.objectContaining({ message: 'app bug' }));
  });

  it('listeners that unsubscribe themselves (or another) inside a callback, and on() listeners that call logout()', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const heard: string[] = [];
    const offB = auth.subscribe(() => heard.push('b'));
    const offA = auth.subscribe(() => {
      heard.push('a');
      offA();
      offB();
    });
    const offOn = auth.on('credentials', () => {
      offOn();
      void auth.logout();
    });
    const events = recordEvents(auth);
    // The logout comes before this caller is settled: it gets no credentials of the signed-out identity.
    const first = await outcome(auth.getCredentials());
    expect(first.error).toMatchObject({ name: 'AbortError' });
    await sleep(50);
    expect(heard.filter((who) => who === 'a')).toHaveLength(1);
    expect(
      events.filter((event) => event.type === 'identityChanged' && event.reason === 'logout'),
    ).toHaveLength(1);
    expect(auth.getState().identityId).toBeUndefined();
  });
});

describe('clear() and clearCredentials() interleaved', () => {
  it.each([
    ['clearCredentials then clear', (auth: IdentityPoolAuth) => [auth.clearCredentials(), auth.clear()]],
    ['clear then clearCredentials', (auth: IdentityPoolAuth) => [auth.clear(), auth.clearCredentials()]],
    [
      'clear, getCredentials, clearCredentials',
      (auth: IdentityPoolAuth) => [auth.clear(), auth.getCredentials(), auth.clearCredentials()],
    ],
  ])('%s: all settle typed, and the signed-in identity is gone from storage', async (_name, race) => {
    const pool = env.pool();
    const adapter = slowWriteAdapter(20);
    const auth = env.auth({ identityPoolId: pool, storage: adapter, persistCredentials: true });
    const alice = await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') });
    const results = await Promise.all(race(auth).map((call) => outcome(call as Promise<unknown>)));
    expectSafeRejections(results, [alice.secretAccessKey, alice.sessionToken]);
    await adapter.drain();
    expect([...adapter.items.values()].join()).not.toContain(alice.identityId);
  });
});

describe('removeLogin() during a refresh', () => {
  it('both settle, and the identity keeps the other login', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'fb-r') });
    const id = (await auth.login({ providerName: GOOGLE, token: token(GOOGLE, 'g-r') })).identityId;
    const [refresh, removal] = await Promise.all([
      outcome(auth.getCredentials({ forceRefresh: true })),
      outcome(auth.removeLogin(GOOGLE)),
    ]);
    expectSafeRejections([refresh, removal], []);
    expect(removal.error).toBeUndefined();
    expect(auth.getState()).toMatchObject({ identityId: id, providers: [FACEBOOK] });
    const again = await auth.getCredentials({ forceRefresh: true });
    expect(again.identityId).toBe(id);
  });
});

describe('a sign-out from another session sharing the storage, during a login', () => {
  async function aliceOnTwoProcesses() {
    const pool = env.pool();
    const shared = sharedStorage();
    const alice = () => token(FACEBOOK, 'alice');
    const a = env.auth({ identityPoolId: pool, storage: shared.adapter({ push: true }) });
    const signedIn = await a.login({ providerName: FACEBOOK, token: alice() });
    const b = env.auth({
      identityPoolId: pool,
      storage: shared.adapter({ push: true }),
      logins: { [FACEBOOK]: alice() },
    });
    expect((await b.getCredentials()).identityId).toBe(signedIn.identityId);
    return { pool, shared, a, b, aliceId: signedIn.identityId };
  }
  const heard = (auth: IdentityPoolAuth, aliceId: string) =>
    new Promise<void>((resolve) =>
      auth.on('identityChanged', (event) => {
        if (event.reason === 'logout' && event.previousIdentityId === aliceId) resolve();
      }),
    );

  it("a provider's signIn() still running when the sign-out arrives: the login rejects typed and signs nothing back in", async () => {
    const { pool, shared, a, b, aliceId } = await aliceOnTwoProcesses();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const google: LoginProvider = {
      id: 'google',
      loginsKey: GOOGLE,
      signIn: async () => {
        await held;
        return { token: token(GOOGLE, 'g-elsewhere') };
      },
    };
    const login = outcome(b.login(google));
    const forgotten = heard(b, aliceId);
    await a.logout();
    await forgotten;
    release();
    const result = await login;
    expect(result.error).toBeInstanceOf(IdentityPoolError);
    expectSafeRejections([result], []);
    await sleep(30);
    expect(b.getState()).toMatchObject({ identityId: undefined, providers: [] });
    expect(shared.items.get(keysOf(pool).identity) ?? '').not.toContain(aliceId);
  });

  it('a login sent to the service when the sign-out arrives: it settles typed, and alice is never written back', async () => {
    const { pool, shared, a, b, aliceId } = await aliceOnTwoProcesses();
    const login = outcome(b.login({ providerName: GOOGLE, token: token(GOOGLE, 'g-elsewhere-2') }));
    const forgotten = heard(b, aliceId);
    await a.logout();
    await forgotten;
    const result = await login;
    expectSafeRejections([result], []);
    await sleep(50);
    expect(shared.items.get(keysOf(pool).identity) ?? '').not.toContain(aliceId);
    expect(b.getState().identityId).not.toBe(aliceId);
  });
});

describe('more interleavings of the sign-out', () => {
  it('two logout() calls at once: both resolve, and no key holds a value', async () => {
    const pool = env.pool();
    const adapter = fifoAdapter(5);
    const auth = env.auth({ identityPoolId: pool, storage: adapter, persistCredentials: true });
    await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') });
    await Promise.all([auth.logout(), auth.logout(), auth.clear()]);
    expect(heldKeys(adapter, pool)).toEqual([]);
    await adapter.drain();
    expect(heldKeys(adapter, pool)).toEqual([]);
  });

  it('stop() while logout() is pending: it settles (resolved or StoppedError); after stop() only its sign-out record is written (docs/security.md)', async () => {
    const pool = env.pool();
    const adapter = fifoAdapter(10);
    const auth = env.auth({ identityPoolId: pool, storage: adapter, persistCredentials: true });
    await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') });
    await adapter.drain();
    const sent: string[] = [];
    let stopped = false;
    const { setItem, removeItem } = adapter;
    adapter.setItem = (key, value) => {
      if (stopped) sent.push(`set ${key}`);
      return setItem(key, value);
    };
    adapter.removeItem = (key) => {
      if (stopped) sent.push(`remove ${key}`);
      return removeItem(key);
    };
    const logout = outcome(auth.logout());
    auth.stop();
    stopped = true;
    const result = await logout;
    if (result.error) expect(result.error).toBeInstanceOf(StoppedError);
    await adapter.drain();
    expect(sent).toEqual([`set ${keysOf(pool).signedOut}`]);
    expect(heldKeys(adapter, pool)).toEqual([]);
  });

  it('a joined login whose one caller aborts: the other still resolves with that token’s identity', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const alice = token(FACEBOOK, 'alice');
    const controller = new AbortController();
    const first = outcome(
      auth.login({ providerName: FACEBOOK, token: alice }, { signal: controller.signal }),
    );
    const second = outcome(auth.login({ providerName: FACEBOOK, token: alice }));
    await sleep(1);
    controller.abort();
    expect((await first).error).toMatchObject({ name: 'AbortError' });
    const joined = await second;
    expect(joined.error).toBeUndefined();
    expect(env.emulator.identity(joined.value?.identityId ?? '')?.logins?.[FACEBOOK]).toBe('alice');
  });
});

describe('tabs: a logout in one tab while the other is busy', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each<[string, (auth: IdentityPoolAuth) => Promise<unknown>]>([
    ['refreshing', (auth: IdentityPoolAuth) => auth.getCredentials({ forceRefresh: true })],
    [
      'adding a login',
      (auth: IdentityPoolAuth) => auth.login({ providerName: GOOGLE, token: token(GOOGLE, 'g-tab') }),
    ],
    ['clearing its credentials', (auth: IdentityPoolAuth) => auth.clearCredentials()],
  ])(
    'the other tab %s: it settles typed, forgets alice, and alice is never written back',
    async (_name, busy) => {
      const scope = origin({ delayMs: 5 }).scope();
      vi.stubGlobal('navigator', scope.navigator);
      vi.stubGlobal('BroadcastChannel', scope.BroadcastChannel);
      vi.stubGlobal('importScripts', scope.importScripts);
      const pool = env.pool();
      const storage = syncAdapter();
      const a = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
      const b = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
      expect(a.getState().coordination).toBe('tabs');
      const alice = await a.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') });
      await sleep(30);
      expect(await b.getIdentityId()).toBe(alice.identityId);

      const work = outcome(busy(a));
      await b.logout();
      const result = await work;
      expectSafeRejections([result], [alice.secretAccessKey, alice.sessionToken]);
      await sleep(100);
      expect(a.getState().identityId).not.toBe(alice.identityId);
      expect([...storage.items.values()].join()).not.toContain(alice.identityId);
    },
  );
});

describe('secrets of a login begun while logout() is still signing out', () => {
  it('its token stays redacted when its request fails after the logout resolved', async () => {
    const pool = env.pool();
    const inner = memoryStorage();
    let releaseRemoval = () => {};
    const removal = new Promise<void>((resolve) => {
      releaseRemoval = resolve;
    });
    let slowRemoval = false;
    const storage: StorageAdapter = {
      getItem: (key) => inner.getItem(key),
      setItem: (key, value) => inner.setItem(key, value),
      removeItem: async (key) => {
        if (slowRemoval) await removal;
        inner.removeItem(key);
      },
    };
    const googleToken = token(GOOGLE, 'g-late');
    let releaseService = () => {};
    const service = new Promise<void>((resolve) => {
      releaseService = resolve;
    });
    let reached = false;
    const real = sdkTransport({ region: 'us-east-1', endpoint: env.emulator.endpoint });
    // A transport that echoes the login's token in its error (some do: the request body in a message).
    const echoing = async (logins: Record<string, string> | undefined) => {
      if (!logins?.[GOOGLE]) return;
      reached = true;
      await service;
      throw new Error(`NotAuthorizedException: bad login ${JSON.stringify(logins)}`);
    };
    const transport: CognitoIdentityTransport = {
      getId: async (input) => {
        await echoing(input.logins);
        return real.getId(input);
      },
      getCredentialsForIdentity: async (input) => {
        await echoing(input.logins);
        return real.getCredentialsForIdentity(input);
      },
    };
    const auth = env.auth({ identityPoolId: pool, storage, transport });
    const events = recordEvents(auth);
    await auth.login({ providerName: FACEBOOK, token: token(FACEBOOK, 'alice') });
    slowRemoval = true;
    const loggingOut = auth.logout();
    const login = outcome(auth.login({ providerName: GOOGLE, token: googleToken }));
    await sleep(10);
    releaseRemoval();
    await loggingOut;
    // The login's request is made once the sign-out is recorded; it fails after logout() resolved.
    const started = Date.now();
    while (!reached && Date.now() - started < 2_000) await sleep(2);
    expect(reached).toBe(true);
    releaseService();
    const result = await login;
    expect(result.error).toBeInstanceOf(IdentityPoolError);
    await sleep(20);
    expect(findSecrets([result, events, auth.getState()], [googleToken])).toEqual([]);
  });
});

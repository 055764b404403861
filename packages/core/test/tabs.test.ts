/**
 * Tab coordination (src/tabs.ts) on the Node side: the single-tab fallback where locks or
 * channels are missing, the `coordinateTabs` option, message and record checking, and the
 * mechanism itself over a spec-shaped Web Locks manager and a channel that delivers late
 * (test/support/tab-scope.ts). Giving every tab its own storage is the worst case of Chromium's
 * lagging `localStorage`: only the lock manager's records and the channel can tell a tab what
 * another one obtained. The real thing runs in Chromium: packages/runtime-tests/test/tabs.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIdentityPoolAuth, type IdentityPoolAuth } from '../src/auth.js';
import { ConfigurationError } from '../src/errors.js';
import { resolveOptions } from '../src/options.js';
import { memoryStorage } from '../src/storage/memory.js';
import { MAX_CREDENTIAL_TRUST_MS } from '../src/storage/record-scope.js';
import { storageKeys } from '../src/storage/session-store.js';
import {
  createTabCoordinator,
  type ReceivedTabMessage,
  readRecordLockName,
  readTabMessage,
  recordLockName,
  tabChannelName,
  tabsAvailable,
} from '../src/tabs.js';
import type { CognitoIdentityTransport, LoginProvider, StorageAdapter } from '../src/types.js';
import { syncAdapter } from './support/adapters.js';
import {
  credentialsFor,
  IDENTITY_A,
  IDENTITY_B,
  IDENTITY_C,
  POOL_ID,
  serviceErrors,
} from './support/fixtures.js';
import { origin, webLocks } from './support/tab-scope.js';

const GUEST_A = { identityId: IDENTITY_A, authenticated: false, providers: [] };
const HOUR_MS = 3_600_000;
/** How identities and credentials travel: as storage writes them (`v` is the schema version). */
const GUEST_A_WIRE = { v: 1, ...GUEST_A };

/** A service stand-in: each GetId a new identity (A, B, C), credentials tagged k1, k2, … */
function countingTransport(delayMs = 20) {
  const calls = { getId: 0, getCredentialsForIdentity: 0 };
  const identities = [IDENTITY_A, IDENTITY_B, IDENTITY_C];
  const gone = new Set<string>();
  let serial = 0;
  const transport: CognitoIdentityTransport = {
    async getId() {
      const identityId = identities[calls.getId++] as string;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { identityId };
    },
    async getCredentialsForIdentity({ identityId }) {
      calls.getCredentialsForIdentity++;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (gone.has(identityId)) throw serviceErrors.identityNotFound(identityId);
      const credentials = credentialsFor(identityId, Date.now() + 3_600_000, `k${++serial}`);
      return { identityId, credentials };
    },
  };
  return { transport, calls, gone };
}

const sessions: IdentityPoolAuth[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.stop();
  vi.unstubAllGlobals();
});

/** Makes the process one origin whose channel delivers `delayMs` late. */
function stubOrigin(delayMs = 0, { opaque = false } = {}) {
  const o = origin({ delayMs, opaque });
  const scope = o.scope();
  vi.stubGlobal('navigator', scope.navigator);
  vi.stubGlobal('BroadcastChannel', scope.BroadcastChannel);
  vi.stubGlobal('importScripts', scope.importScripts);
  return o;
}

function tab(transport: CognitoIdentityTransport, storage: StorageAdapter, persistCredentials: boolean) {
  const auth = createIdentityPoolAuth({ identityPoolId: POOL_ID, transport, storage, persistCredentials });
  sessions.push(auth);
  return auth;
}

describe('tab coordination: fallback and option', () => {
  it('Node (no navigator.locks) is single-tab, and getState() says so', () => {
    expect(tabsAvailable()).toBe(false);
    const auth = createIdentityPoolAuth({
      identityPoolId: POOL_ID,
      transport: countingTransport().transport,
    });
    sessions.push(auth);
    expect(auth.getState().coordination).toBe('single');
  });

  it('is single-tab without BroadcastChannel, a lock manager or its query(), and outside browser pages and workers', () => {
    class Channel {
      onmessage = null;
      postMessage() {}
      close() {}
    }
    const onMessage = () => {};
    const base = { name: 'n', enabled: true, onMessage };
    const page = { document: {} };
    const worker = { importScripts: () => {} };
    expect(createTabCoordinator(base, { ...page, navigator: { locks: webLocks() } }).mode).toBe('single');
    expect(createTabCoordinator(base, { ...page, BroadcastChannel: Channel }).mode).toBe('single');
    expect(createTabCoordinator(base, { ...page, navigator: {}, BroadcastChannel: Channel }).mode).toBe(
      'single',
    );
    const { query: _query, ...noQuery } = webLocks();
    expect(
      createTabCoordinator(base, { ...page, navigator: { locks: noQuery }, BroadcastChannel: Channel }).mode,
    ).toBe('single');
    expect(createTabCoordinator(base, undefined).mode).toBe('single');
    const both = { navigator: { locks: webLocks() }, BroadcastChannel: Channel };
    expect(createTabCoordinator(base, { ...page, ...both }).mode).toBe('tabs');
    expect(createTabCoordinator(base, { ...worker, ...both }).mode).toBe('tabs');
    // A server runtime with both (Deno; Node with navigator.locks): one process serves many users,
    // whose sessions must not share an identity.
    expect(createTabCoordinator(base, both).mode).toBe('single');
    expect(createTabCoordinator({ ...base, enabled: false }, { ...page, ...both }).mode).toBe('single');
    class Throwing {
      constructor() {
        throw new Error('SecurityError');
      }
    }
    expect(
      createTabCoordinator(base, { ...page, navigator: { locks: webLocks() }, BroadcastChannel: Throwing })
        .mode,
    ).toBe('single');
  });

  it('a lock manager that refuses requests (an opaque origin): sign-in works single-tab, and getState() says so', async () => {
    stubOrigin(0, { opaque: true });
    const { transport, calls } = countingTransport(5);
    const auth = tab(transport, memoryStorage(), false);
    expect(auth.getState().coordination).toBe('tabs');
    expect((await auth.getCredentials()).identityId).toBe(IDENTITY_A);
    expect(calls).toEqual({ getId: 1, getCredentialsForIdentity: 1 });
    expect(auth.getState().coordination).toBe('single');
    await auth.logout();
  });

  it('a storageKeyPrefix that starts with "-" still names a lock the Web Locks API takes', async () => {
    const o = stubOrigin(0);
    const { transport } = countingTransport(5);
    const auth = createIdentityPoolAuth({ identityPoolId: POOL_ID, transport, storageKeyPrefix: '-app' });
    sessions.push(auth);
    await auth.getIdentityId();
    expect(auth.getState().coordination).toBe('tabs');
    expect(o.locks.heldNames().some((name) => name.startsWith(tabChannelName('-app', POOL_ID)))).toBe(true);
  });

  it('coordinateTabs: default true, validated like the other options, false turns it off', () => {
    expect(resolveOptions({ identityPoolId: POOL_ID }).coordinateTabs).toBe(true);
    expect(resolveOptions({ identityPoolId: POOL_ID, coordinateTabs: false }).coordinateTabs).toBe(false);
    expect(() => resolveOptions({ identityPoolId: POOL_ID, coordinateTabs: 'yes' })).toThrow(
      ConfigurationError,
    );
    expect(() => resolveOptions({ identityPoolId: POOL_ID, coordinateTabs: 'yes' })).toThrow(
      /coordinateTabs/,
    );
    stubOrigin();
    const on = createIdentityPoolAuth({ identityPoolId: POOL_ID, transport: countingTransport().transport });
    const off = createIdentityPoolAuth({
      identityPoolId: POOL_ID,
      transport: countingTransport().transport,
      coordinateTabs: false,
    });
    sessions.push(on, off);
    expect(on.getState().coordination).toBe('tabs');
    expect(off.getState().coordination).toBe('single');
  });
});

describe('tab coordination: messages and records', () => {
  it.each([
    ['the largest safe integer', Number.MAX_SAFE_INTEGER],
    ['one past the last Date', 8.64e15 + 1],
  ])(
    'ignores credentials whose expiration is no Date (%s): never an Invalid Date handed out',
    (_, expiration) => {
      const c = credentialsFor(IDENTITY_B, Date.now() + 3_600_000);
      const message = {
        v: 1,
        seq: 1,
        type: 'credentials',
        identity: { ...GUEST_A_WIRE, identityId: IDENTITY_B },
        credentials: { v: 1, ...c, expiration },
      };
      expect(readTabMessage(message)).toBeUndefined();
      // The last instant a Date holds is a Date: accepted, and trusted for at most 12 hours.
      const now = Date.now();
      expect(
        readTabMessage({ ...message, credentials: { v: 1, ...c, expiration: 8.64e15 } }, now),
      ).toMatchObject({ credentials: { expiration: new Date(now + MAX_CREDENTIAL_TRUST_MS) } });
    },
  );

  it('reads only well-formed messages', () => {
    expect(readTabMessage(null)).toBeUndefined();
    expect(readTabMessage({ v: 2, seq: 1, type: 'signOut' })).toBeUndefined();
    expect(readTabMessage({ v: 1, type: 'signOut' })).toBeUndefined();
    expect(readTabMessage({ v: 1, seq: -1, type: 'signOut' })).toBeUndefined();
    expect(
      readTabMessage({ v: 1, seq: 1, type: 'identity', identity: { identityId: 'nope' } }),
    ).toBeUndefined();
    expect(readTabMessage({ v: 1, seq: 7, type: 'identity', identity: GUEST_A })).toBeUndefined();
    expect(readTabMessage({ v: 1, seq: 7, type: 'identity', identity: GUEST_A_WIRE })).toEqual({
      type: 'identity',
      identity: GUEST_A,
      seq: 7,
      signedOutAt: 0,
    });
    // `o`: the latest sign-out before it, never after it.
    expect(readTabMessage({ v: 1, seq: 7, o: 5, type: 'identity', identity: GUEST_A_WIRE })).toMatchObject({
      signedOutAt: 5,
    });
    expect(readTabMessage({ v: 1, seq: 7, o: 8, type: 'identity', identity: GUEST_A_WIRE })).toBeUndefined();
    expect(readTabMessage({ v: 1, seq: 7, type: 'signOut' })).toEqual({
      type: 'signOut',
      seq: 7,
      signedOutAt: 7,
    });
    expect(
      readTabMessage({
        v: 1,
        seq: 1,
        type: 'credentials',
        identity: GUEST_A,
        credentials: { accessKeyId: 'A' },
      }),
    ).toBeUndefined();
    const c = credentialsFor(IDENTITY_B, Date.now() + 3_600_000);
    const wire = { v: 1, ...c, expiration: c.expiration.getTime() };
    // Credentials of another identity than the message's.
    expect(
      readTabMessage({ v: 1, seq: 1, type: 'credentials', identity: GUEST_A_WIRE, credentials: wire }),
    ).toBe(undefined);
    expect(
      readTabMessage({
        v: 1,
        seq: 1,
        type: 'credentials',
        identity: { ...GUEST_A_WIRE, identityId: IDENTITY_B },
        credentials: wire,
      }),
    ).toEqual({
      type: 'credentials',
      seq: 1,
      identity: { ...GUEST_A, identityId: IDENTITY_B },
      credentials: c,
      signedOutAt: 0,
    });
    expect(readTabMessage({ v: 1, seq: 1, type: 'other', identity: GUEST_A_WIRE, credentials: wire })).toBe(
      undefined,
    );
  });

  it('sequence numbers stay bounded: a message or record implausibly far ahead of the clock is not read (issue 16 §3c)', () => {
    const now = Date.now();
    const far = now + 2 * 24 * 3_600_000;
    for (const seq of [Number.MAX_SAFE_INTEGER, far]) {
      expect(readTabMessage({ v: 1, seq, type: 'signOut' })).toBeUndefined();
      expect(readTabMessage({ v: 1, seq, type: 'identity', identity: GUEST_A_WIRE })).toBeUndefined();
      expect(
        readRecordLockName('n', recordLockName('n', { seq, identity: undefined, signedOutAt: seq })),
      ).toBe(undefined);
      expect(
        readRecordLockName('n', recordLockName('n', { seq, identity: GUEST_A, signedOutAt: 0 })),
      ).toBeUndefined();
    }
    // An hour ahead (another tab's clock, many publishes in one millisecond) is still read.
    expect(readTabMessage({ v: 1, seq: now + 3_600_000, type: 'signOut' })).toMatchObject({
      type: 'signOut',
    });
  });

  it('reads login tokens only for the providers of an authenticated identity (issue 16 §3a)', () => {
    const credentials = credentialsFor(IDENTITY_A, Date.now() + 3_600_000);
    // The credentials name their identity (IDENTITY_A).
    const wire = { v: 1, ...credentials, expiration: credentials.expiration.getTime() };
    const signedIn = { v: 1, identityId: IDENTITY_A, authenticated: true, providers: ['p'] };
    const message = (identity: unknown, logins: unknown) =>
      readTabMessage({ v: 1, seq: 1, type: 'credentials', identity, credentials: wire, logins });
    expect(message(signedIn, { p: { token: 'tok' } })).toMatchObject({ logins: { p: { token: 'tok' } } });
    expect(message(GUEST_A_WIRE, { p: { token: 'tok' } })).toBeUndefined();
    expect(message(signedIn, { q: { token: 'tok' } })).toBeUndefined();
    expect(message(signedIn, { p: { token: '' } })).toBeUndefined();
    expect(message(signedIn, { p: { token: 'tok', expiresAt: 'soon' } })).toBeUndefined();
    expect(message(signedIn, {})).toBeUndefined();
    expect(message(signedIn, 'tok')).toBeUndefined();
  });

  it('records round-trip through a lock name; foreign or malformed names are not records', () => {
    const record = { seq: 42, identity: GUEST_A, signedOutAt: 40, expiration: 1_900_000_000_000 };
    expect(readRecordLockName('n', recordLockName('n', record))).toEqual(record);
    expect(readRecordLockName('n', recordLockName('n', { ...record, signedOutAt: 0 }))).toEqual({
      ...record,
      signedOutAt: 0,
    });
    const signOut = { seq: 43, identity: undefined, signedOutAt: 43 };
    expect(readRecordLockName('n', recordLockName('n', signOut))).toEqual(signOut);
    expect(readRecordLockName('other', recordLockName('n', record))).toBeUndefined();
    for (const bad of [
      'n:record:{',
      'n:record:{"s":0,"i":null}',
      'n:record:{"s":1,"i":{"identityId":"x"}}',
      'n:record:{"s":1,"i":null,"e":5}',
      'n:record:null',
      'n',
      42,
    ])
      expect(readRecordLockName('n', bad)).toBeUndefined();
  });

  it('broadcasts a guest identity, credentials and sign-out, never an authenticated identity alone; one record held', async () => {
    const o = origin();
    const listener = new (o.scope().BroadcastChannel)('n');
    const posted: { type: string; seq: number }[] = [];
    listener.onmessage = (event) => posted.push(event.data as { type: string; seq: number });
    const tabs = createTabCoordinator({ name: 'n', enabled: true, onMessage: () => {} }, o.scope());
    const credentials = credentialsFor(IDENTITY_A, Date.now() + 3_600_000);
    await tabs.withLock(async (held) => {
      await held.publish({
        type: 'identity',
        identity: { ...GUEST_A, authenticated: true, providers: ['p'] },
      });
      await held.publish({ type: 'identity', identity: GUEST_A });
      await held.publish({ type: 'credentials', identity: GUEST_A, credentials });
    });
    await tabs.signOut();
    await vi.waitFor(() => expect(posted).toHaveLength(3));
    expect(posted.map((m) => m.type)).toEqual(['identity', 'credentials', 'signOut']);
    expect(readTabMessage(posted[1])).toMatchObject({ type: 'credentials', credentials });
    // Sequence numbers grow; only the latest record is held.
    expect(posted[0]!.seq).toBeLessThan(posted[1]!.seq);
    expect(posted[1]!.seq).toBeLessThan(posted[2]!.seq);
    await vi.waitFor(() =>
      expect(o.locks.heldNames()).toEqual([
        recordLockName('n', { seq: posted[2]!.seq, signedOutAt: 0, identity: undefined }),
      ]),
    );
    tabs.close();
    await vi.waitFor(() => expect(o.locks.heldNames()).toEqual([]));
  });

  it('drops a message older than one already seen, and one whose sequence number is not new', async () => {
    const o = origin();
    const received: ReceivedTabMessage[] = [];
    const tabs = createTabCoordinator(
      { name: 'n', enabled: true, onMessage: (m) => received.push(m) },
      o.scope(),
    );
    const sender = new (o.scope().BroadcastChannel)('n');
    sender.postMessage({ v: 1, seq: 10, type: 'identity', identity: GUEST_A_WIRE });
    sender.postMessage({ v: 1, seq: 8, type: 'identity', identity: GUEST_A_WIRE });
    sender.postMessage({ v: 1, seq: 11, type: 'signOut' });
    sender.postMessage({ v: 1, seq: 11, type: 'signOut' });
    // Remembers the sign-out at 11, which was delivered already.
    sender.postMessage({ v: 1, seq: 12, o: 11, type: 'identity', identity: GUEST_A_WIRE });
    await vi.waitFor(() =>
      expect(received.map((m) => `${m.type} ${m.seq}`)).toEqual(['identity 10', 'signOut 11', 'identity 12']),
    );
    tabs.close();
  });

  it('a sign-out whose own message never arrived is delivered from a later message that remembers it', async () => {
    const o = origin();
    const received: ReceivedTabMessage[] = [];
    const tabs = createTabCoordinator(
      { name: 'n', enabled: true, onMessage: (m) => received.push(m) },
      o.scope(),
    );
    const sender = new (o.scope().BroadcastChannel)('n');
    sender.postMessage({ v: 1, seq: 20, o: 15, type: 'identity', identity: GUEST_A_WIRE });
    await vi.waitFor(() => expect(received).toHaveLength(2));
    expect(received).toMatchObject([
      { type: 'signOut', seq: 15, survivor: GUEST_A },
      { type: 'identity', seq: 20, identity: GUEST_A },
    ]);
    tabs.close();
  });

  it('credentialsOf: a message already received, one arriving later, or nothing after the timeout, an abort or close', async () => {
    const o = origin({ delayMs: 30 });
    const name = 'n';
    const tabs = createTabCoordinator({ name, enabled: true, onMessage: () => {} }, o.scope());
    const sender = new (o.scope().BroadcastChannel)(name);
    const c = credentialsFor(IDENTITY_A, Date.now() + 3_600_000, 'k1');
    const wire = (seq: number) => ({
      v: 1,
      seq,
      type: 'credentials',
      identity: GUEST_A_WIRE,
      credentials: { v: 1, ...c, expiration: c.expiration.getTime() },
    });
    const record = (seq: number) => ({
      seq,
      signedOutAt: 0,
      identity: GUEST_A,
      expiration: c.expiration.getTime(),
    });
    await tabs.withLock(async (held) => {
      sender.postMessage(wire(20));
      // Arrives 30 ms later, within the wait.
      expect(await held.credentialsOf(record(20), 1_000)).toEqual({ credentials: c, logins: undefined });
      // Already received: at once.
      expect(await held.credentialsOf(record(20), 0)).toEqual({ credentials: c, logins: undefined });
      // Never sent.
      expect(await held.credentialsOf(record(21), 50)).toBeUndefined();
      // Another expiry than the record's.
      expect(await held.credentialsOf({ ...record(20), expiration: 1 }, 10)).toBeUndefined();
      const controller = new AbortController();
      const aborted = held.credentialsOf(record(22), 10_000, controller.signal);
      controller.abort();
      expect(await aborted).toBeUndefined();
      const closing = held.credentialsOf(record(23), 10_000);
      tabs.close();
      expect(await closing).toBeUndefined();
    });
  });
});

describe('tab coordination: the mechanism (Web Locks manager, late channel)', () => {
  it('two sessions over one storage: one GetId, one GetCredentialsForIdentity; logout signs out both', async () => {
    stubOrigin();
    const storage = memoryStorage();
    const { transport, calls } = countingTransport();
    const [a, b] = [tab(transport, storage, true), tab(transport, storage, true)];
    const [ca, cb] = await Promise.all([a.getCredentials(), b.getCredentials()]);
    expect(ca.identityId).toBe(IDENTITY_A);
    expect(cb.accessKeyId).toBe(ca.accessKeyId);
    expect(calls).toEqual({ getId: 1, getCredentialsForIdentity: 1 });

    const refreshed = await a.getCredentials({ forceRefresh: true });
    await vi.waitFor(async () => expect((await b.getCredentials()).accessKeyId).toBe(refreshed.accessKeyId));
    expect(calls.getCredentialsForIdentity).toBe(2);

    const changes: unknown[] = [];
    b.on('identityChanged', (change) => changes.push(change));
    await a.logout();
    await vi.waitFor(() => expect(b.getCachedIdentityId()).toBeUndefined());
    expect(changes).toEqual([{ previousIdentityId: IDENTITY_A, identityId: undefined, reason: 'logout' }]);
  });

  for (const persistCredentials of [false, true]) {
    it(`10 tabs at once, each with its own storage, messages 40 ms late${persistCredentials ? ', persistCredentials' : ''}: one GetId, one GetCredentialsForIdentity`, async () => {
      stubOrigin(40);
      const { transport, calls } = countingTransport();
      const tabs = Array.from({ length: 10 }, () => tab(transport, memoryStorage(), persistCredentials));
      const all = await Promise.all(tabs.map((t) => t.getCredentials()));
      expect(new Set(all.map((c) => c.identityId))).toEqual(new Set([IDENTITY_A]));
      expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
      expect(calls).toEqual({ getId: 1, getCredentialsForIdentity: 1 });
      // A refresh in one tab serves the others.
      const refreshed = await tabs[4]!.getCredentials({ forceRefresh: true });
      await vi.waitFor(async () => {
        for (const t of tabs) expect((await t.getCredentials()).accessKeyId).toBe(refreshed.accessKeyId);
      });
      expect(calls).toEqual({ getId: 1, getCredentialsForIdentity: 2 });
    });
  }

  it('a tab opened after the credentials were broadcast asks for them instead of fetching its own', async () => {
    stubOrigin(10);
    const { transport, calls } = countingTransport();
    const first = await tab(transport, memoryStorage(), false).getCredentials();
    const late = tab(transport, memoryStorage(), false);
    expect(await late.getCredentials()).toEqual(first);
    expect(calls).toEqual({ getId: 1, getCredentialsForIdentity: 1 });
  });

  it('a forced refresh fetches at once: the tab does not wait on its own record', async () => {
    const o = stubOrigin(0);
    const heard: unknown[] = [];
    const listener = new (o.scope().BroadcastChannel)(tabChannelName('identity-pool', POOL_ID));
    listener.onmessage = (event) => heard.push(event.data);
    const { transport, calls } = countingTransport(5);
    const a = tab(transport, memoryStorage(), false);
    const first = await a.getCredentials();
    const refreshed = await a.getCredentials({ forceRefresh: true });
    expect(refreshed.accessKeyId).not.toBe(first.accessKeyId);
    expect(calls).toEqual({ getId: 1, getCredentialsForIdentity: 2 });
    await vi.waitFor(() => expect(heard).toHaveLength(3));
    expect(heard.map((m) => (m as { type: string }).type)).toEqual([
      'identity',
      'credentials',
      'credentials',
    ]);
  });

  it('after clearCredentials(), a tab does not take back the dropped credentials from another tab', async () => {
    stubOrigin(0);
    const { transport, calls } = countingTransport(5);
    const a = tab(transport, memoryStorage(), true);
    const b = tab(transport, memoryStorage(), true);
    const shared = await a.getCredentials();
    expect(await b.getCredentials()).toEqual(shared);
    expect(calls.getCredentialsForIdentity).toBe(1);
    await b.clearCredentials();
    const fresh = await b.getCredentials();
    expect(fresh.accessKeyId).not.toBe(shared.accessKeyId);
    expect(calls.getCredentialsForIdentity).toBe(2);
    // …while a, which kept them, takes the newer ones b broadcast.
    await vi.waitFor(async () => expect((await a.getCredentials()).accessKeyId).toBe(fresh.accessKeyId));
    expect(calls.getCredentialsForIdentity).toBe(2);
  });

  it('after a logout in another tab, a storage that still shows the old identity is not believed', async () => {
    const o = stubOrigin(40);
    const { transport, calls } = countingTransport();
    const a = tab(transport, memoryStorage(), false);
    await a.getCredentials();
    // b's storage lags: it still holds identity A after a logged out.
    const lagging = memoryStorage();
    await lagging.setItem(storageKeys('identity-pool', POOL_ID).identity, JSON.stringify(GUEST_A_WIRE));
    const b = tab(transport, lagging, false);
    expect(await b.getIdentityId()).toBe(IDENTITY_A);
    await a.logout();
    await vi.waitFor(() => expect(b.getCachedIdentityId()).toBeUndefined());
    expect(await b.getIdentityId()).toBe(IDENTITY_B);
    expect(calls.getId).toBe(2);
    // Its own storage was cleared too when the sign-out reached it (a per-tab store, like sessionStorage).
    expect(await lagging.getItem(storageKeys('identity-pool', POOL_ID).identity)).not.toContain(IDENTITY_A);
    expect(o.locks.heldNames().some((name) => name.includes(IDENTITY_B))).toBe(true);
  });

  it('a tab opened after a logout, over a storage that still shows the old identity, starts without it', async () => {
    stubOrigin(10);
    const { transport, calls } = countingTransport(5);
    const a = tab(transport, memoryStorage(), true);
    const old = await a.getCredentials();
    await a.logout();
    // Lagging storage: the new tab still reads identity A and its credentials.
    const lagging = memoryStorage();
    const keys = storageKeys('identity-pool', POOL_ID);
    await lagging.setItem(keys.identity, JSON.stringify(GUEST_A_WIRE));
    await lagging.setItem(
      keys.credentials,
      JSON.stringify({ v: 1, ...old, expiration: old.expiration.getTime() }),
    );
    const b = tab(transport, lagging, true);
    const fresh = await b.getCredentials();
    expect(fresh.identityId).toBe(IDENTITY_B);
    expect(calls.getId).toBe(2);
  });

  it('a sign-out that arrives after another tab already made a new identity does not clear it', async () => {
    stubOrigin(0);
    const { transport } = countingTransport(5);
    const storage = memoryStorage();
    const a = tab(transport, storage, false);
    const b = tab(transport, storage, false);
    expect(await b.getIdentityId()).toBe(IDENTITY_A);
    await a.logout();
    // a makes the next identity at once; b learns of the sign-out meanwhile.
    expect(await a.getIdentityId()).toBe(IDENTITY_B);
    await vi.waitFor(() => expect(b.getCachedIdentityId()).not.toBe(IDENTITY_A));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storage.getItem(storageKeys('identity-pool', POOL_ID).identity)).toContain(IDENTITY_B);
    expect(await b.getIdentityId()).toBe(IDENTITY_B);
  });

  it('one message with seq Number.MAX_SAFE_INTEGER does not stop later sign-outs from reaching the other tabs (issue 16 §3c)', async () => {
    const o = stubOrigin(0);
    const { transport } = countingTransport(5);
    const [a, b] = [tab(transport, memoryStorage(), false), tab(transport, memoryStorage(), false)];
    expect(await a.getIdentityId()).toBe(IDENTITY_A);
    await vi.waitFor(() => expect(b.getCachedIdentityId()).toBe(IDENTITY_A));
    const forger = new (o.scope().BroadcastChannel)(tabChannelName('identity-pool', POOL_ID));
    forger.postMessage({ v: 1, seq: Number.MAX_SAFE_INTEGER, type: 'identity', identity: GUEST_A_WIRE });
    forger.postMessage({ v: 1, seq: Number.MAX_SAFE_INTEGER, type: 'signOut' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(b.getCachedIdentityId()).toBe(IDENTITY_A);
    await a.logout();
    await vi.waitFor(() => expect(b.getCachedIdentityId()).toBeUndefined());
    // And the next one too.
    expect(await b.getIdentityId()).toBe(IDENTITY_B);
    await vi.waitFor(() => expect(a.getCachedIdentityId()).toBe(IDENTITY_B));
    await b.logout();
    await vi.waitFor(() => expect(a.getCachedIdentityId()).toBeUndefined());
  });

  it('credentials received from another tab are trusted no longer than stored ones: at most 12 hours ahead', async () => {
    const now = Date.now();
    const tenDays = credentialsFor(IDENTITY_A, now + 10 * 24 * HOUR_MS, 'planted');
    const wire = {
      v: 1,
      seq: now,
      type: 'credentials',
      identity: GUEST_A_WIRE,
      credentials: { v: 1, ...tenDays, expiration: tenDays.expiration.getTime() },
    };
    // The parser caps them (one function with storage's, trustedCredentials).
    const read = readTabMessage(wire, now);
    expect(read?.type === 'credentials' && read.credentials.expiration.getTime()).toBe(
      now + MAX_CREDENTIAL_TRUST_MS,
    );
  });

  it('a session that adopts credentials from another tab serves them expiring at most 12 hours ahead', async () => {
    const now = Date.now();
    const tenDays = credentialsFor(IDENTITY_A, now + 10 * 24 * HOUR_MS, 'planted');
    const wire = {
      v: 1,
      type: 'credentials',
      identity: GUEST_A_WIRE,
      credentials: { v: 1, ...tenDays, expiration: tenDays.expiration.getTime() },
    };
    const o = stubOrigin(0);
    const { transport } = countingTransport(5);
    const b = tab(transport, memoryStorage(), false);
    expect(await b.getIdentityId()).toBe(IDENTITY_A);
    const forger = new (o.scope().BroadcastChannel)(tabChannelName('identity-pool', POOL_ID));
    forger.postMessage({ ...wire, seq: Date.now() });
    await vi.waitFor(() => expect(b.getState().expiration).toBeDefined());
    const served = await b.getCredentials();
    expect(served.secretAccessKey).toBe(tenDays.secretAccessKey);
    expect(served.expiration.getTime()).toBeLessThanOrEqual(Date.now() + MAX_CREDENTIAL_TRUST_MS);
  });

  it('a tab that adopts another tab’s identity stores it in its own storage, stamped, so every tab can reload (issue 16 §3b)', async () => {
    stubOrigin(0);
    const { transport, calls } = countingTransport(5);
    const keys = storageKeys('identity-pool', POOL_ID);
    const [sa, sb, sc] = [memoryStorage(), memoryStorage(), memoryStorage()];
    const a = tab(transport, sa, true);
    const b = tab(transport, sb, true);
    // b has no identity yet: it adopts a's from the channel (SYNC).
    await a.getCredentials();
    await vi.waitFor(() => expect(b.getCachedIdentityId()).toBe(IDENTITY_A));
    await vi.waitFor(async () => expect(await sb.getItem(keys.identity)).toContain(IDENTITY_A));
    expect(JSON.parse((await sb.getItem(keys.identity)) as string)).toMatchObject({ s: expect.any(Number) });
    // With persistCredentials, the credentials it adopted too.
    await vi.waitFor(async () => expect(await sb.getItem(keys.credentials)).toContain(IDENTITY_A));
    // c opens later: it takes the identity from the newest record under the lock, and stores it.
    const c = tab(transport, sc, true);
    expect(await c.getIdentityId()).toBe(IDENTITY_A);
    await vi.waitFor(async () => expect(await sc.getItem(keys.identity)).toContain(IDENTITY_A));
    // Every tab reloads at once: each restores the identity from its own storage.
    for (const session of [a, b, c]) session.stop();
    const reloaded = [sa, sb, sc].map((storage) => tab(transport, storage, true));
    expect(await Promise.all(reloaded.map((session) => session.getIdentityId()))).toEqual([
      IDENTITY_A,
      IDENTITY_A,
      IDENTITY_A,
    ]);
    expect(calls.getId).toBe(1);
  });

  it('a login in one tab signs the others in as that user at once; they renew with its token, which never reaches storage or a lock name (issue 16 §3a)', async () => {
    const o = stubOrigin(0);
    const sent: (Record<string, string> | undefined)[] = [];
    const { transport: guest, calls } = countingTransport(5);
    const transport: CognitoIdentityTransport = {
      getId: guest.getId,
      async getCredentialsForIdentity(input) {
        sent.push(input.logins);
        return guest.getCredentialsForIdentity(input);
      },
    };
    const storage = memoryStorage();
    const [a, b] = [tab(transport, storage, false), tab(transport, storage, false)];
    await a.getCredentials();
    await vi.waitFor(() => expect(b.getCachedIdentityId()).toBe(IDENTITY_A));
    const changes: unknown[] = [];
    b.on('identityChanged', (change) => changes.push(change));
    const TOKEN = 'FB-TOKEN-of-user-1';
    const linked = await a.login({ providerName: 'graph.facebook.com', token: TOKEN });
    await vi.waitFor(() =>
      expect(b.getState()).toMatchObject({
        identityId: IDENTITY_A,
        authenticated: true,
        providers: ['graph.facebook.com'],
        status: 'authenticated',
      }),
    );
    expect(changes).toEqual([{ previousIdentityId: IDENTITY_A, identityId: IDENTITY_A, reason: 'linked' }]);
    expect((await b.getCredentials()).accessKeyId).toBe(linked.accessKeyId);
    expect(calls.getCredentialsForIdentity).toBe(2);
    // b renews through the token it was given.
    await b.getCredentials({ forceRefresh: true });
    expect(sent.at(-1)).toEqual({ 'graph.facebook.com': TOKEN });
    // …and a hears of the renewal (same identity, newer credentials).
    await vi.waitFor(async () =>
      expect((await a.getCredentials()).accessKeyId).toBe((await b.getCredentials()).accessKeyId),
    );
    const stored = JSON.stringify(
      Object.values(storageKeys('identity-pool', POOL_ID)).map((key) => storage.getItem(key)),
    );
    expect(stored).toContain(IDENTITY_A);
    expect(stored).not.toContain(TOKEN);
    expect(o.locks.heldNames().join()).not.toContain(TOKEN);
    // A logout in b signs a out too.
    await b.logout();
    await vi.waitFor(() =>
      expect(a.getState()).toMatchObject({ identityId: undefined, authenticated: false }),
    );
  });

  it('a tab that starts up as the user another tab signed in, and logs out before it could store that identity, never writes it back', async () => {
    const o = stubOrigin(0);
    const { transport } = countingTransport(5);
    const a = tab(transport, memoryStorage(), false);
    await a.login({ providerName: 'graph.facebook.com', token: 'FB-TOKEN' });
    // The pool's lock is busy (another tab's request): b's write of the adopted identity waits for it.
    let release!: () => void;
    const name = tabChannelName('identity-pool', POOL_ID);
    void o.locks.request(
      name,
      { mode: 'exclusive' },
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    await vi.waitFor(() => expect(o.locks.heldNames()).toContain(name));
    const storage = syncAdapter();
    let loggedOut = false;
    const writtenAfterLogout: string[] = [];
    storage.onSetItem = (key) => {
      if (loggedOut && key !== storageKeys('identity-pool', POOL_ID).signedOut) writtenAfterLogout.push(key);
    };
    const b = tab(transport, storage, false);
    await vi.waitFor(() =>
      expect(b.getState()).toMatchObject({ identityId: IDENTITY_A, authenticated: true }),
    );
    expect(storage.items.size).toBe(0);
    loggedOut = true;
    const logout = b.logout();
    release();
    await logout;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writtenAfterLogout).toEqual([]);
    expect(storage.items.has(storageKeys('identity-pool', POOL_ID).identity)).toBe(false);
  });

  it('a tab holding only another tab’s login token waits for that tab to renew it instead of firing loginRequired (issue 16 §3a)', async () => {
    stubOrigin(0);
    const { transport: guest } = countingTransport(5);
    let valid = 'T1';
    let issued = 1;
    const transport: CognitoIdentityTransport = {
      getId: guest.getId,
      async getCredentialsForIdentity(input) {
        const token = input.logins?.['graph.facebook.com'];
        if (token !== undefined && token !== valid) throw serviceErrors.tokenExpired();
        return guest.getCredentialsForIdentity(input);
      },
    };
    const provider: LoginProvider = {
      id: 'facebook',
      loginsKey: 'graph.facebook.com',
      signIn: async () => ({ token: valid }),
      getToken: async () => {
        valid = `T${++issued}`;
        return { token: valid };
      },
    };
    const storage = memoryStorage();
    const [a, b] = [tab(transport, storage, false), tab(transport, storage, false)];
    await a.login(provider);
    await vi.waitFor(() =>
      expect(b.getState()).toMatchObject({ authenticated: true, status: 'authenticated' }),
    );
    const required: string[] = [];
    b.on('loginRequired', ({ providerName }) => required.push(providerName));
    // The token expires at the service; b (which cannot renew it) refreshes first, then a (which can).
    valid = 'nobody has this one';
    const fromB = b.getCredentials({ forceRefresh: true });
    await new Promise((resolve) => setTimeout(resolve, 1));
    const fromA = a.getCredentials({ forceRefresh: true });
    const [cb, ca] = await Promise.all([fromB, fromA]);
    expect(cb.accessKeyId).toBe(ca.accessKeyId);
    expect(required).toEqual([]);
    expect(b.getState()).toMatchObject({ authenticated: true, status: 'authenticated' });
  });

  it('an identity the service says is gone is not taken back from another tab’s record', async () => {
    stubOrigin(0);
    const { transport, calls, gone } = countingTransport(5);
    const a = tab(transport, memoryStorage(), false);
    const b = tab(transport, memoryStorage(), false);
    expect((await a.getCredentials()).identityId).toBe(IDENTITY_A);
    expect((await b.getCredentials()).identityId).toBe(IDENTITY_A);
    gone.add(IDENTITY_A);
    const changes: unknown[] = [];
    b.on('identityChanged', (change) => changes.push(change));
    expect((await b.getCredentials({ forceRefresh: true })).identityId).toBe(IDENTITY_B);
    expect(calls.getId).toBe(2);
    expect(changes).toEqual([{ previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'reset' }]);
    // a finds out at its own next request, and takes the replacement without another GetId.
    expect((await a.getCredentials({ forceRefresh: true })).identityId).toBe(IDENTITY_B);
    expect(calls.getId).toBe(2);
  });

  it('stop() lets go of the tab’s record and the channel', async () => {
    const o = stubOrigin(0);
    const { transport } = countingTransport(5);
    const a = tab(transport, memoryStorage(), false);
    await a.getIdentityId();
    const name = tabChannelName('identity-pool', POOL_ID);
    expect(o.locks.heldNames().filter((n) => n.startsWith(`${name}:record:`))).toHaveLength(1);
    a.stop();
    await vi.waitFor(() => expect(o.locks.heldNames()).toEqual([]));
  });
});

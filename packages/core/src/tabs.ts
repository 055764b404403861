/**
 * Many tabs, one identity: the sessions of one pool in the tabs and workers of one origin
 * coordinate through a Web Lock and a `BroadcastChannel`, both named after the storage key
 * prefix and the pool ID.
 *
 * - The lock is held around GetId and GetCredentialsForIdentity (and logout's clearing), so one
 *   tab at a time talks to Cognito for them. A tab that waited first looks at what the holders
 *   before it obtained (`session.ts`), and asks only when nobody did.
 * - What a holder obtained is recorded twice. Storage is not enough: Chromium's `localStorage`
 *   is cached per renderer and another tab's write reaches it some time later, so a tab granted
 *   the lock can still read "nothing stored" right after the previous holder stored an identity.
 *   The lock manager is consistent across tabs, so each holder also keeps a *record*: a shared
 *   lock whose name carries a sequence number, the identity (ID, guest or not, providers; no
 *   secret) and the expiry of the credentials it just fetched, if it fetched some. It
 *   takes the record before it lets go of the pool's lock, and `navigator.locks.query()` in the
 *   next holder sees it. The newest record wins; a tab holds only its latest; the browser drops
 *   a closed tab's.
 * - The channel carries the same events to every tab at once: a guest identity's ID, fresh
 *   credentials and sign-out. It lives in memory only: credentials reach storage only with
 *   `persistCredentials`, as in a single tab (a script of the origin could ask the library for
 *   them anyway). A tab that sees a record of credentials it has not received (it opened after
 *   they were sent) asks for them, the record's holder sends them again, and the tab waits a
 *   little for them. Messages carry the record's sequence number, and one older than what a tab
 *   already saw is dropped.
 *
 * Everything is looked up on `globalThis` and guarded: where locks or channels are missing
 * (Node, workerd, older browsers) or `coordinateTabs: false`, the coordinator is single-tab and
 * does nothing.
 */
import {
  credentialsEnvelope,
  identityEnvelope,
  readCredentialsEnvelope,
  readIdentityEnvelope,
  type StoredIdentity,
} from './storage/session-store.js';
import type { IdentityPoolCredentials } from './types.js';

export type Coordination = 'tabs' | 'single';

/** What one tab tells the others. Secret-free except `credentials`. */
export type TabMessage =
  | { type: 'identity'; identity: StoredIdentity }
  | { type: 'credentials'; identity: StoredIdentity; credentials: IdentityPoolCredentials }
  | { type: 'signOut' };

/** A message from another tab, with the sequence number of the lock hold that sent it. */
export type ReceivedTabMessage = TabMessage & { seq: number };

/** What the latest holder of the pool's lock left: its identity (none after sign-out). */
export interface TabRecord {
  seq: number;
  identity: StoredIdentity | undefined;
  /** Epoch ms of the credentials it fetched and broadcast, if it did. */
  expiration?: number | undefined;
}

/** What a session can do while it holds the pool's lock. */
export interface HeldTabLock {
  /** The newest record any live tab holds, or `undefined` when there is none (then storage is all there is). */
  latest(): Promise<TabRecord | undefined>;
  /** Records what this tab obtained (or its sign-out) and tells the other tabs. */
  publish(message: TabMessage): Promise<void>;
  /** The credentials broadcast with `record`: already received, or awaited for up to `timeoutMs`. */
  credentialsOf(
    record: TabRecord,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<IdentityPoolCredentials | undefined>;
}

export interface TabCoordinator {
  readonly mode: Coordination;
  /** Runs `work` holding the pool's lock (exclusive, across tabs); at once when single-tab. */
  withLock<T>(work: (held: HeldTabLock) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Closes the channel and lets go of this tab's record. */
  close(): void;
}

interface LockManagerLike {
  request(
    name: string,
    options: { mode?: 'exclusive' | 'shared'; signal?: AbortSignal },
    callback: () => Promise<unknown>,
  ): Promise<unknown>;
  query?(): Promise<{ held?: { name?: string }[] }>;
}
interface ChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}
interface TabScope {
  navigator?: { locks?: LockManagerLike };
  BroadcastChannel?: new (name: string) => ChannelLike;
}

const MESSAGE_VERSION = 1;

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/**
 * A message from another tab, checked (the identity and credentials as storage's schemas check
 * them); anything else is ignored.
 */
export function readTabMessage(data: unknown): ReceivedTabMessage | undefined {
  const m = data as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null || m.v !== MESSAGE_VERSION || !isPositiveInteger(m.seq))
    return undefined;
  const { seq, type } = m;
  if (type === 'signOut') return { type, seq };
  const identity = readIdentityEnvelope(m.identity);
  if (!identity) return undefined;
  if (type === 'identity') return { type, identity, seq };
  const credentials = type === 'credentials' ? readCredentialsEnvelope(m.credentials) : undefined;
  if (credentials?.identityId !== identity.identityId) return undefined;
  return { type: 'credentials', identity, credentials, seq };
}

function toWire(message: TabMessage, seq: number): Record<string, unknown> & { seq: number } {
  return {
    v: MESSAGE_VERSION,
    seq,
    type: message.type,
    ...(message.type !== 'signOut' ? { identity: identityEnvelope(message.identity) } : {}),
    ...(message.type === 'credentials' ? { credentials: credentialsEnvelope(message.credentials) } : {}),
  };
}

/** The lock's and the channel's name: one per storage key prefix and pool. */
export function tabChannelName(storageKeyPrefix: string, identityPoolId: string): string {
  return `${storageKeyPrefix}:${identityPoolId}:tabs`;
}

/** The name of the shared lock that carries `record`. */
export function recordLockName(name: string, record: TabRecord): string {
  return `${name}:record:${JSON.stringify({
    s: record.seq,
    i: record.identity ? identityEnvelope(record.identity) : null,
    e: record.expiration,
  })}`;
}

/** The record in a lock's name, if it is one of `name`'s and well formed. */
export function readRecordLockName(name: string, lockName: unknown): TabRecord | undefined {
  const prefix = `${name}:record:`;
  if (typeof lockName !== 'string' || !lockName.startsWith(prefix)) return undefined;
  let value: { s?: unknown; i?: unknown; e?: unknown } | null;
  try {
    value = JSON.parse(lockName.slice(prefix.length));
  } catch {
    return undefined;
  }
  const identity = readIdentityEnvelope(value?.i);
  if (!value || !isPositiveInteger(value.s) || (value.i !== null && !identity)) return undefined;
  if (value.e !== undefined && !(identity && isPositiveInteger(value.e))) return undefined;
  return { seq: value.s, identity, ...(value.e !== undefined ? { expiration: value.e as number } : {}) };
}

const nothingHeld: HeldTabLock = Object.freeze({
  latest: async () => undefined,
  publish: async () => {},
  credentialsOf: async () => undefined,
});

const single: TabCoordinator = Object.freeze({
  mode: 'single' as const,
  withLock: <T>(work: (held: HeldTabLock) => Promise<T>) => work(nothingHeld),
  close: () => {},
});

/** Whether this runtime has what coordination needs (a lock manager and `BroadcastChannel`). */
export function tabsAvailable(scope: unknown = globalThis): boolean {
  try {
    const s = scope as TabScope | undefined;
    return typeof s?.navigator?.locks?.request === 'function' && typeof s.BroadcastChannel === 'function';
  } catch {
    return false;
  }
}

export interface TabCoordinatorOptions {
  name: string;
  enabled: boolean;
  onMessage(message: ReceivedTabMessage): void;
  /** Epoch milliseconds; sequence numbers start from it so they keep growing across reloads. */
  now?: () => number;
}

/** Credentials messages kept for a holder that learns of them from a record after they arrived. */
const KEPT_CREDENTIALS = 4;

export function createTabCoordinator(
  options: TabCoordinatorOptions,
  scope: unknown = globalThis,
): TabCoordinator {
  if (!options.enabled || !tabsAvailable(scope)) return single;
  const s = scope as Required<TabScope>;
  const locks = s.navigator?.locks as LockManagerLike;
  const now = options.now ?? (() => Date.now());
  let channel: ChannelLike;
  try {
    channel = new s.BroadcastChannel(options.name);
  } catch {
    return single;
  }
  let closed = false;
  /** The highest sequence number seen: messages below it are stale. */
  let lastSeq = 0;
  /** Lets go of this tab's current record. */
  let releaseRecord: (() => void) | undefined;
  const kept: Extract<ReceivedTabMessage, { type: 'credentials' }>[] = [];
  /** Holders waiting for credentials a record announced; called with `undefined` on close. */
  const waiting = new Set<
    (message: Extract<ReceivedTabMessage, { type: 'credentials' }> | undefined) => void
  >();

  async function latest(): Promise<TabRecord | undefined> {
    if (typeof locks.query !== 'function') return undefined;
    let held: { name?: string }[] | undefined;
    try {
      held = (await locks.query.call(locks))?.held;
    } catch {
      return undefined;
    }
    let newest: TabRecord | undefined;
    for (const lock of Array.isArray(held) ? held : []) {
      const record = readRecordLockName(options.name, lock?.name);
      if (record && (!newest || record.seq > newest.seq)) newest = record;
    }
    return newest;
  }

  /** Takes the shared lock that carries `record`, waits until it is granted, then drops the previous one. */
  async function hold(record: TabRecord): Promise<void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await new Promise<void>((granted) => {
      locks
        .request(recordLockName(options.name, record), { mode: 'shared' }, () => {
          granted();
          return released;
        })
        .catch(() => granted());
    });
    releaseRecord?.();
    releaseRecord = release;
    if (closed) release();
  }

  /** The wire form of this tab's latest broadcast credentials (answers an `ask` for its record). */
  let lastCredentials: (Record<string, unknown> & { seq: number }) | undefined;
  function post(message: Record<string, unknown>) {
    try {
      channel.postMessage(message);
    } catch {
      // A closed or broken channel: the records still tell the next lock holder.
    }
  }

  const held: HeldTabLock = {
    latest,
    async publish(message) {
      if (closed) return;
      const seq = Math.max(now(), lastSeq + 1, ((await latest())?.seq ?? 0) + 1);
      lastSeq = seq;
      // An identity alone is broadcast only for a guest: an authenticated one needs the login's
      // token anyway.
      const wire = toWire(message, seq);
      lastCredentials = message.type === 'credentials' ? wire : undefined;
      if (message.type !== 'identity' || !message.identity.authenticated) post(wire);
      await hold({
        seq,
        identity: message.type === 'signOut' ? undefined : message.identity,
        ...(message.type === 'credentials' ? { expiration: message.credentials.expiration.getTime() } : {}),
      });
    },
    credentialsOf(record, timeoutMs, signal) {
      const matches = (m: (typeof kept)[number]) =>
        m.seq === record.seq &&
        m.identity.identityId === record.identity?.identityId &&
        m.credentials.expiration.getTime() === record.expiration;
      const found = kept.find(matches);
      if (found || closed || signal?.aborted) return Promise.resolve(found?.credentials);
      // Sent before this tab listened (it opened later): the record's holder sends them again.
      post({ v: MESSAGE_VERSION, type: 'ask', seq: record.seq });
      return new Promise((resolve) => {
        const done = (credentials: IdentityPoolCredentials | undefined) => {
          clearTimeout(timer);
          waiting.delete(onMessage);
          signal?.removeEventListener('abort', onAbort);
          resolve(credentials);
        };
        const onMessage = (message: (typeof kept)[number] | undefined) => {
          if (!message || matches(message)) done(message?.credentials);
        };
        const onAbort = () => done(undefined);
        const timer = setTimeout(() => done(undefined), timeoutMs);
        waiting.add(onMessage);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };

  channel.onmessage = (event) => {
    const data = event?.data as { v?: unknown; type?: unknown; seq?: unknown } | null;
    if (data?.v === MESSAGE_VERSION && data.type === 'ask') {
      // A tab that opened after the broadcast asks for the credentials of this tab's record.
      if (!closed && lastCredentials && data.seq === lastCredentials.seq) post(lastCredentials);
      return;
    }
    const message = readTabMessage(data);
    if (!message || closed || message.seq <= lastSeq) return;
    lastSeq = message.seq;
    if (message.type === 'credentials') {
      kept.push(message);
      if (kept.length > KEPT_CREDENTIALS) kept.shift();
      for (const wait of [...waiting]) wait(message);
    }
    options.onMessage(message);
  };

  return {
    mode: 'tabs',
    async withLock<T>(work: (held: HeldTabLock) => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (closed) return work(nothingHeld);
      let result: T | undefined;
      await locks.request(
        options.name,
        signal ? { mode: 'exclusive', signal } : { mode: 'exclusive' },
        async () => {
          result = await work(held);
        },
      );
      return result as T;
    },
    close() {
      if (closed) return;
      closed = true;
      lastCredentials = undefined;
      releaseRecord?.();
      for (const wait of [...waiting]) wait(undefined);
      channel.onmessage = null;
      try {
        channel.close();
      } catch {
        // Nothing more to do.
      }
    },
  };
}

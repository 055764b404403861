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

import { ownFields, setOwn } from './shape.js';
import { trustedCredentials } from './storage/record-scope.js';
import {
  credentialsEnvelope,
  type IdentityStamp,
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
  | {
      type: 'credentials';
      identity: StoredIdentity;
      credentials: IdentityPoolCredentials;
      /** The signed-in user's login tokens: every tab of the origin serves that user. */
      logins?: SharedLogins | undefined;
    }
  | { type: 'signOut' };

/** Login tokens as they cross tabs (in memory, on the channel; never in storage or a lock name). */
export type SharedLogins = Readonly<Record<string, SharedLogin>>;
export interface SharedLogin {
  token: string;
  /** Epoch ms. */
  expiresAt?: number | undefined;
  /** The identity the token was issued for (developer-authenticated identities). */
  identityId?: string | undefined;
}

/** Credentials another tab broadcast, with the signed-in user's login tokens when there is one. */
export interface SharedCredentials {
  credentials: IdentityPoolCredentials;
  logins?: SharedLogins | undefined;
}

/**
 * What the session hears from the other tabs: their messages, with the sequence number of the
 * lock hold that sent them. A sign-out may also be learned from a later message or record (its
 * own message late or lost); `survivor` is then the identity the origin holds since, which a
 * session that already holds it keeps.
 */
export type ReceivedTabMessage =
  | ({ type: 'identity'; identity: StoredIdentity } & IdentityStamp)
  | ({
      type: 'credentials';
      identity: StoredIdentity;
      credentials: IdentityPoolCredentials;
      logins?: SharedLogins | undefined;
    } & IdentityStamp)
  | { type: 'signOut'; seq: number; survivor?: StoredIdentity | undefined };

/**
 * The newest state of the pool a tab knows of: an identity (none after a sign-out) and, when
 * credentials were fetched and broadcast, their expiry. Kept in the lock manager (see above).
 */
export interface TabRecord extends IdentityStamp {
  identity: StoredIdentity | undefined;
  /** Epoch ms of the credentials fetched and broadcast, if they were. */
  expiration?: number | undefined;
}

/**
 * Whether `a` is a later state than `b`. A sign-out outranks everything made without knowing of
 * it (a record or message that does not remember it), whatever its sequence number: a tab that
 * was granted the lock before it heard of a sign-out cannot undo it.
 */
export function isNewer(a: IdentityStamp, b: IdentityStamp | undefined): boolean {
  if (!b) return true;
  return a.signedOutAt !== b.signedOutAt ? a.signedOutAt > b.signedOutAt : a.seq > b.seq;
}

/** What a session can do while it holds the pool's lock. */
export interface HeldTabLock {
  /**
   * The newest record any live tab holds, read when the lock was granted (no other tab can publish
   * meanwhile), or `undefined` when there is none (then storage is all there is). A sign-out in
   * it that this tab had not heard of has been delivered already.
   */
  readonly latest: TabRecord | undefined;
  /** Where this hold's next publish will stand: stored with an identity written under the lock. */
  readonly stamp: IdentityStamp | undefined;
  /** Moves `stamp` after everything this tab knows now (a sign-out heard during the hold). */
  restamp(): IdentityStamp | undefined;
  /** Records what this tab obtained and tells the other tabs; resolves to where it stands. */
  publish(message: Exclude<TabMessage, { type: 'signOut' }>): Promise<IdentityStamp | undefined>;
  /** The credentials broadcast with `record`: known already, or asked for and awaited up to `timeoutMs`. */
  credentialsOf(
    record: TabRecord,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<SharedCredentials | undefined>;
}

export interface TabCoordinator {
  /** `'single'` from the start where coordination is off or impossible, or once the lock manager refused a request. */
  readonly mode: Coordination;
  /** Runs `work` holding the pool's lock (exclusive, across tabs); at once when single-tab. */
  withLock<T>(work: (held: HeldTabLock) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** The newest record now, without the lock (a snapshot: another tab may publish right after). */
  peek(): Promise<TabRecord | undefined>;
  /**
   * The next credentials another tab broadcasts for `identityId` expiring after `after` (epoch ms),
   * awaited up to `timeoutMs`: a renewal by a tab that can renew the login.
   */
  nextCredentials(
    identityId: string,
    after: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<SharedCredentials | undefined>;
  /** As `HeldTabLock.credentialsOf`, without the lock (a session starting up). */
  credentialsOf(
    record: TabRecord,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<SharedCredentials | undefined>;
  /**
   * Tells every tab of this tab's sign-out at once and records it, without the pool's lock (a tab
   * may hold it for a request as long as `requestTimeoutMs`): the sign-out outranks whatever a lock
   * holder publishes without knowing of it. Resolves to where it stands once its record is held;
   * `undefined` when single-tab.
   */
  signOut(): Promise<IdentityStamp | undefined>;
  /** The latest sign-out this tab heard of (0 for none). */
  readonly signedOutAt: number;
  /** Closes the channel and lets go of this tab's record. */
  close(): void;
}

interface LockManagerLike {
  request(
    name: string,
    options: { mode?: 'exclusive' | 'shared'; signal?: AbortSignal },
    callback: () => Promise<unknown>,
  ): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}
interface ChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}
interface TabScope {
  navigator?: { locks?: LockManagerLike };
  BroadcastChannel?: new (name: string) => ChannelLike;
  document?: unknown;
  importScripts?: unknown;
}

const MESSAGE_VERSION = 1;

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/**
 * How far ahead of the clock a sequence number may be. They start from `Date.now()` and grow by
 * one per publish, so one further ahead was not made by this library — and, taken as the newest,
 * it would push every later number past `Number.MAX_SAFE_INTEGER`, where they are refused
 * everywhere and sign-outs stop reaching the other tabs.
 */
export const MAX_SEQ_AHEAD_MS = 24 * 3_600_000;

/** A sequence number this library could have made by `now` (epoch ms). */
const isSeq = (value: unknown, now: number): value is number =>
  isPositiveInteger(value) && value <= now + MAX_SEQ_AHEAD_MS;

/** Whether a stamp (stored by a tab) holds sequence numbers this library could have made by `now`. */
export const isPlausibleStamp = (stamp: IdentityStamp, now: number = Date.now()): boolean =>
  isSeq(stamp.seq, now) && (stamp.signedOutAt === 0 || isSeq(stamp.signedOutAt, now));

/**
 * A message from another tab, checked (the identity and credentials as storage's schemas check
 * them); anything else is ignored.
 */
export function readTabMessage(
  data: unknown,
  now: number = Date.now(),
): (ReceivedTabMessage & IdentityStamp) | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  // Own fields only: one inherited from a polluted Object.prototype is absent.
  const m = ownFields(data);
  const { seq, type, o } = m;
  if (m.v !== MESSAGE_VERSION || !isSeq(seq, now)) return undefined;
  if (o !== undefined && !(isPositiveInteger(o) && o <= seq)) return undefined;
  if (type === 'signOut') return { type, seq, signedOutAt: seq };
  const signedOutAt = (o as number | undefined) ?? 0;
  const identity = readIdentityEnvelope(m.identity);
  if (!identity) return undefined;
  if (type === 'identity') return { type, identity, seq, signedOutAt };
  const received = type === 'credentials' ? readCredentialsEnvelope(m.credentials) : undefined;
  if (received?.identityId !== identity.identityId) return undefined;
  // Trusted no longer than stored credentials are: a tab's message is as untrusted as storage.
  const credentials = trustedCredentials(received, now);
  if (m.logins === undefined) return { type: 'credentials', identity, credentials, seq, signedOutAt };
  const logins = readSharedLogins(m.logins, identity);
  return logins && { type: 'credentials', identity, credentials, logins, seq, signedOutAt };
}

const isIdentityIdLike = (value: unknown) =>
  typeof value === 'string' && value.length <= 55 && /^[\w-]+:[0-9a-f-]+$/.test(value);

/** Login tokens from a message: for an authenticated identity, each of its providers, as `login()` accepts them. */
function readSharedLogins(value: unknown, identity: StoredIdentity): SharedLogins | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !identity.authenticated)
    return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 || entries.length > 10) return undefined;
  const logins: Record<string, SharedLogin> = {};
  for (const [key, raw] of entries) {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const { token, expiresAt, identityId } = ownFields(raw);
    const valid =
      identity.providers.includes(key) &&
      typeof token === 'string' &&
      token.length > 0 &&
      token.length <= 50_000 &&
      (expiresAt === undefined || Number.isFinite(expiresAt)) &&
      (identityId === undefined || isIdentityIdLike(identityId));
    if (!valid) return undefined;
    setOwn(logins, key, {
      token,
      expiresAt: expiresAt as number | undefined,
      identityId: identityId as string | undefined,
    });
  }
  return logins;
}

type Wire = Record<string, unknown> & { seq: number };

function toWire(message: TabMessage, seq: number, signedOutAt: number): Wire {
  return {
    v: MESSAGE_VERSION,
    seq,
    ...(signedOutAt > 0 && message.type !== 'signOut' ? { o: signedOutAt } : {}),
    type: message.type,
    ...(message.type !== 'signOut' ? { identity: identityEnvelope(message.identity) } : {}),
    ...(message.type === 'credentials' ? { credentials: credentialsEnvelope(message.credentials) } : {}),
    ...(message.type === 'credentials' && message.logins ? { logins: message.logins } : {}),
  };
}

const recordOf = (message: TabMessage & { seq: number; signedOutAt: number }): TabRecord => ({
  seq: message.seq,
  identity: message.type === 'signOut' ? undefined : message.identity,
  signedOutAt: message.signedOutAt,
  ...(message.type === 'credentials' ? { expiration: message.credentials.expiration.getTime() } : {}),
});

/**
 * The lock's and the channel's name: one per storage key prefix and pool. It starts with a
 * letter (the Web Locks API refuses names that start with `-`).
 */
export function tabChannelName(storageKeyPrefix: string, identityPoolId: string): string {
  return `tabs:${storageKeyPrefix}:${identityPoolId}`;
}

/** The name of the shared lock that carries `record`. */
export function recordLockName(name: string, record: TabRecord): string {
  return `${name}:record:${JSON.stringify({
    s: record.seq,
    i: record.identity ? identityEnvelope(record.identity) : null,
    o: record.identity && record.signedOutAt > 0 ? record.signedOutAt : undefined,
    e: record.expiration,
  })}`;
}

/** The record in a lock's name, if it is one of `name`'s and well formed. */
export function readRecordLockName(
  name: string,
  lockName: unknown,
  now: number = Date.now(),
): TabRecord | undefined {
  const prefix = `${name}:record:`;
  if (typeof lockName !== 'string' || !lockName.startsWith(prefix)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(lockName.slice(prefix.length));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  // Own fields only: one inherited from a polluted Object.prototype is absent.
  const value = ownFields(parsed);
  const identity = readIdentityEnvelope(value.i);
  if (!isSeq(value.s, now) || (value.i !== null && !identity)) return undefined;
  if (value.e !== undefined && !(identity && isPositiveInteger(value.e))) return undefined;
  if (value.o !== undefined && !(identity && isPositiveInteger(value.o) && value.o <= value.s))
    return undefined;
  return {
    seq: value.s,
    identity,
    signedOutAt: identity ? ((value.o as number | undefined) ?? 0) : value.s,
    ...(value.e !== undefined ? { expiration: value.e as number } : {}),
  };
}

const nothingHeld: HeldTabLock = Object.freeze({
  latest: undefined,
  stamp: undefined,
  restamp: () => undefined,
  publish: async () => undefined,
  credentialsOf: async () => undefined,
});

const single: TabCoordinator = Object.freeze({
  mode: 'single' as const,
  withLock: <T>(work: (held: HeldTabLock) => Promise<T>) => work(nothingHeld),
  peek: async () => undefined,
  nextCredentials: async () => undefined,
  credentialsOf: async () => undefined,
  signOut: async () => undefined,
  signedOutAt: 0,
  close: () => {},
});

/**
 * Whether this runtime is a browser page or worker with what coordination needs: a lock manager
 * with `query()`, and `BroadcastChannel`. Server runtimes that have both (Deno, newer Node) are
 * left out on purpose: there one process serves many users, whose sessions must not share an
 * identity.
 */
export function tabsAvailable(scope: unknown = globalThis): boolean {
  try {
    const s = scope as TabScope | undefined;
    const browser =
      (typeof s?.document === 'object' && s.document !== null) || typeof s?.importScripts === 'function';
    const locks = s?.navigator?.locks;
    return (
      browser &&
      typeof locks?.request === 'function' &&
      typeof locks.query === 'function' &&
      typeof s?.BroadcastChannel === 'function'
    );
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

type Waiter = (message: ReceivedTabMessage | undefined, replyTo: unknown) => void;

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
  /** The lock manager refused a request (an opaque origin): single-tab from then on. */
  let refused = false;
  /**
   * The newest state this tab knows of (published, received or read), held as a record so that
   * it outlives the tab that published it: a sign-out stays the newest state after its tab closed.
   */
  let known: TabRecord | undefined;
  /** The wire form of `known`'s credentials when this tab has them (answers an `ask`). */
  let knownCredentials: Wire | undefined;
  /** The sequence number of the latest message delivered to the session, or published by this tab. */
  let delivered = 0;
  /** The latest sign-out this tab heard of (its sequence number): each is delivered once. */
  let heardSignOut = 0;
  let releaseRecord: (() => void) | undefined;
  /** Records are taken one after the other, in the order they were learned. */
  let holding: Promise<void> = Promise.resolve();
  const waiting = new Set<Waiter>();

  const post = (message: Record<string, unknown>) => {
    try {
      channel.postMessage(message);
    } catch {
      // A closed or broken channel: the records still tell the next lock holder.
    }
  };

  async function readLatest(): Promise<TabRecord | undefined> {
    let held: { name?: string }[] | undefined;
    try {
      held = (await locks.query())?.held;
    } catch {
      return undefined;
    }
    let newest: TabRecord | undefined;
    for (const lock of Array.isArray(held) ? held : []) {
      const record = readRecordLockName(options.name, lock?.name, now());
      if (record && isNewer(record, newest)) newest = record;
    }
    return newest;
  }

  /** Takes the shared lock that carries `record` and waits until it is granted, then drops the previous one. */
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

  /** Makes `record` what this tab knows, if it is newer; resolves once its lock is held. */
  function learn(record: TabRecord, credentials?: Wire): Promise<void> | undefined {
    if (closed || !isNewer(record, known)) return undefined;
    known = record;
    knownCredentials = credentials;
    holding = holding.then(() => (known === record ? hold(record) : undefined));
    return holding;
  }

  /**
   * A sign-out this tab had not heard of: from its own message, or from a later message or record
   * that remembers it (`survivor` is then the identity the origin has held since).
   */
  function hearSignOut(at: number, survivor: StoredIdentity | undefined) {
    if (closed || at <= heardSignOut) return;
    heardSignOut = at;
    // What this tab knows already came after it (read by peek(), say): that is the survivor.
    if (known && isNewer(known, { seq: at, signedOutAt: at })) survivor = known.identity;
    // Held from now on unless what told of it is newer (it is learned right after): what this
    // tab knew from before the sign-out is over.
    learn({ seq: at, identity: undefined, signedOutAt: at });
    // Passed on once by every tab that hears of it: a tab that opened after its own message, and
    // took what a tab published without knowing of it (granted the lock after the sign-out's tab
    // closed), hears of it this way; the stale state then ranks below it.
    post({ v: MESSAGE_VERSION, seq: at, type: 'signOut' });
    options.onMessage({ type: 'signOut', seq: at, survivor });
  }

  /** This tab's latest sign-out, until it is recorded: its own lock holds start after it. */
  let ownSignOut: Promise<void> = Promise.resolve();

  async function announceSignOut(): Promise<IdentityStamp | undefined> {
    const latest = await readLatest();
    // Stopped meanwhile: a closing tab cannot promise to tell the others.
    if (closed) return undefined;
    const seq = Math.max(now(), (known?.seq ?? 0) + 1, (latest?.seq ?? 0) + 1, heardSignOut + 1);
    heardSignOut = seq;
    post(toWire({ type: 'signOut' }, seq, seq));
    await learn({ seq, identity: undefined, signedOutAt: seq });
    return { seq, signedOutAt: seq };
  }

  const credentialsIn = (wire: Wire | undefined): SharedCredentials | undefined => {
    const message = readTabMessage(wire);
    return message?.type === 'credentials'
      ? { credentials: message.credentials, logins: message.logins }
      : undefined;
  };

  /** The credentials broadcast with `record`: known already, or asked for and awaited up to `timeoutMs`. */
  function credentialsOf(
    record: TabRecord,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<SharedCredentials | undefined> {
    const known = knownCredentials?.seq === record.seq ? credentialsIn(knownCredentials) : undefined;
    if (known?.credentials.expiration.getTime() === record.expiration) return Promise.resolve(known);
    if (closed || signal?.aborted) return Promise.resolve(undefined);
    // Sent before this tab listened (it opened later): whoever knows them sends them again,
    // to this tab only.
    const to = `${now()}-${Math.random()}`;
    post({ v: MESSAGE_VERSION, type: 'ask', seq: record.seq, to });
    return awaitCredentials(
      (message, replyTo) =>
        (replyTo === undefined || replyTo === to) &&
        message.seq === record.seq &&
        message.identity.identityId === record.identity?.identityId &&
        message.credentials.expiration.getTime() === record.expiration,
      timeoutMs,
      signal,
    );
  }

  /** The first credentials message that `matches`, awaited up to `timeoutMs` (or an abort, or close). */
  function awaitCredentials(
    matches: (message: Extract<ReceivedTabMessage, { type: 'credentials' }>, replyTo: unknown) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<SharedCredentials | undefined> {
    if (closed || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (shared: SharedCredentials | undefined) => {
        clearTimeout(timer);
        waiting.delete(onMessage);
        signal?.removeEventListener('abort', onAbort);
        resolve(shared);
      };
      const onMessage: Waiter = (message, replyTo) => {
        if (!message) return done(undefined);
        if (message.type === 'credentials' && matches(message, replyTo))
          done({ credentials: message.credentials, logins: message.logins });
      };
      const onAbort = () => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      waiting.add(onMessage);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  function held(latest: TabRecord | undefined): HeldTabLock {
    const next = (signedOutAt: number): IdentityStamp => ({
      seq: Math.max(now(), (known?.seq ?? 0) + 1, (latest?.seq ?? 0) + 1, signedOutAt),
      signedOutAt,
    });
    let stamp = next(heardSignOut);
    return {
      latest,
      get stamp() {
        return stamp;
      },
      restamp() {
        stamp = next(heardSignOut);
        return stamp;
      },
      async publish(message) {
        if (closed) return stamp;
        // Where `stamp` says (storage has it, or gets it next): what this hold obtained ranks below
        // a sign-out heard during the hold, unless `restamp()` said it came after it.
        const { seq, signedOutAt } = stamp;
        stamp = { seq: Math.max(now(), seq + 1), signedOutAt };
        delivered = Math.max(delivered, seq);
        const wire = toWire(message, seq, signedOutAt);
        // An identity alone is broadcast only for a guest: an authenticated one needs the login's
        // token anyway.
        if (message.type !== 'identity' || !message.identity.authenticated) post(wire);
        await learn(
          recordOf({ ...message, seq, signedOutAt }),
          message.type === 'credentials' ? wire : undefined,
        );
        return { seq, signedOutAt };
      },
      credentialsOf,
    };
  }

  channel.onmessage = (event) => {
    const data = event?.data as Wire | null;
    if (closed || typeof data !== 'object' || data === null) return;
    const { v, type, seq, to } = ownFields(data);
    if (v === MESSAGE_VERSION && type === 'ask') {
      if (knownCredentials && seq === knownCredentials.seq && typeof to === 'string')
        post({ ...knownCredentials, to });
      return;
    }
    const message = readTabMessage(data, now());
    if (!message) return;
    for (const wait of [...waiting]) wait(message, to);
    // A reply is for the tab that asked.
    if (to !== undefined) return;
    hearSignOut(message.signedOutAt, message.type === 'signOut' ? undefined : message.identity);
    if (message.type === 'signOut') return; // delivered just above
    // One older than what this tab knows is stale — unless this tab knows it only from its record
    // (read when it took the lock, before the message arrived): then it is delivered now.
    const credentials = message.type === 'credentials' ? data : undefined;
    const newer = learn(recordOf(message), credentials) !== undefined;
    const recordOnly =
      message.seq === known?.seq &&
      known.identity?.identityId === message.identity.identityId &&
      message.seq > delivered;
    if (!newer && !(recordOnly && !closed)) return;
    if (!newer && credentials) knownCredentials = credentials;
    delivered = message.seq;
    options.onMessage(message);
  };

  return {
    get mode() {
      return refused ? 'single' : 'tabs';
    },
    get signedOutAt() {
      return heardSignOut;
    },
    credentialsOf: (record, timeoutMs, signal) =>
      closed || refused ? Promise.resolve(undefined) : credentialsOf(record, timeoutMs, signal),
    nextCredentials: (identityId, after, timeoutMs, signal) =>
      refused
        ? Promise.resolve(undefined)
        : awaitCredentials(
            (message, replyTo) =>
              replyTo === undefined &&
              message.identity.identityId === identityId &&
              message.credentials.expiration.getTime() > after,
            timeoutMs,
            signal,
          ),
    peek: async () => {
      if (closed || refused) return undefined;
      const latest = await readLatest();
      // what was read is known (a restored identity stamped after a sign-out survives it). A
      // sign-out first read here is delivered, as withLock() does: taken as heard silently, the
      // identity this tab adopted meanwhile would outlive it (its message is then ignored).
      if (latest) {
        hearSignOut(latest.signedOutAt, latest.identity);
        learn(latest);
      }
      return latest;
    },
    signOut() {
      if (closed || refused) return Promise.resolve(undefined);
      const done = announceSignOut();
      ownSignOut = done.then(() => {});
      return done;
    },
    async withLock<T>(work: (held: HeldTabLock) => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (closed || refused) return work(nothingHeld);
      let result: T | undefined;
      let granted = false;
      try {
        await locks.request(
          options.name,
          signal ? { mode: 'exclusive', signal } : { mode: 'exclusive' },
          async () => {
            granted = true;
            await ownSignOut;
            const latest = await readLatest();
            // What other tabs did since this one last heard: a sign-out is delivered before the
            // work starts (its message may still be on its way, or a later one may have passed
            // it), and the newest record is held from now on.
            if (latest) {
              hearSignOut(latest.signedOutAt, latest.identity);
              learn(latest);
            }
            result = await work(held(latest));
          },
        );
      } catch (error) {
        if (granted || closed || signal?.aborted) throw error;
        // The lock manager refused the request itself (an opaque origin, say): on our own.
        refused = true;
        return work(nothingHeld);
      }
      return result as T;
    },
    close() {
      if (closed) return;
      closed = true;
      known = undefined;
      knownCredentials = undefined;
      releaseRecord?.();
      for (const wait of [...waiting]) wait(undefined, undefined);
      channel.onmessage = null;
      try {
        channel.close();
      } catch {
        // Nothing more to do.
      }
    },
  };
}

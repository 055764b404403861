/**
 * Property-based test of cross-tab coordination (src/tabs.ts, the lock in session.ts, sign-out in
 * auth.ts): random origins of 2–6 tabs — one storage for all or one each (Chromium's lagging
 * `localStorage` at its worst), `persistCredentials` on or off, a channel 0–50 ms late, a service
 * 0–30 ms slow, storage reads 0–15 ms slow, messages of different tabs overtaking each other — run
 * random batches of concurrent calls (getCredentials, forced refreshes, getIdentityId,
 * clearCredentials, logout, clear, opening and closing tabs, the service deleting an identity,
 * same-origin script posting a message whose sequence number is far ahead).
 * Time is vitest's fake clock, so every run (and fast-check's counterexample, with its seed and
 * path) replays exactly; a run takes a few milliseconds of wall time.
 *
 * The invariants (see `World`):
 * 1. One identity per sign-out epoch. An epoch starts when a sign-out is posted or its record
 *    taken, whichever comes first. A sign-out does not wait for the pool's lock, so a GetId can
 *    run concurrently with it: an identity belongs to the epoch its first publication says it
 *    knows of (its `o`: made without knowing of a sign-out, it ranks below it and is ended by it).
 *    A GetId is only sent when no live tab already holds a (not deleted) identity of this epoch,
 *    and at every quiet point the live tabs that hold an identity hold the same one, of this epoch.
 * 2. Once logout() resolved and the channel delay passed twice (a tab opened after the sign-out
 *    was posted hears of it from a tab that passes it on), no live tab reports an identity that
 *    was asked for before the sign-out, and no call resolves with one.
 * 3. Credentials handed to a caller are exactly those the service issued, for the identity the
 *    tab reports, with more than a minute of life.
 * 4. Every call settles (or rejects with AbortError / StoppedError, or ResourceNotFoundException
 *    after a deletion) within 10 s; once every tab is stopped the lock manager is empty.
 * 5. No lock name ever requested or held carries a secret key or session token.
 * 6. At every quiet point, a tab that holds an identity has it in its storage (per-tab storage
 *    included: one it adopted from another tab is stored as if it had obtained it).
 *
 * Weakened by design:
 * - With one storage per tab, a closed tab takes its record with it and the others' storage never
 *   catches up (a browser's does), so in an epoch where a tab was closed the per-tab model may make
 *   a second GetId: invariant 1 is not checked there (docs/architecture.md, "Many tabs", Limits).
 * - A logout() whose tab was stopped before it resolved ends nothing (a closing tab cannot promise
 *   to tell the others); invariant 2 counts only logouts whose tab lived to see them resolve.
 * - Invariant 3 accepts the identity the tab reported when asked if it forgot it by the time the
 *   caller runs (a cached answer, then a logout in the same tick).
 *
 * Replay a failure: PROPERTY_SEED=<seed> PROPERTY_PATH=<path>, or PROPERTY_SCENARIO=<its JSON>;
 * TABS_TRACE=1 prints its timeline (lock requests, messages, identity changes, calls).
 * PROPERTY_RUNS sets the number of runs.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIdentityPoolAuth, type IdentityPoolAuth } from '../../src/auth.js';
import { ServiceError } from '../../src/errors.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { storageKeys } from '../../src/storage/session-store.js';
import type { CognitoIdentityTransport, IdentityPoolCredentials, StorageAdapter } from '../../src/types.js';
import { POOL_ID, serviceErrors } from '../support/fixtures.js';
import { origin } from '../support/tab-scope.js';

const MINUTE = 60_000;
/** Fake milliseconds a call may take before it counts as hung (credentialsOf waits up to 1 s). */
const HANG_MS = 10_000;
/** Fake milliseconds after a message's delay by which its effects must be visible. */
const MARGIN_MS = 5;
/** Advancing fake time in slices this long, checking the always-invariants after each. */
const SLICE_MS = 2;
const MAX_LIVE_TABS = 6;
/** `TABS_TRACE=1`: print the timeline of every run (for replaying one counterexample). */
const TRACE = process.env.TABS_TRACE === '1';

type Command =
  | { kind: 'getCredentials'; tab: number }
  | { kind: 'forceRefresh'; tab: number }
  | { kind: 'getIdentityId'; tab: number }
  | { kind: 'clearCredentials'; tab: number }
  | { kind: 'logout'; tab: number }
  | { kind: 'clear'; tab: number }
  | { kind: 'open' }
  | { kind: 'stop'; tab: number }
  | { kind: 'deleteIdentity'; tab: number }
  /** Same-origin script posts a message whose sequence number is far ahead (issue 16 §3c). */
  | { kind: 'forge'; what: 'identity' | 'signOut'; seq: 'maxSafe' | 'days' };

/** Commands issued in the same tick, then either wait until everything is quiet or let `ms` pass. */
interface Step {
  commands: Command[];
  after: 'settle' | number;
}

interface Scenario {
  tabs: number;
  sharedStorage: boolean;
  persistCredentials: boolean;
  channelDelayMs: number;
  /** The service's latency, call after call (cycled). */
  latenciesMs: number[];
  /** How long each storage read takes (IndexedDB, an encrypted adapter: storage is async). */
  storageDelayMs?: number;
  /** Extra channel delays, message after message (cycled): messages of different tabs overtake. */
  jitterMs?: number[];
  steps: Step[];
}

const tabRef = fc.nat({ max: MAX_LIVE_TABS - 1 });
const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('getCredentials' as const), tab: tabRef }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('forceRefresh' as const), tab: tabRef }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('getIdentityId' as const), tab: tabRef }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clearCredentials' as const), tab: tabRef }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('logout' as const), tab: tabRef }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), tab: tabRef }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'open' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const), tab: tabRef }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteIdentity' as const), tab: tabRef }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('forge' as const),
      what: fc.constantFrom('identity' as const, 'signOut' as const),
      seq: fc.constantFrom('maxSafe' as const, 'days' as const),
    }),
  },
);
const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  commands: fc.array(commandArbitrary, { minLength: 1, maxLength: 3 }),
  after: fc.oneof(fc.constant('settle' as const), fc.integer({ min: 0, max: 60 })),
});
const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  tabs: fc.integer({ min: 2, max: MAX_LIVE_TABS }),
  sharedStorage: fc.boolean(),
  persistCredentials: fc.boolean(),
  channelDelayMs: fc.integer({ min: 0, max: 50 }),
  latenciesMs: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 6 }),
  storageDelayMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 15 })),
  jitterMs: fc.oneof(
    fc.constant<number[]>([]),
    fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 8 }),
  ),
  steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 12 }),
});

const identityIdOf = (n: number) => `us-east-1:aaaaaaaa-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
/** What no lock name may contain: every issued secret starts with one of these. */
const SECRET_MARKS = /S3CR3T|T0K3N/;

interface Tab {
  n: number;
  auth: IdentityPoolAuth;
  live: boolean;
  /** Its storage (shared by every tab, or its own). */
  storage: StorageAdapter;
  /** How many sign-outs had been made when it opened (those it may not have heard of). */
  signOutsAtOpen: number;
}
interface Epoch {
  /** Identities published as made in this epoch. */
  ids: Set<string>;
  stopped: boolean;
}
interface Call {
  label: string;
  startedAt: number;
  settled: boolean;
}

/** One run: an origin, a fake service, the tabs, and what the invariants need. */
class World {
  readonly violations: string[] = [];
  readonly startedAt = Date.now();
  trace(...what: unknown[]) {
    if (TRACE) console.log(`+${Date.now() - this.startedAt}ms`, ...what);
  }
  /** Records a violation once. */
  violate(message: string) {
    if (!this.violations.includes(message)) this.violations.push(message);
  }
  readonly tabs: Tab[] = [];
  readonly calls: Call[] = [];
  readonly origin: ReturnType<typeof origin>;
  readonly deleted = new Set<string>();
  /** Every identity GetId returned so far. */
  readonly issuedIds = new Set<string>();
  /** Credentials as the service issued them, by access key ID. */
  readonly issued = new Map<string, IdentityPoolCredentials>();
  readonly epochs: Epoch[] = [{ ids: new Set(), stopped: false }];
  /** Sequence numbers of the sign-outs seen (posted or recorded): each new one starts an epoch. */
  readonly signOuts = new Set<string>();
  /** For each sign-out, in order: the identities asked for before it (those it ends). */
  readonly signOutEnds: Set<string>[] = [];
  /** After each resolved logout(): the identities it ended, and when they must be gone everywhere. */
  readonly logouts: { ended: Set<string>; by: number; label: string }[] = [];
  readonly transport: CognitoIdentityTransport;
  readonly storage = memoryStorage();
  private serial = 0;
  private requests = 0;

  constructor(readonly scenario: Scenario) {
    this.origin = origin({ delayMs: scenario.channelDelayMs, jitterMs: scenario.jitterMs ?? [] });
    const { locks } = this.origin;
    const scope = this.origin.scope();
    // Every lock name any tab asks for is checked (5), and a sign-out record starts an epoch (1).
    const watched: typeof locks = {
      ...locks,
      request: (name, options, callback) => {
        this.checkLockName(name, 'requested');
        this.trace('lock requested:', name.slice(name.indexOf(':tabs') + 1));
        const signOut = /:record:\{"s":(\d+),"i":null/.exec(name)?.[1];
        if (signOut) this.noteSignOut(signOut);
        return locks.request(name, options, callback);
      },
      query: () => locks.query(),
    };
    vi.stubGlobal('navigator', { locks: watched });
    // A browser worker (coordination is on only in browser pages and workers).
    vi.stubGlobal('importScripts', scope.importScripts);
    const world = this;
    vi.stubGlobal(
      'BroadcastChannel',
      class extends scope.BroadcastChannel {
        override postMessage(data: unknown) {
          world.trace(
            'posted:',
            JSON.stringify(data).replace(/"(secretAccessKey|sessionToken)":"[^"]*"/g, ''),
          );
          const message = data as {
            type?: unknown;
            seq?: unknown;
            o?: unknown;
            identity?: { identityId?: unknown };
          };
          if (message?.type === 'signOut') world.noteSignOut(String(message.seq));
          else if (typeof message?.identity?.identityId === 'string')
            world.notePublished(message.identity.identityId, Number(message.o ?? 0));
          super.postMessage(data);
        }
      },
    );

    const latency = (signal: AbortSignal | undefined) => {
      const ms = scenario.latenciesMs[this.requests++ % scenario.latenciesMs.length] ?? 0;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    };
    this.transport = {
      getId: async ({ signal }) => {
        const identityId = identityIdOf(++this.serial);
        this.trace('GetId ->', identityId);
        this.noteGetId(identityId);
        await latency(signal);
        return { identityId };
      },
      getCredentialsForIdentity: async ({ identityId, signal }) => {
        await latency(signal);
        if (this.deleted.has(identityId)) throw serviceErrors.identityNotFound(identityId);
        const n = ++this.serial;
        const credentials = {
          accessKeyId: `ASIA${String(n).padStart(12, '0')}`,
          secretAccessKey: `S3CR3T/${n}/${identityId}`,
          sessionToken: `T0K3N/${n}/${identityId}`,
          expiration: new Date(Date.now() + 3_600_000),
        };
        this.issued.set(credentials.accessKeyId, { ...credentials, identityId });
        return { identityId, credentials };
      },
    };
    for (let i = 0; i < scenario.tabs; i++) this.open();
  }

  /** A sign-out, the first time it is posted or recorded: a new epoch, and what it ends. */
  noteSignOut(seq: string) {
    if (this.signOuts.has(seq)) return;
    this.signOuts.add(seq);
    this.signOutEnds.push(new Set(this.issuedIds));
    this.epochs.push({ ids: new Set(), stopped: false });
  }

  /** 1: an identity's epoch, from its first publication: the sign-outs it knows of. */
  notePublished(identityId: string, signedOutAt: number) {
    if (this.epochOf.has(identityId)) return;
    // Sign-outs made before every tab was closed are known nowhere any more: nothing can rank below them.
    const known = Math.max(signedOutAt, this.forgottenUpTo);
    const epoch = [...this.signOuts].filter((seq) => Number(seq) <= known).length;
    this.epochOf.set(identityId, epoch);
    this.epochs[epoch]?.ids.add(identityId);
  }
  readonly epochOf = new Map<string, number>();
  /** A tab was stopped while its logout() or clear() was pending. */
  forgetCutShort = false;
  /** The newest sign-out when the last live tab that was open when it was made was stopped. */
  forgottenUpTo = 0;

  get epoch(): Epoch {
    return this.epochs[this.epochs.length - 1] as Epoch;
  }
  live(): Tab[] {
    return this.tabs.filter((tab) => tab.live);
  }
  /** Whether invariant 1 holds by design in the current epoch (see the file's comment). */
  oneIdentityExpected(): boolean {
    return this.scenario.sharedStorage || !this.epoch.stopped;
  }

  open() {
    const base: StorageAdapter = this.scenario.sharedStorage ? this.storage : memoryStorage();
    const readMs = this.scenario.storageDelayMs ?? 0;
    // Reads see the value as it was when they started, and answer `readMs` later.
    const storage: StorageAdapter = readMs
      ? {
          getItem: (key) => {
            const value = base.getItem(key) as string | null;
            return new Promise((resolve) => setTimeout(() => resolve(value), readMs));
          },
          setItem: (key, value) => base.setItem(key, value),
          removeItem: (key) => base.removeItem(key),
        }
      : base;
    const auth = createIdentityPoolAuth({
      identityPoolId: POOL_ID,
      transport: this.transport,
      storage,
      persistCredentials: this.scenario.persistCredentials,
    });
    const n = this.tabs.length;
    auth.on('identityChanged', (change) => this.trace(`tab ${n} identityChanged`, change));
    this.tabs.push({ n, auth, live: true, storage: base, signOutsAtOpen: this.signOuts.size });
  }

  /** 1: a GetId is sent only when no live tab holds a live identity of this epoch. */
  noteGetId(identityId: string) {
    if (this.oneIdentityExpected()) {
      for (const tab of this.live()) {
        const id = tab.auth.getCachedIdentityId();
        if (id && this.epoch.ids.has(id) && !this.deleted.has(id))
          this.violate(`GetId sent while tab ${tab.n} holds ${id} of the same epoch`);
      }
    }
    this.issuedIds.add(identityId);
  }

  checkLockName(name: string, how: string) {
    if (SECRET_MARKS.test(name)) this.violate(`a lock name ${how} carries a secret: ${name}`);
    for (const c of this.issued.values()) {
      if (name.includes(c.secretAccessKey) || name.includes(c.sessionToken))
        this.violate(`a lock name ${how} carries a secret: ${name}`);
    }
  }

  /** 2: identities a resolved logout ended, once its message had time to arrive. */
  ended(): Set<string> {
    const now = Date.now();
    const ended = new Set<string>();
    for (const logout of this.logouts) if (logout.by <= now) for (const id of logout.ended) ended.add(id);
    return ended;
  }

  /** Checked after every slice of time: 2 (what tabs report) and 5 (locks held now). */
  checkAlways() {
    const ended = this.ended();
    for (const tab of this.live()) {
      const id = tab.auth.getCachedIdentityId();
      if (id && ended.has(id)) this.violate(`tab ${tab.n} still reports ${id} after a logout`);
    }
    for (const name of this.origin.locks.heldNames()) this.checkLockName(name, 'held');
  }

  /** Checked when everything is quiet: 1 (one identity, of this epoch). */
  checkQuiet() {
    this.checkStored();
    if (!this.oneIdentityExpected()) return;
    const held = new Map<string, number[]>();
    for (const tab of this.live()) {
      const id = tab.auth.getCachedIdentityId();
      if (!id) continue;
      if (!this.epoch.ids.has(id))
        this.violate(`tab ${tab.n} holds ${id}, which no GetId of this epoch returned`);
      if (!this.deleted.has(id)) held.set(id, [...(held.get(id) ?? []), tab.n]);
    }
    if (held.size > 1)
      this.violate(
        `live tabs hold ${held.size} identities: ${[...held].map(([id, tabs]) => `${id} in tabs ${tabs.join(',')}`).join('; ')}`,
      );
  }

  /**
   * 6: a tab that holds an identity, however it got it (its own request, another tab's message or
   * record), has it in its storage once things are quiet, so a reload restores it.
   */
  checkStored() {
    // A logout() cut short by stop() may clear storage without telling the tabs (documented limit).
    if (this.forgetCutShort) return;
    const key = storageKeys('identity-pool', POOL_ID).identity;
    for (const tab of this.live()) {
      const id = tab.auth.getCachedIdentityId();
      if (!id || this.deleted.has(id)) continue;
      const stored = tab.storage.getItem(key) as string | null;
      if (!stored?.includes(id)) this.violate(`tab ${tab.n} holds ${id} but its storage has ${stored}`);
    }
  }

  /** 3 for credentials; 2 for anything resolved. */
  checkResult(tab: Tab, label: string, value: unknown, reportedAtCall: string | undefined) {
    const id = typeof value === 'string' ? value : (value as IdentityPoolCredentials).identityId;
    if (this.ended().has(id)) this.violate(`${label} resolved with ${id} after a logout ended it`);
    if (typeof value === 'string') return;
    const c = value as IdentityPoolCredentials;
    const issued = this.issued.get(c.accessKeyId);
    if (
      !issued ||
      issued.identityId !== c.identityId ||
      issued.secretAccessKey !== c.secretAccessKey ||
      issued.sessionToken !== c.sessionToken ||
      issued.expiration.getTime() !== c.expiration.getTime()
    )
      this.violate(`${label} resolved with credentials the service never issued as such`);
    // The identity the tab reports as the caller gets them; or, when the tab forgot it in the
    // meantime (a logout or reset in the same tick as a cached answer), the one it reported when asked.
    const reported = tab.auth.getCachedIdentityId();
    if (reported !== c.identityId && !(reported === undefined && reportedAtCall === c.identityId))
      this.violate(`${label} resolved with credentials of ${c.identityId}, tab reports ${reported}`);
    if (c.expiration.getTime() - Date.now() <= MINUTE)
      this.violate(`${label} resolved with ${c.expiration.getTime() - Date.now()} ms of life`);
  }

  /** 4: tracks a call; it must settle, and reject only with an expected error. */
  track(tab: Tab, what: string, promise: Promise<unknown>, onResolve?: (value: unknown) => void) {
    const call: Call = { label: `tab ${tab.n} ${what}`, startedAt: Date.now(), settled: false };
    this.calls.push(call);
    promise.then(
      (value) => {
        call.settled = true;
        this.trace(
          `${call.label} resolved`,
          typeof value === 'object' ? (value as { identityId?: string })?.identityId : value,
        );
        onResolve?.(value);
      },
      (error: unknown) => {
        call.settled = true;
        const e = error as Error;
        this.trace(`${call.label} rejected`, e?.name);
        const expected =
          e?.name === 'AbortError' ||
          e?.name === 'StoppedError' ||
          (e instanceof ServiceError && e.code === 'ResourceNotFoundException' && this.deleted.size > 0);
        if (!expected) this.violate(`${call.label} rejected with ${e?.name}: ${e?.message}`);
      },
    );
  }

  run(command: Command) {
    this.trace('command', command);
    const live = this.live();
    if (command.kind === 'open') {
      if (live.length < MAX_LIVE_TABS) this.open();
      return;
    }
    if (command.kind === 'forge') return this.forge(command);
    const tab = live[command.tab % Math.max(live.length, 1)];
    if (!tab) return;
    const { auth } = tab;
    const reportedAtCall = auth.getCachedIdentityId();
    const check = (label: string) => (value: unknown) =>
      this.checkResult(tab, `tab ${tab.n} ${label}`, value, reportedAtCall);
    switch (command.kind) {
      case 'getCredentials':
        this.track(tab, 'getCredentials()', auth.getCredentials(), check('getCredentials()'));
        break;
      case 'forceRefresh':
        this.track(
          tab,
          'getCredentials({ forceRefresh })',
          auth.getCredentials({ forceRefresh: true }),
          check('getCredentials({ forceRefresh })'),
        );
        break;
      case 'getIdentityId':
        this.track(tab, 'getIdentityId()', auth.getIdentityId(), check('getIdentityId()'));
        break;
      case 'clearCredentials':
        this.track(tab, 'clearCredentials()', auth.clearCredentials());
        break;
      case 'logout':
      case 'clear':
        // A tab stopped before its logout() resolved may never have told the others (a closing
        // tab cannot promise that): only a logout whose tab lived to see it resolve counts.
        // clear() signs out every tab as logout() does. It ends what was asked for before its
        // sign-out (the first one posted after the call).
        {
          const signOutsBefore = this.signOutEnds.length;
          this.track(
            tab,
            `${command.kind}()`,
            command.kind === 'logout' ? auth.logout() : auth.clear(),
            () =>
              tab.live &&
              this.logouts.push({
                ended: new Set(this.signOutEnds[signOutsBefore] ?? []),
                by:
                  Date.now() +
                  // Two hops: a tab opened after the sign-out was posted hears of it from a tab that
                  // passes it on.
                  2 * (this.scenario.channelDelayMs + Math.max(0, ...(this.scenario.jitterMs ?? []))) +
                  MARGIN_MS,
                label: `tab ${tab.n} ${command.kind}()`,
              }),
          );
        }
        break;
      case 'stop':
        if (
          this.calls.some(
            (call) =>
              !call.settled &&
              /^tab \d+ (logout|clear)\(\)$/.test(call.label) &&
              call.label.startsWith(`tab ${tab.n} `),
          )
        )
          this.forgetCutShort = true;
        auth.stop();
        tab.live = false;
        this.epoch.stopped = true;
        // Sign-outs are known to the tabs open when they were made, and to tabs opened since that
        // read their record before the last of those closed. When that tab closes before a newer
        // one has read the records (opened in the same tick, say), no tab knows of them any more.
        if (!this.live().some((other) => other.signOutsAtOpen < this.signOuts.size))
          this.forgottenUpTo = Math.max(0, ...[...this.signOuts].map(Number));
        break;
      case 'deleteIdentity': {
        const id = auth.getCachedIdentityId();
        if (id) this.deleted.add(id);
        break;
      }
    }
  }

  /**
   * A message no tab of this library could have made: its sequence number is Number.MAX_SAFE_INTEGER
   * or two days ahead. Posted on a channel of its own (not counted as a sign-out); tabs must ignore
   * it, and later sign-outs must still reach every tab (invariant 2).
   */
  forge(command: Extract<Command, { kind: 'forge' }>) {
    const seq = command.seq === 'maxSafe' ? Number.MAX_SAFE_INTEGER : Date.now() + 2 * 24 * 3_600_000;
    const identityId = this.live()
      .map((tab) => tab.auth.getCachedIdentityId())
      .find((id) => id !== undefined);
    const channel = new (this.origin.scope().BroadcastChannel)(`tabs:identity-pool:${POOL_ID}`);
    if (command.what === 'signOut') channel.postMessage({ v: 1, seq, type: 'signOut' });
    else if (identityId)
      channel.postMessage({
        v: 1,
        seq,
        type: 'identity',
        identity: { v: 1, identityId, authenticated: false, providers: [] },
      });
    channel.close();
  }

  async advance(ms: number) {
    for (let spent = 0; spent < ms; spent += SLICE_MS) {
      await vi.advanceTimersByTimeAsync(Math.min(SLICE_MS, ms - spent));
      this.checkAlways();
    }
  }

  /** Lets time pass until every call settled (4), then until the last messages landed. */
  async settle() {
    while (this.calls.some((call) => !call.settled)) {
      const hung = this.calls.find((call) => !call.settled && Date.now() - call.startedAt > HANG_MS);
      if (hung) {
        this.violate(`${hung.label} did not settle within ${HANG_MS} ms`);
        hung.settled = true;
        continue;
      }
      await this.advance(10);
    }
    const margin =
      2 * (this.scenario.channelDelayMs + Math.max(0, ...(this.scenario.jitterMs ?? []))) +
      4 * (this.scenario.storageDelayMs ?? 0) +
      20;
    await this.advance(margin);
    // Quiet also means no tab still waits for the pool's lock (to store what it adopted): with
    // many tabs on slow storage those holds run one after another for longer than the margin.
    for (let waited = 0; waited < HANG_MS && (await this.lockBusy()); waited += margin)
      await this.advance(margin);
  }

  /** A lock request is pending, or the pool's lock (exclusive; the records are shared) is held. */
  private async lockBusy(): Promise<boolean> {
    const { held, pending } = await this.origin.locks.query();
    return pending.length > 0 || held.some((lock) => lock.mode === 'exclusive');
  }

  /** 4: every tab stopped, the lock manager empties (no lock held, none pending). */
  async finish() {
    await this.settle();
    for (const tab of this.live()) {
      tab.auth.stop();
      tab.live = false;
    }
    for (let i = 0; i < 100 && this.origin.locks.heldNames().length > 0; i++) await this.advance(10);
    const { held, pending } = await this.origin.locks.query();
    if (held.length) this.violate(`locks still held after every tab stopped: ${held.map((l) => l.name)}`);
    if (pending.length)
      this.violate(`lock requests still pending after every tab stopped: ${pending.length}`);
  }
}

async function play(scenario: Scenario): Promise<string[]> {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  let world: World | undefined;
  try {
    world = new World(scenario);
    for (const step of scenario.steps) {
      for (const command of step.commands) world.run(command);
      if (step.after === 'settle') {
        await world.settle();
        world.checkQuiet();
      } else await world.advance(step.after);
      if (world.violations.length) break;
    }
    if (!world.violations.length) {
      await world.finish();
      world.checkAlways();
    }
    return world.violations;
  } finally {
    for (const tab of world?.tabs ?? []) tab.auth.stop();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  }
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/**
 * Shrunk counterexamples fast-check (and reviews) found, each a bug that was fixed in src/tabs.ts,
 * src/session.ts or src/auth.ts; they stay here so that none comes back.
 */
const regressions: Array<[string, Scenario]> = [
  [
    // Not a bug of src: five tabs with storage of their own (11 ms a call) each store the guest
    // identity they adopted under the pool's lock, one after another, for longer than the quiet
    // margin; the harness checked invariant 6 while they still queued for the lock (settle now
    // also waits for the lock manager to be idle).
    'many tabs storing an adopted identity one after another are waited for before checking',
    {
      tabs: 5,
      sharedStorage: false,
      persistCredentials: false,
      channelDelayMs: 0,
      latenciesMs: [0],
      storageDelayMs: 11,
      jitterMs: [],
      steps: [
        { commands: [{ kind: 'open' }, { kind: 'getCredentials', tab: 0 }], after: 8 },
        { commands: [{ kind: 'stop', tab: 1 }], after: 'settle' },
      ],
    },
  ],
  [
    // A tab still reading a slow storage (persistCredentials: identity, then credentials) when the
    // sign-out arrived restored the ended identity, refreshed it and published it as newer than
    // the sign-out; the tabs that had logged out took it back.
    'a sign-out heard while a tab reads its storage at start ends what it read',
    {
      tabs: 2,
      sharedStorage: true,
      persistCredentials: true,
      channelDelayMs: 2,
      latenciesMs: [0],
      storageDelayMs: 15,
      jitterMs: [],
      steps: [
        { commands: [{ kind: 'getCredentials', tab: 0 }], after: 'settle' },
        { commands: [{ kind: 'open' }], after: 16 },
        { commands: [{ kind: 'logout', tab: 0 }], after: 'settle' },
        { commands: [{ kind: 'forceRefresh', tab: 2 }], after: 'settle' },
        {
          commands: [
            { kind: 'getIdentityId', tab: 0 },
            { kind: 'getIdentityId', tab: 1 },
          ],
          after: 'settle',
        },
      ],
    },
  ],
  [
    // clear()'s tab closed before anyone held its record; a tab made a guest identity under the
    // lock, then heard of that sign-out mid-hold; storage's stamp ranked below the sign-out and a
    // second tab made a second identity. The identity is now published again above the sign-out.
    'an identity made just before hearing of a closed tab’s sign-out is published again above it',
    {
      tabs: 2,
      sharedStorage: true,
      persistCredentials: false,
      channelDelayMs: 11,
      latenciesMs: [12],
      storageDelayMs: 1,
      jitterMs: [26],
      steps: [
        { commands: [{ kind: 'open' }, { kind: 'logout', tab: 0 }], after: 'settle' },
        { commands: [{ kind: 'clear', tab: 0 }], after: 23 },
        {
          commands: [
            { kind: 'stop', tab: 0 },
            { kind: 'getCredentials', tab: 0 },
            { kind: 'forceRefresh', tab: 1 },
          ],
          after: 'settle',
        },
        { commands: [{ kind: 'logout', tab: 0 }], after: 0 },
      ],
    },
  ],
  [
    // clear() in a tab that then closed (its sign-out record went with it); another tab, granted
    // the lock before the late sign-out message reached it, published credentials of the ended
    // identity, which a tab opened meanwhile adopted and kept: nobody was left to tell it. Every
    // tab now passes a sign-out on once when it first hears of it.
    'a tab opened after a sign-out hears of it from the tabs that did',
    {
      tabs: 3,
      sharedStorage: false,
      persistCredentials: false,
      channelDelayMs: 0,
      latenciesMs: [2, 12, 0],
      storageDelayMs: 0,
      jitterMs: [4],
      steps: [
        {
          commands: [
            { kind: 'forceRefresh', tab: 0 },
            { kind: 'forceRefresh', tab: 2 },
          ],
          after: 1,
        },
        {
          commands: [
            { kind: 'forceRefresh', tab: 1 },
            { kind: 'clear', tab: 0 },
          ],
          after: 16,
        },
        {
          commands: [{ kind: 'stop', tab: 0 }, { kind: 'open' }, { kind: 'getCredentials', tab: 0 }],
          after: 0,
        },
        { commands: [{ kind: 'getIdentityId', tab: 0 }], after: 'settle' },
      ],
    },
  ],
  [
    // A tab made the identity after the sign-out and closed at once, taking its record; another
    // tab, hearing the sign-out late, cleared the shared storage that held the new identity, and
    // a third GetId followed. Storage now carries the writer's sequence numbers.
    'a late sign-out does not clear an identity stored after it by a tab that closed since',
    {
      tabs: 2,
      sharedStorage: true,
      persistCredentials: false,
      channelDelayMs: 4,
      latenciesMs: [2],
      steps: [
        {
          commands: [
            { kind: 'logout', tab: 3 },
            { kind: 'getCredentials', tab: 3 },
            { kind: 'getIdentityId', tab: 0 },
          ],
          after: 4,
        },
        {
          commands: [{ kind: 'open' }, { kind: 'stop', tab: 4 }, { kind: 'clearCredentials', tab: 0 }],
          after: 0,
        },
        { commands: [{ kind: 'open' }], after: 'settle' },
      ],
    },
  ],
  [
    // forget() sends LOGOUT before it has the lock; a guest identity broadcast by another tab
    // arrives meanwhile and is adopted (SYNC: no identity yet), and the sign-out is then published
    // without forgetting it: the tab that logged out still holds the ended identity.
    'a logout while another tab’s new guest identity is on the channel forgets it too',
    {
      tabs: 2,
      sharedStorage: false,
      persistCredentials: false,
      channelDelayMs: 0,
      latenciesMs: [0],
      steps: [
        { commands: [{ kind: 'getIdentityId', tab: 0 }], after: 1 },
        { commands: [{ kind: 'logout', tab: 1 }], after: 0 },
        { commands: [{ kind: 'getIdentityId', tab: 0 }], after: 'settle' },
      ],
    },
  ],
  [
    // Tab 0 is granted the lock after tab 1's sign-out, before its message arrives: it refreshes
    // the ended identity's credentials and publishes them with a higher sequence number, so it
    // drops the sign-out as stale when it arrives, and tab 1 adopts the ended identity back.
    'a refresh granted the lock right after another tab’s sign-out does not revive the identity',
    {
      tabs: 2,
      sharedStorage: false,
      persistCredentials: false,
      channelDelayMs: 4,
      latenciesMs: [0],
      steps: [
        { commands: [{ kind: 'forceRefresh', tab: 0 }], after: 'settle' },
        {
          commands: [
            { kind: 'logout', tab: 1 },
            { kind: 'forceRefresh', tab: 0 },
          ],
          after: 0,
        },
        { commands: [{ kind: 'getCredentials', tab: 0 }], after: 'settle' },
      ],
    },
  ],
  [
    // Only the logging-out tab holds the sign-out record; when it closes, the newest live record
    // is tab 0's own record of the ended identity, taken back as "another tab's guest identity"
    // (then its credentials are awaited 1 s from itself before a GetCredentialsForIdentity).
    'a sign-out outlives the tab that logged out',
    {
      tabs: 2,
      sharedStorage: false,
      persistCredentials: false,
      channelDelayMs: 0,
      latenciesMs: [0],
      steps: [
        { commands: [{ kind: 'getCredentials', tab: 0 }], after: 'settle' },
        {
          commands: [
            { kind: 'logout', tab: 1 },
            { kind: 'getIdentityId', tab: 0 },
          ],
          after: 1,
        },
        {
          commands: [
            { kind: 'stop', tab: 1 },
            { kind: 'forceRefresh', tab: 0 },
          ],
          after: 'settle',
        },
      ],
    },
  ],
  [
    // The same cause with one shared storage and no logout: the replacement identity's record
    // leaves with its tab, an older record of the deleted identity is the newest left, so a reset
    // makes a second replacement although storage (and tab 0) hold the first.
    'a record that outlives a newer one does not win over storage',
    {
      tabs: 3,
      sharedStorage: true,
      persistCredentials: false,
      channelDelayMs: 2,
      latenciesMs: [0],
      steps: [
        { commands: [{ kind: 'getIdentityId', tab: 0 }], after: 'settle' },
        { commands: [{ kind: 'deleteIdentity', tab: 0 }], after: 'settle' },
        {
          commands: [
            { kind: 'forceRefresh', tab: 1 },
            { kind: 'getCredentials', tab: 0 },
          ],
          after: 9,
        },
        {
          commands: [
            { kind: 'stop', tab: 1 },
            { kind: 'forceRefresh', tab: 1 },
          ],
          after: 0,
        },
        { commands: [{ kind: 'getCredentials', tab: 0 }], after: 'settle' },
      ],
    },
  ],
  [
    // Tab 0 answers tab 1's `ask` (sent just before tab 1 logged out) by posting the old
    // credentials again after the sign-out; tab 2, opened after the sign-out was posted, has
    // seen no sequence number yet and adopts the ended identity from the answer.
    'an answer to an ask does not revive an ended identity in a tab opened since',
    {
      tabs: 2,
      sharedStorage: false,
      persistCredentials: false,
      channelDelayMs: 3,
      latenciesMs: [11],
      steps: [
        {
          commands: [
            { kind: 'forceRefresh', tab: 0 },
            { kind: 'getCredentials', tab: 1 },
          ],
          after: 28,
        },
        { commands: [{ kind: 'logout', tab: 1 }], after: 1 },
        { commands: [{ kind: 'open' }, { kind: 'getCredentials', tab: 0 }], after: 0 },
      ],
    },
  ],
  [
    // A sign-out no longer waits for the pool's lock. Its tab closed; a tab granted the lock just
    // before the message reached it made its hold's stamp without it, heard it before asking, and
    // published its new guest identity below it: another tab then made a second one.
    'a guest identity asked for after hearing of a sign-out mid-hold stands above it',
    {
      tabs: 3,
      sharedStorage: true,
      persistCredentials: false,
      channelDelayMs: 42,
      latenciesMs: [0],
      storageDelayMs: 1,
      jitterMs: [16],
      steps: [
        { commands: [{ kind: 'clear', tab: 4 }], after: 57 },
        {
          commands: [
            { kind: 'stop', tab: 4 },
            { kind: 'forceRefresh', tab: 0 },
            { kind: 'forceRefresh', tab: 1 },
          ],
          after: 'settle',
        },
        { commands: [{ kind: 'logout', tab: 0 }], after: 0 },
      ],
    },
  ],
  [
    // Harness, not library: the only tab that knew of a sign-out closed in the tick another tab
    // opened, before that tab read the records. No tab knows of it any more, so the new tab's
    // identity is stamped without it and belongs to the current epoch.
    'a sign-out whose last witness closes as a tab opens is forgotten, not a second identity',
    {
      tabs: 2,
      sharedStorage: true,
      persistCredentials: false,
      channelDelayMs: 0,
      latenciesMs: [0],
      storageDelayMs: 0,
      jitterMs: [0],
      steps: [
        {
          commands: [
            { kind: 'stop', tab: 0 },
            { kind: 'logout', tab: 0 },
            { kind: 'deleteIdentity', tab: 0 },
          ],
          after: 'settle',
        },
        { commands: [{ kind: 'open' }, { kind: 'stop', tab: 0 }], after: 'settle' },
        { commands: [{ kind: 'getCredentials', tab: 0 }], after: 'settle' },
        { commands: [{ kind: 'getCredentials', tab: 0 }], after: 0 },
      ],
    },
  ],
  [
    // A tab still reading its storage at start adopted the identity another tab broadcast, then
    // read the tabs' records (peek) just after a sign-out was recorded: it took the sign-out as
    // heard without ending what it held, so the sign-out's message, arriving next, was ignored.
    'a sign-out a starting tab reads in the records ends the identity it adopted meanwhile',
    {
      tabs: 2,
      sharedStorage: false,
      persistCredentials: false,
      channelDelayMs: 0,
      latenciesMs: [0],
      storageDelayMs: 11,
      jitterMs: [1],
      steps: [
        { commands: [{ kind: 'getCredentials', tab: 0 }], after: 'settle' },
        { commands: [{ kind: 'open' }, { kind: 'forceRefresh', tab: 0 }], after: 10 },
        {
          commands: [
            { kind: 'clear', tab: 0 },
            { kind: 'forge', what: 'identity', seq: 'maxSafe' },
          ],
          after: 0,
        },
      ],
    },
  ],
];

describe('tabs of one origin under random concurrent calls', () => {
  // PROPERTY_SCENARIO='<a counterexample's JSON>' replays one scenario (with TABS_TRACE=1, its timeline).
  if (process.env.PROPERTY_SCENARIO !== undefined)
    it('replay PROPERTY_SCENARIO', async () => {
      expect(await play(JSON.parse(process.env.PROPERTY_SCENARIO ?? '{}') as Scenario)).toEqual([]);
    });

  it.each(regressions)('regression: %s', async (_name, scenario) => {
    expect(await play(scenario)).toEqual([]);
  });

  it('keep every invariant (fast-check)', async () => {
    const stats = { runs: 0, commands: 0 };
    // A counterexample replayed under this test's name runs that scenario alone: without this,
    // `-t "keep every invariant"` ignored PROPERTY_SCENARIO and explored a fresh random seed, so a
    // deterministic failure looked like one that "passes most times" on replay.
    const replay = process.env.PROPERTY_SCENARIO;
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        stats.runs++;
        stats.commands += scenario.steps.reduce((sum, step) => sum + step.commands.length, 0);
        expect(await play(scenario)).toEqual([]);
      }),
      {
        numRuns: replay ? 1 : Number(process.env.PROPERTY_RUNS ?? 100),
        ...(replay ? { examples: [[JSON.parse(replay) as Scenario]] } : {}),
        endOnFailure: false,
        // Replays a failure: PROPERTY_SEED and PROPERTY_PATH as fast-check printed them.
        ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}),
        ...(process.env.PROPERTY_PATH ? { path: process.env.PROPERTY_PATH } : {}),
      },
    );
    console.log(`property runs: ${stats.runs}, commands: ${stats.commands}, invariant violations: 0`);
    expect(stats.runs).toBeGreaterThan(0);
  }, 120_000);
});

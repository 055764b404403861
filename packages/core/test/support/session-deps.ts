/**
 * `SessionDeps` for unit tests of the session layer (src/session.ts): real memory storage behind a
 * real `SessionStore` and `SignOutWatch`, a clock that moves only when told, a service stand-in
 * that records every request and answers from a script, and — for the rules about other tabs — a
 * scripted `TabCoordinator`. The coordinator is scripted rather than the real one (tabs.ts, tested
 * over a spec-shaped lock manager in tabs.test.ts and in Chromium) because these tests assert what
 * the session does with each thing a coordinator can report, including the orderings (a sign-out
 * heard between two awaits) that the real one produces only by chance.
 */
import { createClockSkew } from '../../src/clock.js';
import type { StorageError } from '../../src/errors.js';
import { type IdentityPoolAuthOptions, resolveOptions } from '../../src/options.js';
import { SessionSecrets } from '../../src/redact.js';
import type { SessionDeps } from '../../src/session.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { type IdentityStamp, SessionStore, type StoredIdentity } from '../../src/storage/session-store.js';
import { SignOutWatch } from '../../src/storage/sign-out-record.js';
import type {
  HeldTabLock,
  SharedCredentials,
  TabCoordinator,
  TabMessage,
  TabRecord,
} from '../../src/tabs.js';
import type {
  CognitoIdentityTransport,
  GetCredentialsForIdentityInput,
  GetIdInput,
  IdentityPoolCredentials,
  StorageAdapter,
} from '../../src/types.js';
import { ControlledClock } from './controlled-clock.js';
import { credentialsFor, IDENTITY_A, POOL_ID } from './fixtures.js';

export const NOW = Date.UTC(2026, 0, 1);
export const HOUR = 3_600_000;
export const FACEBOOK = 'graph.facebook.com';
export const GOOGLE = 'accounts.google.com';

export const guest = (identityId: string): StoredIdentity => ({
  identityId,
  authenticated: false,
  providers: [],
});
export const linked = (identityId: string, ...providers: string[]): StoredIdentity => ({
  identityId,
  authenticated: true,
  providers,
});

type Answer<T> = T | Error | ((input: never) => T | Promise<T>);

/**
 * A service that answers from scripts (one answer per call, the last repeated): GetId with
 * identity A, GetCredentialsForIdentity with an hour of credentials for the identity asked about,
 * unless told otherwise. Every call's input is recorded.
 */
export function scriptedService(clock: ControlledClock) {
  const calls = {
    getId: [] as GetIdInput[],
    getCredentialsForIdentity: [] as GetCredentialsForIdentityInput[],
    unlinkIdentity: [] as unknown[],
  };
  const answers = {
    getId: [] as Answer<{ identityId?: unknown; serverTime?: unknown }>[],
    getCredentialsForIdentity: [] as Answer<{
      identityId?: unknown;
      credentials?: unknown;
      serverTime?: unknown;
    }>[],
    unlinkIdentity: [] as Answer<void>[],
  };
  async function answer<T>(queue: Answer<T>[], input: unknown, fallback: () => T): Promise<T> {
    const next = queue.length > 1 ? queue.shift() : queue[0];
    if (next === undefined) return fallback();
    if (next instanceof Error) throw next;
    if (typeof next === 'function') return (next as (input: unknown) => T | Promise<T>)(input);
    return next;
  }
  // A script may answer what no real service would (a missing or mistyped field, which the session
  // must refuse), so its answers are only claimed to be the transport's.
  type Reply<K extends 'getId' | 'getCredentialsForIdentity'> = ReturnType<CognitoIdentityTransport[K]>;
  const transport: CognitoIdentityTransport = {
    getId(input) {
      calls.getId.push(input);
      return answer(answers.getId, input, () => ({ identityId: IDENTITY_A })) as Reply<'getId'>;
    },
    getCredentialsForIdentity(input) {
      calls.getCredentialsForIdentity.push(input);
      return answer(answers.getCredentialsForIdentity, input, () => ({
        identityId: input.identityId,
        credentials: credentialsFor(
          input.identityId,
          clock.now() + HOUR,
          `n${calls.getCredentialsForIdentity.length}`,
        ),
      })) as Reply<'getCredentialsForIdentity'>;
    },
    unlinkIdentity(input) {
      calls.unlinkIdentity.push(input);
      return answer(answers.unlinkIdentity, input, () => undefined);
    },
  };
  return { transport, calls, answers };
}

/** What a scripted coordinator was asked to do. */
export interface TabsLog {
  locks: number;
  published: Exclude<TabMessage, { type: 'signOut' }>[];
  restamps: number;
  credentialsOf: { record: TabRecord; timeoutMs: number }[];
  nextCredentials: { identityId: string; after: number; timeoutMs: number }[];
}

/**
 * A coordinating tab's view of the pool, set by the test: the newest record (`latest`, what
 * `peek()` and a lock hold see), the sign-outs heard (`signedOutAt`, which a test may move at any
 * await), the credentials another tab broadcast (`shared`, `next`).
 */
export function scriptedTabs(script: {
  latest?: TabRecord | undefined;
  stamp?: IdentityStamp | undefined;
  signedOutAt?: number;
  shared?: SharedCredentials | undefined;
  next?: SharedCredentials | undefined;
  lockRefused?: Error;
  /** A hold with no stamp (the lock manager's record could not be read). */
  unstamped?: boolean;
}) {
  const log: TabsLog = { locks: 0, published: [], restamps: 0, credentialsOf: [], nextCredentials: [] };
  let seq = 1_000;
  const tabs = {
    mode: 'tabs' as const,
    signedOutAt: script.signedOutAt ?? 0,
    latest: script.latest,
    shared: script.shared,
    next: script.next,
    log,
    /** Called as a hold publishes (a test moves `signedOutAt` there). */
    onPublish: undefined as (() => void) | undefined,
    async withLock<T>(work: (held: HeldTabLock) => Promise<T>): Promise<T> {
      log.locks++;
      if (script.lockRefused) throw script.lockRefused;
      let stamp = script.unstamped
        ? undefined
        : (script.stamp ?? { seq: ++seq, signedOutAt: tabs.signedOutAt });
      const held: HeldTabLock = {
        latest: tabs.latest,
        get stamp() {
          return stamp;
        },
        restamp: () => {
          log.restamps++;
          stamp = { seq: ++seq, signedOutAt: tabs.signedOutAt };
          return stamp;
        },
        publish: async (message) => {
          log.published.push(message);
          tabs.onPublish?.();
          return stamp;
        },
        credentialsOf: async (record, timeoutMs) => {
          log.credentialsOf.push({ record, timeoutMs });
          return tabs.shared;
        },
      };
      return work(held);
    },
    // Return types written out: inferred, they would depend on `tabs`, whose type this is.
    peek: async (): Promise<TabRecord | undefined> => tabs.latest,
    async nextCredentials(
      identityId: string,
      after: number,
      timeoutMs: number,
    ): Promise<SharedCredentials | undefined> {
      log.nextCredentials.push({ identityId, after, timeoutMs });
      return tabs.next;
    },
    async credentialsOf(record: TabRecord, timeoutMs: number): Promise<SharedCredentials | undefined> {
      log.credentialsOf.push({ record, timeoutMs });
      return tabs.shared;
    },
    signOut: async () => undefined,
    close: () => {},
  } satisfies TabCoordinator & Record<string, unknown>;
  return tabs;
}

export type ScriptedTabs = ReturnType<typeof scriptedTabs>;

/** A session's dependencies over memory storage; `tabs` makes it a coordinating one. */
export function sessionDeps(
  options: Partial<IdentityPoolAuthOptions> = {},
  { tabs }: { tabs?: ScriptedTabs } = {},
) {
  const clock = new ControlledClock(NOW);
  const service = scriptedService(clock);
  const storage = memoryStorage();
  /** Keys whose reads fail (the adapter throws), set by the test. */
  const unreadable = new Set<string>();
  const adapter: StorageAdapter = {
    getItem: (key) => {
      if (unreadable.has(key)) throw new Error('storage down');
      return storage.getItem(key);
    },
    setItem: (key, value) => storage.setItem(key, value),
    removeItem: (key) => storage.removeItem(key),
  };
  const storageErrors: StorageError[] = [];
  const store = new SessionStore(adapter, 'identity-pool', POOL_ID, (error) => storageErrors.push(error), {
    clock,
  });
  /** Another session sharing the storage. */
  const elsewhere = new SessionStore(storage, 'identity-pool', POOL_ID, () => {}, { clock });
  /** Another session sharing the storage signs out: its record (the keys stay, as a late write would leave them). */
  const signOutElsewhere = (id: string) => elsewhere.saveSignOut({ v: 1, id, at: clock.now() });
  /** What storage holds under `key` (`identity`, `credentials`, `signedOut`), parsed. */
  const stored = (key: keyof SessionStore['keys']) => {
    const value = storage.getItem(store.keys[key]) as string | null;
    return value === null ? undefined : (JSON.parse(value) as Record<string, unknown>);
  };
  const signOuts = new SignOutWatch(store);
  const deps = {
    options: resolveOptions({ identityPoolId: POOL_ID, ...options }),
    transport: service.transport,
    store,
    clock,
    skew: createClockSkew(),
    tabs,
    secrets: new SessionSecrets(),
    signOuts,
  } satisfies SessionDeps;
  return {
    deps,
    clock,
    service,
    storage,
    store,
    elsewhere,
    signOuts,
    signOutElsewhere,
    stored,
    unreadable,
    storageErrors,
  };
}

/** Credentials `deps`' store holds for `identityId`, as a session would read them. */
export const hourOf = (identityId: string, at: number, tag = 'held'): IdentityPoolCredentials =>
  credentialsFor(identityId, at + HOUR, tag);

/**
 * A real actor of `identityPoolMachine` for fast unit tests of its rules: the network and storage
 * actors are deferreds the test settles (their inputs recorded), its timers run on a
 * `ControlledClock`, and everything it emits is kept. No network, no storage, no real time.
 */
import { createActor, fromPromise } from 'xstate';
import {
  type IdentityPoolContext,
  type IdentityPoolEmitted,
  type IdentityPoolEvent,
  identityPoolMachine,
} from '../../src/machine.js';
import { resolveOptions } from '../../src/options.js';
import type { Logins, RestoredSession, SessionDeps } from '../../src/session.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { SessionStore, type StoredIdentity } from '../../src/storage/session-store.js';
import type { IdentityPoolCredentials } from '../../src/types.js';
import { ControlledClock } from './controlled-clock.js';
import { credentialsFor, IDENTITY_A, POOL_ID } from './fixtures.js';

export const T0 = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

export type ActorName =
  | 'restoreSession'
  | 'obtainIdentity'
  | 'obtainCredentials'
  | 'requestLogin'
  | 'saveLogin'
  | 'undoLogin';

export const guest = (identityId = IDENTITY_A): StoredIdentity => ({
  identityId,
  authenticated: false,
  providers: [],
});
export const authenticated = (identityId: string, ...providers: string[]): StoredIdentity => ({
  identityId,
  authenticated: true,
  providers,
});

export interface HarnessOptions {
  logins?: Logins;
  allowGuest?: boolean;
  refreshWindowSeconds?: number;
  /** Milliseconds the service's clock is ahead of this one. */
  skewMs?: number;
  /** Extra dependencies (a sign-out watch, tabs). */
  deps?: Partial<SessionDeps>;
}

/** Starts an actor; it waits in `restoring` until `settle('restoreSession', …)` or `restore()`. */
export function startMachine(options: HarnessOptions = {}) {
  const clock = new ControlledClock(T0);
  const resolved = resolveOptions({
    identityPoolId: POOL_ID,
    allowGuest: options.allowGuest ?? true,
    refreshWindowSeconds: options.refreshWindowSeconds ?? 300,
    transport: {
      getId: () => Promise.reject(new Error('unit tests of the machine never call the network')),
      getCredentialsForIdentity: () =>
        Promise.reject(new Error('unit tests of the machine never call the network')),
    },
  });
  const deps: SessionDeps = {
    options: resolved,
    transport: resolved.transport!,
    store: new SessionStore(memoryStorage(), 'unit', POOL_ID, () => {}),
    clock,
    skew: options.skewMs === undefined ? undefined : { offsetMs: options.skewMs, source: 'date' },
    ...options.deps,
  };
  const pending = new Map<ActorName, { resolve(value: unknown): void; reject(error: unknown): void }>();
  const inputs: Record<ActorName, unknown[]> = {
    restoreSession: [],
    obtainIdentity: [],
    obtainCredentials: [],
    requestLogin: [],
    saveLogin: [],
    undoLogin: [],
  };
  const aborted: ActorName[] = [];
  const controlled = (name: ActorName) =>
    fromPromise<unknown, unknown>(
      ({ input, signal }) =>
        new Promise((resolve, reject) => {
          inputs[name].push(input);
          signal.addEventListener('abort', () => aborted.push(name));
          pending.set(name, { resolve, reject });
        }),
    );
  const machine = identityPoolMachine.provide({
    actors: {
      restoreSession: controlled('restoreSession'),
      obtainIdentity: controlled('obtainIdentity'),
      obtainCredentials: controlled('obtainCredentials'),
      requestLogin: controlled('requestLogin'),
      saveLogin: controlled('saveLogin'),
      undoLogin: controlled('undoLogin'),
    } as never,
  });
  const actor = createActor(machine, { input: { deps, logins: options.logins }, clock });
  const emitted: IdentityPoolEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  // A guard or action that throws stops the actor: fail the step that made it throw, rather than
  // leave xstate to report it as an unhandled error while the test reads the last snapshot.
  let crash: { error: unknown } | undefined;
  actor.subscribe({ error: (error) => (crash = { error }) });
  const settled = async () => {
    await flush();
    if (crash) throw new Error('the machine stopped on an error', { cause: crash.error });
  };
  actor.start();

  const harness = {
    actor,
    clock,
    deps,
    emitted,
    inputs,
    aborted,
    /** The actors waiting for their outcome. */
    running: () => [...pending.keys()],
    /** The invoked actors as the snapshot names them (what `inspect` shows of a request in flight). */
    children: () => Object.keys(actor.getSnapshot().children),
    context: (): IdentityPoolContext => actor.getSnapshot().context,
    /** The state value, e.g. `'credentialed'` or `{ authenticated: 'loginRequired' }`. */
    value: () => actor.getSnapshot().value,
    async send(event: IdentityPoolEvent) {
      actor.send(event);
      await settled();
    },
    async settle(name: ActorName, outcome: { output?: unknown } | { error: unknown }) {
      const deferred = pending.get(name);
      if (!deferred)
        throw new Error(`no ${name} in flight (running: ${harness.running().join(', ') || 'none'})`);
      pending.delete(name);
      if ('error' in outcome) deferred.reject(outcome.error);
      else deferred.resolve(outcome.output);
      await settled();
    },
    /** Ends `restoring` with what storage held. */
    restore: (output: RestoredSession = {}) => harness.settle('restoreSession', { output }),
    /** The emitted events of one type since index `from`. */
    emittedOf<T extends IdentityPoolEmitted['type']>(type: T, from = 0) {
      return emitted.slice(from).filter((e) => e.type === type) as Extract<
        IdentityPoolEmitted,
        { type: T }
      >[];
    },
    /** Moves the clock, firing the timers that fall due. */
    async advance(ms: number) {
      clock.advance(ms);
      await settled();
    },
    /** Milliseconds until the machine's next timer (its refresh delay), if one is armed. */
    nextTimerIn: () => {
      const due = clock.nextDue();
      return due === undefined ? undefined : due - clock.now();
    },
  };
  return harness;
}

export type Harness = ReturnType<typeof startMachine>;

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** What `obtainIdentity` answers: the identity, and the logins it used. */
export const identityOutput = (identity: StoredIdentity, logins: Logins = {}) => ({ ...identity, logins });

/** What `obtainCredentials` answers. */
export function credentialsOutput(
  identity: StoredIdentity,
  credentials: IdentityPoolCredentials,
  logins: Logins = {},
) {
  return { ...identity, logins, credentials };
}

/** A guest session holding credentials for IDENTITY_A that expire in an hour (state `credentialed`). */
export async function guestWithCredentials(options: HarnessOptions = {}, expiresIn = HOUR) {
  const h = startMachine(options);
  await h.restore({ identity: guest(), credentials: credentialsFor(IDENTITY_A, T0 + expiresIn) });
  return h;
}

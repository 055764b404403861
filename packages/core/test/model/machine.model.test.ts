/**
 * Model-based tests of the identity-pool machine.
 *
 * `xstate/graph` walks the machine's own logic (pure transitions) with a set of model events:
 * user requests, the network actors' done/error events with every outcome the recovery table
 * knows, the refresh timer, and a jump of the clock. From that walk, `getShortestPaths()` yields
 * one path per (state, incoming transition). Each path then drives a REAL actor whose network
 * actors are deferreds settled by the path's events, and whose timers run on a controlled clock.
 * After every step the real actor must match the model, and invariants must hold. Finally, every
 * transition the machine defines must have been taken by some real actor.
 */
import { describe, expect, it } from 'vitest';
import { type ActorLogic, type AnyStateNode, createActor, createEmptyActor, fromPromise } from 'xstate';
import { TestModel } from 'xstate/graph';
import { LoginFailedError, LoginRequiredError, NetworkError } from '../../src/errors.js';
import type { LoginResult } from '../../src/login-transaction.js';
import {
  type IdentityPoolContext,
  type IdentityPoolEmitted,
  type IdentityPoolEvent,
  type IdentityPoolMachineInput,
  identityPoolMachine,
} from '../../src/machine.js';
import { resolveOptions } from '../../src/options.js';
import type {
  CredentialsResult,
  IdentityResult,
  LoginEntry,
  RestoredSession,
  SessionDeps,
} from '../../src/session.js';
import { memoryStorage } from '../../src/storage/memory.js';
import { SessionStore } from '../../src/storage/session-store.js';
import { ControlledClock } from '../support/controlled-clock.js';
import {
  credentialsFor,
  IDENTITY_A,
  IDENTITY_B,
  IDENTITY_C,
  POOL_ID,
  serviceErrors,
} from '../support/fixtures.js';
import { createTransitionRecorder, missingTransitions } from '../support/transition-coverage.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
type Snapshot = ReturnType<typeof identityPoolMachine.transition>;
type ModelEvent = IdentityPoolEvent | { type: string; [key: string]: unknown };

/** A login provider that can renew silently (so `canRenewSilently` has both outcomes). */
const facebook = {
  id: 'facebook',
  loginsKey: 'graph.facebook.com',
  signIn: async () => ({ token: 'fb-token' }),
  getToken: async () => ({ token: 'fb-token-renewed' }),
};

function makeDeps(clock: {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}): SessionDeps {
  const options = resolveOptions({
    identityPoolId: POOL_ID,
    transport: {
      getId: () => Promise.reject(new Error('the model test never calls the network')),
      getCredentialsForIdentity: () => Promise.reject(new Error('the model test never calls the network')),
    },
  });
  return {
    options,
    transport: options.transport!,
    store: new SessionStore(memoryStorage(), 'm', POOL_ID, () => {}),
    clock,
  };
}

/**
 * What makes two model states the same for the walk: the state value and the facts the guards
 * read. Details that no guard reads (which ID, which error) are compared step by step instead.
 */
function guardFacts(snapshot: Snapshot): string {
  const c = snapshot.context;
  const t = now(snapshot);
  const loginKeys = Object.keys(c.logins);
  const credentials = !c.credentials
    ? 'none'
    : c.credentials.expiration.getTime() - t > 60_000
      ? 'usable'
      : 'stale';
  const identity = c.identity ? (c.identity.authenticated ? 'auth' : 'guest') : 'none';
  // With a login pending, the facts where the session goes back to (through routing) are kept
  // apart by the states outside the login; here, what the login's own transitions read.
  if (c.login)
    return JSON.stringify([
      snapshot.value,
      identity,
      loginKeys.length > 0,
      credentials,
      c.wanted,
      loginFacts(c),
    ]);
  return JSON.stringify([
    snapshot.value,
    identity,
    loginKeys.length > 0,
    loginKeys.some((k) => !c.identity?.authenticated || !c.identity.providers.includes(k)),
    Object.values(c.logins).some((e) => !!e.provider?.getToken),
    credentials,
    c.wanted,
    [...c.recoveries].sort(),
    c.deps.options.allowGuest,
    c.paused,
    !!c.credentials && c.credentials.expiration.getTime() - t <= c.deps.options.refreshWindowSeconds * 1000,
    loginFacts(c),
  ]);
}

/** What the guards and the login's transitions read of the pending and next logins. */
function loginFacts(c: IdentityPoolContext) {
  return {
    login: c.login
      ? `${c.login.result ? 'answered' : 'asked'}${c.login.cancelled ? ' cancelled' : ''}`
      : 'none',
    next: !!c.nextLogin,
    resumeIn: c.resumeIn,
  };
}

/** The `logins` option of a session that starts signed in. */
const LOGINS_OPTION: IdentityPoolContext['logins'] = { 'accounts.google.com': { token: 'google-token' } };

/** The model's clock lives in the snapshot's context, so the walk stays pure. */
function fixedClock(now: number) {
  return { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
}

const now = (snapshot: Snapshot) => snapshot.context.deps.clock.now();

/** What the test compares between model and real actor (and what makes two model states the same). */
function abstractState(snapshot: Snapshot): string {
  const c: IdentityPoolContext = snapshot.context;
  const t = now(snapshot);
  return JSON.stringify({
    value: snapshot.value,
    identity: c.identity,
    logins: Object.entries(c.logins)
      .map(([k, e]) => `${k}:${e.token ? 'token' : 'none'}`)
      .sort(),
    credentials: !c.credentials
      ? 'none'
      : c.credentials.expiration.getTime() - t > 60_000
        ? 'usable'
        : 'stale',
    wanted: c.wanted,
    recoveries: c.recoveries,
    forceTokenRenewal: c.forceTokenRenewal,
    replaced: c.replacedIdentityId ?? null,
    failing: c.refreshFailures > 0,
    error: c.error?.name ?? null,
    paused: c.paused,
    login: c.login && { providerName: c.login.providerName, ticket: c.login.ticket, ...loginFacts(c) },
    nextLogin: c.nextLogin && { providerName: c.nextLogin.providerName, ticket: c.nextLogin.ticket },
  });
}

function identityOutput(context: IdentityPoolContext): IdentityResult {
  const providers = Object.keys(context.logins).sort();
  const identityId = context.replacedIdentityId === IDENTITY_A ? IDENTITY_C : IDENTITY_A;
  const logins: Record<string, LoginEntry> = {};
  for (const [key, entry] of Object.entries(context.logins))
    logins[key] = { ...entry, token: entry.token ?? 'renewed' };
  return { identityId, authenticated: providers.length > 0, providers, logins };
}

function credentialsOutput(context: IdentityPoolContext, at: number, merged: boolean): CredentialsResult {
  const loginKeys = Object.keys(context.logins).sort();
  const identityId = merged ? IDENTITY_B : (context.identity?.identityId ?? IDENTITY_A);
  const kept = merged ? [] : (context.identity?.providers ?? []);
  const logins: Record<string, LoginEntry> = {};
  for (const [key, entry] of Object.entries(context.logins))
    logins[key] = { ...entry, token: entry.token ?? 'renewed' };
  return {
    identityId,
    authenticated: loginKeys.length > 0,
    providers: [...new Set([...kept, ...loginKeys])].sort(),
    logins,
    credentials: credentialsFor(identityId, at + HOUR),
  };
}

/** What `requestLogin` answers: the identity linked (same ID), merged into another, or a replacement for one that was gone. */
function loginOutput(
  context: IdentityPoolContext,
  at: number,
  variant: 'same' | 'merged' | 'reset',
): LoginResult {
  const pending = context.login!;
  const logins: Record<string, LoginEntry> = {};
  for (const [key, entry] of Object.entries({ ...context.logins, [pending.providerName]: pending.entry }))
    logins[key] = { ...entry, token: entry.token ?? 'renewed' };
  const fresh = context.replacedIdentityId === IDENTITY_A ? IDENTITY_C : IDENTITY_A;
  const identityId =
    variant === 'merged'
      ? IDENTITY_B
      : variant === 'reset'
        ? IDENTITY_C
        : (context.identity?.identityId ?? fresh);
  const kept = variant === 'same' ? (context.identity?.providers ?? []) : [];
  return {
    identityId,
    authenticated: true,
    providers: [...new Set([...kept, ...Object.keys(logins)])].sort(),
    logins,
    credentials: credentialsFor(identityId, at + HOUR),
    reset: variant === 'reset',
  };
}

/** The next ticket a `login()` would get: above every ticket the machine holds. */
const nextTicket = (c: IdentityPoolContext) => Math.max(c.login?.ticket ?? 0, c.nextLogin?.ticket ?? 0) + 1;

const restoreOutputs: RestoredSession[] = [
  {},
  { identity: { identityId: IDENTITY_A, authenticated: false, providers: [] } },
  {
    identity: { identityId: IDENTITY_A, authenticated: false, providers: [] },
    credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
  },
  { identity: { identityId: IDENTITY_A, authenticated: true, providers: ['graph.facebook.com'] } },
];

/** The model events possible in a state: user requests always; actor outcomes while it runs. */
function modelEvents(snapshot: Snapshot): ModelEvent[] {
  const c = snapshot.context;
  const t = now(snapshot);
  const events: ModelEvent[] = [
    { type: 'CREDENTIALS.NEEDED' },
    { type: 'CREDENTIALS.NEEDED', forceRefresh: true },
    { type: 'IDENTITY.NEEDED' },
    {
      type: 'LOGIN',
      ticket: nextTicket(c),
      providerName: 'graph.facebook.com',
      token: 'fb-token',
      provider: facebook,
    },
    { type: 'LOGIN', ticket: nextTicket(c), providerName: 'accounts.google.com', token: 'google-token' },
    { type: 'LOGOUT' },
    { type: 'CLEAR' },
    { type: 'CREDENTIALS.CLEAR' },
    { type: 'LOGIN.REMOVED', providerName: 'accounts.google.com' },
    { type: 'test.clockJump', ms: 2 * HOUR },
    { type: 'PAUSE' },
    { type: 'RESUME' },
    // Another tab's guest identity, then its fresh credentials for it (tabs.ts).
    { type: 'SYNC', identity: { identityId: IDENTITY_A, authenticated: false, providers: [] } },
    {
      type: 'SYNC',
      identity: { identityId: IDENTITY_A, authenticated: false, providers: [] },
      credentials: credentialsFor(IDENTITY_A, t + HOUR),
    },
  ];
  if (snapshot.matches('loggingIn')) {
    // While a login is pending, only what the login's transitions read: the rest of the user's
    // calls only `want` (top-level transitions, taken elsewhere), and varying them here would
    // multiply the walk's states without covering anything new.
    const keep = new Set(['CREDENTIALS.NEEDED', 'CREDENTIALS.CLEAR', 'LOGOUT', 'SYNC']);
    events.splice(
      0,
      events.length,
      ...events.filter(
        (e) =>
          (keep.has(e.type) && !(e as { forceRefresh?: boolean }).forceRefresh && !('credentials' in e)) ||
          (e.type === 'LOGIN' && (e as { provider?: unknown }).provider),
      ),
    );
  }
  // The caller of the pending (or next) login gives up.
  if (c.login) events.push({ type: 'LOGIN.CANCEL', ticket: c.login.ticket, role: 'pending' });
  if (c.nextLogin) events.push({ type: 'LOGIN.CANCEL', ticket: c.nextLogin.ticket, role: 'next' });
  const children = Object.keys(snapshot.children);
  if (children.includes('requestLogin')) {
    events.push({ type: 'xstate.done.actor.requestLogin', output: loginOutput(c, t, 'same') });
    if (c.identity && c.identity.identityId !== IDENTITY_B)
      events.push({ type: 'xstate.done.actor.requestLogin', output: loginOutput(c, t, 'merged') });
    if (c.identity && c.identity.identityId !== IDENTITY_C)
      events.push({ type: 'xstate.done.actor.requestLogin', output: loginOutput(c, t, 'reset') });
    events.push({
      type: 'xstate.error.actor.requestLogin',
      error: new LoginFailedError(c.login?.providerName ?? '', serviceErrors.tokenExpired()),
    });
    events.push({ type: 'xstate.error.actor.requestLogin', error: new NetworkError('GetId', 'ECONNRESET') });
  }
  for (const name of ['saveLogin', 'undoLogin']) {
    if (!children.includes(name)) continue;
    events.push({ type: `xstate.done.actor.${name}`, output: undefined });
    events.push({ type: `xstate.error.actor.${name}`, error: new Error('the lock manager refused') });
  }
  if (children.includes('restoreSession') && c.deps.options.allowGuest) {
    events.push({ type: 'test.guestAccessOff' });
  }
  // The `logins` option: a session that starts signed in (its logins are not linked yet).
  if (children.includes('restoreSession') && Object.keys(c.logins).length === 0) {
    events.push({ type: 'test.loginsOption' });
  }
  if (children.includes('restoreSession')) {
    for (const output of restoreOutputs) events.push({ type: 'xstate.done.actor.restoreSession', output });
    events.push({ type: 'xstate.error.actor.restoreSession', error: new Error('storage exploded') });
  }
  if (children.includes('obtainIdentity')) {
    events.push({ type: 'xstate.done.actor.obtainIdentity', output: identityOutput(c) });
    for (const error of [
      serviceErrors.guestDisabled(),
      serviceErrors.tokenExpired('GetId'),
      new LoginRequiredError(['graph.facebook.com']),
      new NetworkError('GetId', 'ECONNRESET'),
    ]) {
      events.push({ type: 'xstate.error.actor.obtainIdentity', error });
    }
  }
  if (children.includes('obtainCredentials')) {
    events.push({ type: 'xstate.done.actor.obtainCredentials', output: credentialsOutput(c, t, false) });
    if (c.identity && Object.keys(c.logins).length > 0 && c.identity.identityId !== IDENTITY_B) {
      events.push({ type: 'xstate.done.actor.obtainCredentials', output: credentialsOutput(c, t, true) });
    }
    const id = c.identity?.identityId ?? IDENTITY_A;
    for (const error of [
      serviceErrors.identityNotFound(id),
      serviceErrors.identityForbidden(id),
      serviceErrors.guestDisabled('GetCredentialsForIdentity'),
      serviceErrors.tokenExpired(),
      serviceErrors.loginsDontMatch(),
      new LoginRequiredError(['graph.facebook.com']),
      new NetworkError('GetCredentialsForIdentity', 'ECONNRESET'),
    ]) {
      events.push({ type: 'xstate.error.actor.obtainCredentials', error });
    }
  }
  for (const node of snapshot._nodes as AnyStateNode[]) {
    for (const delayed of node.after) events.push({ type: delayed.eventType });
  }
  return events;
}

/** The machine's logic, plus the model-only event `test.clockJump`, which moves the context's clock. */
const modelLogic = {
  ...identityPoolMachine,
  config: identityPoolMachine.config,
  getInitialSnapshot: identityPoolMachine.getInitialSnapshot.bind(identityPoolMachine),
  getPersistedSnapshot: identityPoolMachine.getPersistedSnapshot.bind(identityPoolMachine),
  restoreSnapshot: identityPoolMachine.restoreSnapshot.bind(identityPoolMachine),
  start: identityPoolMachine.start.bind(identityPoolMachine),
  microstep: identityPoolMachine.microstep.bind(identityPoolMachine),
  transition(snapshot: Snapshot, event: ModelEvent, scope: never): Snapshot {
    if (event.type === 'test.loginsOption') {
      return { ...snapshot, context: { ...snapshot.context, logins: LOGINS_OPTION } } as Snapshot;
    }
    if (event.type === 'test.guestAccessOff') {
      const deps = {
        ...snapshot.context.deps,
        options: { ...snapshot.context.deps.options, allowGuest: false },
      };
      return { ...snapshot, context: { ...snapshot.context, deps } } as Snapshot;
    }
    if (event.type === 'test.clockJump') {
      const deps = { ...snapshot.context.deps, clock: fixedClock(now(snapshot) + (event.ms as number)) };
      return { ...snapshot, context: { ...snapshot.context, deps } } as Snapshot;
    }
    return identityPoolMachine.transition(snapshot, event as IdentityPoolEvent, scope);
  },
  // As logic of any emitted events: TestModel takes `EventObject` ones, and the actor scope's
  // contravariance refuses the machine's own (`IdentityPoolEmitted`).
} as unknown as ActorLogic<Snapshot, IdentityPoolEvent, IdentityPoolMachineInput>;

const model = new TestModel(modelLogic, {
  events: modelEvents as never,
  input: { deps: makeDeps(fixedClock(T0)) },
  serializeState: ((snapshot: Snapshot) => guardFacts(snapshot)) as never,
  serializeEvent: describeEvent as never,
});

/** An event's type and variant, without the values that depend on the state it is sent in. */
function eventKind(event: ModelEvent): string {
  const e = event as Record<string, unknown>;
  if ('error' in e)
    return `${event.type} ${(e.error as Error).name}:${(e.error as Error).message.replace(/'[^']*'/g, '')}`;
  if ('output' in e) {
    const output = (e.output ?? {}) as Partial<LoginResult>;
    return `${event.type} ${output.identityId === IDENTITY_B ? 'merged' : ''}${output.reset ? 'reset' : ''}`;
  }
  return describeEvent(event);
}

function describeEvent(event: ModelEvent): string {
  const e = event as Record<string, unknown>;
  if ('error' in e) {
    const error = e.error as Error & { code?: string; serviceMessage?: string };
    return `${event.type} ${error.name}:${error.code ?? ''}:${(error.serviceMessage ?? error.message).slice(0, 60)}`;
  }
  if ('output' in e) {
    const o = (e.output ?? {}) as Partial<LoginResult> & RestoredSession;
    const identity = o.identity ?? o;
    return `${event.type} ${identity.identityId ?? 'none'} ${identity.authenticated ? 'auth' : ''} ${identity.providers?.join(',') ?? ''} ${o.credentials ? 'creds' : ''}${o.reset ? ' reset' : ''}`;
  }
  if (event.type === 'SYNC') return `SYNC ${e.credentials ? 'creds' : 'identity'}`;
  if (event.type === 'LOGIN.CANCEL') return `LOGIN.CANCEL ${e.role}`;
  return `${event.type} ${e.providerName ?? ''}${e.forceRefresh ? ' force' : ''}`;
}

/** Network actors whose outcome the test decides. */
function createControlledActors() {
  const pending = new Map<string, { resolve(value: unknown): void; reject(error: unknown): void }>();
  const make = (name: string) =>
    fromPromise(
      () =>
        new Promise((resolve, reject) => {
          pending.set(name, { resolve, reject });
        }),
    );
  return {
    actors: {
      restoreSession: make('restoreSession'),
      obtainIdentity: make('obtainIdentity'),
      obtainCredentials: make('obtainCredentials'),
      requestLogin: make('requestLogin'),
      saveLogin: make('saveLogin'),
      undoLogin: make('undoLogin'),
    },
    settle(name: string, outcome: { output?: unknown; error?: unknown }) {
      const deferred = pending.get(name);
      if (!deferred)
        throw new Error(`no ${name} in flight (pending: ${[...pending.keys()].join(', ') || 'none'})`);
      pending.delete(name);
      if ('error' in outcome) deferred.reject(outcome.error);
      else deferred.resolve(outcome.output);
    },
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const SECRET_FREE_KEYS = ['identity', 'wanted', 'recoveries', 'error'] as const;

/**
 * Which transitions a model step takes, found by running the pure transition with an
 * inspected (inert) actor scope.
 */
const probeActor = createEmptyActor();
const probed = createTransitionRecorder();
probeActor.system.inspect(probed.inspect);
const probeScope = {
  self: probeActor,
  logger: () => {},
  id: '',
  sessionId: 'probe',
  defer: () => {},
  system: probeActor.system,
  stopChild: () => {},
  emit: () => {},
  actionExecutor: () => {},
} as never;
function transitionsTaken(snapshot: Snapshot, event: ModelEvent): string[] {
  probed.taken.clear();
  modelLogic.transition(snapshot, event as IdentityPoolEvent, probeScope);
  return [...probed.taken];
}

type ModelPath = { description: string; steps: Array<{ state: Snapshot; event: ModelEvent }> };

/**
 * The walk's paths end in states that stand for classes of states. Replaying a path's events on
 * the model gives its exact states; each event is regenerated from the state it is sent in (an
 * actor's output depends on the session it answers).
 */
function replay(path: ModelPath): ModelPath {
  let state = modelLogic.getInitialSnapshot(probeScope, { deps: makeDeps(fixedClock(T0)) });
  const steps: ModelPath['steps'] = [{ state, event: { type: 'xstate.init' } }];
  for (const step of path.steps.slice(1)) {
    const candidates = modelEvents(state);
    const event =
      candidates.find((e) => describeEvent(e) === describeEvent(step.event)) ??
      candidates.find((e) => eventKind(e) === eventKind(step.event));
    if (!event) break; // the class's representative could take this step; this exact state cannot
    state = modelLogic.transition(state, event as IdentityPoolEvent, probeScope);
    steps.push({ state, event });
  }
  return { description: path.description, steps };
}

/**
 * One shortest path to every distinct state of the walk, then, for each transition those
 * paths do not take, the shortest path to a state where some event takes it, plus that event.
 */
function generatePaths(): ModelPath[] {
  const initial = modelLogic.getInitialSnapshot(probeScope, { deps: makeDeps(fixedClock(T0)) });
  const statePaths = [
    { description: 'the initial state', steps: [{ state: initial, event: { type: 'xstate.init' } }] },
    ...(model.getShortestPaths() as unknown as ModelPath[]).map(replay),
  ];
  const covered = new Set<string>();
  for (const path of statePaths) {
    for (const [i, step] of path.steps.entries()) {
      if (i > 0) for (const key of transitionsTaken(path.steps[i - 1]!.state, step.event)) covered.add(key);
    }
  }
  const extensions: ModelPath[] = [];
  // Every prefix of a path ends in a state of the walk (the walk drops paths that are prefixes
  // of longer ones): try one more event from each, shortest first.
  const prefixes = statePaths
    .flatMap((path) =>
      path.steps.map((_, k) => ({ description: path.description, steps: path.steps.slice(0, k + 1) })),
    )
    .sort((a, b) => a.steps.length - b.steps.length);
  for (const path of prefixes) {
    const end = path.steps[path.steps.length - 1]!.state;
    for (const event of modelEvents(end)) {
      const keys = transitionsTaken(end, event);
      if (keys.every((key) => covered.has(key))) continue;
      for (const key of keys) covered.add(key);
      const state = modelLogic.transition(end, event as IdentityPoolEvent, probeScope);
      extensions.push({
        description: `${path.steps.map((step) => step.event.type).join(' → ')} → ${describeEvent(event)}`,
        steps: [...path.steps, { state, event }],
      });
    }
  }
  return [...statePaths, ...extensions];
}

const paths = generatePaths();
const recorder = createTransitionRecorder();

describe('identity-pool machine, model-based', () => {
  it('the walk reaches every state node of the machine', () => {
    const reached = new Set<string>();
    for (const path of paths)
      for (const step of path.steps) for (const n of step.state._nodes) reached.add(n.id);
    const declared: string[] = [];
    const visit = (node: AnyStateNode) => {
      declared.push(node.id);
      for (const child of Object.values(node.states)) visit(child as AnyStateNode);
    };
    visit(identityPoolMachine.root);
    // `routing` states are transient: a snapshot passes through them and never rests there.
    expect(declared.filter((id) => !reached.has(id) && !id.endsWith('.routing'))).toEqual([]);
    expect(paths.length).toBeGreaterThan(50);
  });

  it.each(paths.map((path, index) => [index, path.steps.length - 1, path] as const))(
    'path %i (%i steps) drives a real actor like the model',
    async (_index, _length, path) => {
      const clock = new ControlledClock(T0);
      const control = createControlledActors();
      const emitted: IdentityPoolEmitted[] = [];
      const actor = createActor(identityPoolMachine.provide({ actors: control.actors as never }), {
        input: { deps: makeDeps(clock) },
        clock,
        inspect: recorder.inspect,
      });
      actor.on('*', (event) => emitted.push(event));
      actor.start();
      await flush();
      // The paths were replayed on the model (see `replay`): their states are this path's own.
      expect(abstractState(actor.getSnapshot())).toBe(abstractState(path.steps[0]!.state));
      let announced: string | undefined;

      for (const { event, state: expected } of path.steps.slice(1)) {
        const emittedBefore = emitted.length;
        if (event.type === 'test.clockJump') clock.jump(event.ms as number);
        else if (event.type === 'test.loginsOption')
          // As `createIdentityPoolAuth({ logins })` would have started it (the model cannot change its input).
          (actor.getSnapshot().context as { logins: IdentityPoolContext['logins'] }).logins = LOGINS_OPTION;
        else if (event.type === 'test.guestAccessOff')
          actor.getSnapshot().context.deps.options.allowGuest = false;
        else if (event.type.startsWith('xstate.done.actor.')) {
          control.settle(event.type.slice('xstate.done.actor.'.length), {
            output: (event as { output?: unknown }).output,
          });
        } else if (event.type.startsWith('xstate.error.actor.')) {
          control.settle(event.type.slice('xstate.error.actor.'.length), {
            error: (event as { error?: unknown }).error,
          });
        } else if (event.type.startsWith('xstate.after.')) {
          expect(clock.pending).toBe(1);
          clock.fireNextNow(); // as in the model, the timer's event arrives without moving time
        } else actor.send(event as IdentityPoolEvent);
        await flush();
        const after = actor.getSnapshot();
        expect(abstractState(after), `after ${describeEvent(event)}`).toBe(abstractState(expected));

        // Invariants, whatever the path:
        // at most one network request in flight, and credentials are only asked for an identity;
        expect(Object.keys(after.children).length).toBeLessThanOrEqual(1);
        if ('obtainCredentials' in after.children) {
          expect(
            after.context.identity,
            `GetCredentialsForIdentity without an identity after ${describeEvent(event)}`,
          ).toBeDefined();
        }
        // identityChanged fires exactly when the cached identity changes: the announced identity
        // is the cached one, except mid-reset (forgotten, its replacement on the way); a restored
        // identity is not a change.
        for (const change of emitted.slice(emittedBefore)) {
          if (change.type !== 'identityChanged') continue;
          expect(change.reason === 'linked', `${change.reason} with the same ID`).toBe(
            change.previousIdentityId === change.identityId,
          );
          announced = change.identityId;
        }
        if (event.type === 'xstate.done.actor.restoreSession') announced = after.context.identity?.identityId;
        const midReset = !after.context.identity && !!after.context.replacedIdentityId;
        if (!midReset)
          expect(announced, `announced identity after ${describeEvent(event)}`).toBe(
            after.context.identity?.identityId,
          );
        // a timer runs only where the machine waits to refresh;
        if (!after.matches('credentialed') && !after.matches({ authenticated: 'credentialed' })) {
          expect(clock.pending).toBe(0);
        }
        // the secret-free parts of the context hold no secret.
        const secrets = after.context.credentials
          ? [after.context.credentials.secretAccessKey, after.context.credentials.sessionToken]
          : [];
        const visible = JSON.stringify(SECRET_FREE_KEYS.map((k) => after.context[k]));
        for (const secret of secrets) expect(visible).not.toContain(secret);
      }
      actor.stop();
      expect(clock.pending).toBe(0);
    },
  );

  it('took every transition the machine defines', () => {
    expect(missingTransitions(identityPoolMachine, recorder.taken)).toEqual([]);
  });

  it('the coverage check fails when a transition is left out', () => {
    const withoutLogout = new Set([...recorder.taken].filter((key) => !key.includes(' LOGOUT ')));
    expect(missingTransitions(identityPoolMachine, withoutLogout)).toEqual(['identityPool LOGOUT #0']);
  });
});

/**
 * The parts of one session, built and connected: its storage and store, the tab coordinator, the
 * sign-out record, the machine's dependencies (transport, clock, skew), and the actor (not started).
 */
import { createActor } from 'xstate';
import { defaultTransport } from '#default-transport';
import { loginEntries } from './auth-options.js';
import type { WaiterKind } from './auth-waiters.js';
import { backgroundClock, createClockSkew, type TimerClock } from './clock.js';
import { redactedInspector } from './inspect.js';
import { identityPoolMachine } from './machine.js';
import type { ResolvedOptions } from './options.js';
import { redactValue, type SessionSecrets } from './redact.js';
import type { SessionDeps } from './session.js';
import { memoryStorage } from './storage/memory.js';
import { SessionStore } from './storage/session-store.js';
import { SignOutWatch } from './storage/sign-out-record.js';
import { createTabCoordinator, type ReceivedTabMessage, tabChannelName } from './tabs.js';
import { configureTransport } from './transports/configure.js';

/** Builds the session's parts from its resolved options; errors they report go to `reportError`. */
export function wireSession(
  resolved: ResolvedOptions,
  clock: TimerClock,
  secrets: SessionSecrets,
  reportError: (error: unknown) => void,
) {
  const storage = resolved.storage ?? memoryStorage();
  const store = new SessionStore(
    storage,
    resolved.storageKeyPrefix,
    resolved.identityPoolId,
    // Deferred a microtask: the first read happens while the session is being created, before
    // the caller could subscribe with `on('error', …)`.
    (error) => queueMicrotask(() => reportError(error)),
    { region: resolved.region, timeoutMs: resolved.storageTimeoutMs, clock },
  );
  // Messages from other tabs; set once the actor exists (none can arrive before: they are tasks).
  let onTabMessage: (message: ReceivedTabMessage) => void = () => {};
  const tabs = createTabCoordinator({
    name: tabChannelName(resolved.storageKeyPrefix, resolved.identityPoolId),
    enabled: resolved.coordinateTabs,
    onMessage: (message) => onTabMessage(message),
  });
  const signOutRecord = new SignOutWatch(store);
  const deps: SessionDeps = {
    options: resolved,
    transport: configureTransport(
      resolved,
      resolved.transport ?? defaultTransport({ region: resolved.region, endpoint: resolved.endpoint }),
    ),
    store,
    clock,
    skew: createClockSkew(),
    tabs,
    secrets,
    signOuts: signOutRecord,
  };
  const skew = deps.skew as NonNullable<SessionDeps['skew']>;

  const actor = createActor(identityPoolMachine, {
    input: { deps, logins: loginEntries(resolved.logins) },
    // The refresh timer: nobody awaits it, so it does not keep a Node process alive.
    clock: backgroundClock(clock),
    // The inspector sees redacted copies: the context and events hold credentials and tokens.
    ...(resolved.inspect && {
      inspect: redactedInspector(resolved.inspect, (text) => redactValue(text, secrets), reportError),
    }),
  });

  return {
    storage,
    store,
    tabs,
    signOutRecord,
    deps,
    skew,
    actor,
    /** Messages from other tabs go to `handler` from now on. */
    setTabMessageHandler(handler: (message: ReceivedTabMessage) => void) {
      onTabMessage = handler;
    },
  };
}

export type SessionParts = ReturnType<typeof wireSession>;

/** What the facade's parts share: the wired parts, the clock and secrets, and the session's life. */
export interface SessionScope extends Omit<SessionParts, 'setTabMessageHandler'> {
  clock: TimerClock;
  secrets: SessionSecrets;
  isStopped(): boolean;
  /** A sign-out happened: a login() or removeLogin() begun before it must not sign back in. */
  newEpoch(): void;
  /** Rejects the waiting callers of these kinds (default all) with `thrown`, made safe. */
  rejectAll(thrown: unknown, kinds?: WaiterKind[]): void;
  /** An `error` event, made safe. */
  reportError(error: unknown): void;
}

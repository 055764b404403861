/**
 * The session as `getState()` shows it: a frozen, secret-free view derived from the machine's
 * snapshot, and the listeners `subscribe()` registers, told only when that view really changes.
 */
import type { Actor } from 'xstate';
import { callListener } from './auth-events.js';
import type { IdentityPoolMachine } from './machine.js';
import { describeError, type SessionSecrets } from './redact.js';
import type { IdentityPoolState } from './types.js';

export type Snapshot = ReturnType<Actor<IdentityPoolMachine>['getSnapshot']>;

/** The dotted path of the machine's active state, e.g. `authenticated.refreshing`. */
function phaseOf(value: Snapshot['value']): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([parent, child]) => `${parent}.${phaseOf(child as Snapshot['value'])}`)
    .join(',');
}

export function stateOf(
  snapshot: Snapshot,
  coordination: IdentityPoolState['coordination'],
  secrets: SessionSecrets,
): IdentityPoolState {
  const { identity, logins, credentials, error } = snapshot.context;
  const status = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0];
  const providers = [...new Set([...(identity?.providers ?? []), ...Object.keys(logins)])].sort();
  return Object.freeze({
    status: status ?? 'unknown',
    phase: phaseOf(snapshot.value),
    identityId: identity?.identityId,
    authenticated: identity?.authenticated === true || Object.keys(logins).length > 0,
    providers,
    expiration: credentials?.expiration,
    error: error && {
      name: describeError(error.name, secrets),
      message: describeError(error.message, secrets),
    },
    coordination,
  });
}

/** `getState()` and `subscribe()`: the view of the latest snapshot, and who to tell of a change. */
export function createStateView(
  actor: Actor<IdentityPoolMachine>,
  /** Read at each change: tabs fall back to `single` when the lock manager refuses them. */
  coordination: () => IdentityPoolState['coordination'],
  secrets: SessionSecrets,
) {
  const stateListeners = new Set<() => void>();
  let lastSnapshot: Snapshot | undefined;
  let lastState: IdentityPoolState | undefined;
  return {
    /** Called with every snapshot: listeners hear of it when the view it gives changes. */
    update(snapshot: Snapshot) {
      if (snapshot !== lastSnapshot) {
        lastSnapshot = snapshot;
        const next = stateOf(snapshot, coordination(), secrets);
        if (!lastState || JSON.stringify(next) !== JSON.stringify(lastState)) {
          lastState = next;
          for (const listener of stateListeners) callListener(listener);
        }
      }
    },
    getState() {
      lastState ??= stateOf(actor.getSnapshot(), coordination(), secrets);
      return lastState;
    },
    subscribe(listener: () => void) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
  };
}

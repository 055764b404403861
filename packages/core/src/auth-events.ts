/**
 * The session's events (`on()`): listeners by type, and the machine's emitted events re-published
 * to them in the public shape (no secret: credentials become identity ID and expiration).
 */
import type { Actor } from 'xstate';
import type { IdentityPoolMachine } from './machine.js';
import type { IdentityPoolEventListener, IdentityPoolEvents, IdentityPoolEventType } from './types.js';

export type Publish = <T extends IdentityPoolEventType>(type: T, event: IdentityPoolEvents[T]) => void;

/**
 * Calls an app's listener (`on()`, `subscribe()`). A listener's bug is the app's: it is surfaced
 * (thrown on a timer of its own), but never inside the machine, and never keeps the listeners
 * after it from being called.
 */
export function callListener(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}

/** `publish` to every listener of a type, and `on` to add one. */
export function createEventHub() {
  const listeners = new Map<IdentityPoolEventType, Set<(event: never) => void>>();

  const publish: Publish = (type, event) => {
    for (const listener of listeners.get(type) ?? []) {
      callListener(() => (listener as IdentityPoolEventListener<typeof type>)(event));
    }
  };

  function on<T extends IdentityPoolEventType>(type: T, listener: IdentityPoolEventListener<T>): () => void {
    const set = listeners.get(type) ?? new Set();
    listeners.set(type, set);
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  return { publish, on };
}

/** The machine's events that the app sees, re-published (errors through `reportError`: made safe). */
export function republishMachineEvents(
  actor: Actor<IdentityPoolMachine>,
  publish: Publish,
  reportError: (error: unknown) => void,
) {
  actor.on('identityChanged', ({ previousIdentityId, identityId, reason }) =>
    publish('identityChanged', { previousIdentityId, identityId, reason }),
  );
  actor.on('credentials', ({ credentials }) =>
    publish('credentials', { identityId: credentials.identityId, expiration: credentials.expiration }),
  );
  actor.on('error', ({ error }) => reportError(error));
  actor.on('loginRequired', ({ providerName }) => publish('loginRequired', { providerName }));
}

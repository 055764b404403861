/**
 * The provider's session as an external store: the session itself is created in an effect (never
 * during render, never on the server), so the holder outlives it and gives the hooks one
 * `subscribe`/`getState` pair across the session's creation, a StrictMode remount, or a failure.
 */
import {
  ConfigurationError,
  createIdentityPoolAuth,
  type IdentityPoolAuth,
  type IdentityPoolAuthOptions,
  IdentityPoolError,
  type IdentityPoolState,
} from '@identity-pool/core';

/**
 * The state before the provider's session exists: on the server (effects never run there) and
 * in the first client render. `status` and `phase` are `starting`, a name no machine state has.
 */
export const STARTING_STATE: IdentityPoolState = Object.freeze({
  status: 'starting',
  phase: 'starting',
  authenticated: false,
  providers: Object.freeze([]) as readonly string[],
  coordination: 'single' as const,
});

const failedState = (error: IdentityPoolError): IdentityPoolState =>
  Object.freeze({
    status: 'failed',
    phase: 'failed',
    authenticated: false,
    providers: Object.freeze([]) as readonly string[],
    coordination: 'single' as const,
    error: { name: error.name, message: error.message },
  });

export class SessionHolder {
  #session: IdentityPoolAuth | undefined;
  #failure: IdentityPoolError | undefined;
  #failedState: IdentityPoolState | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #listeners = new Set<() => void>();
  /** Calls made before the session exists (a click during the first render's commit). */
  #waiting: Array<{ resolve(session: IdentityPoolAuth): void; reject(error: Error): void }> = [];

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getState = (): IdentityPoolState =>
    this.#session?.getState() ?? this.#failedState ?? STARTING_STATE;

  readonly getServerState = (): IdentityPoolState => STARTING_STATE;

  get session(): IdentityPoolAuth | undefined {
    return this.#session;
  }

  /** Creates the session (an effect's mount); a bad option becomes the `failed` state, not a throw. */
  start(options: IdentityPoolAuthOptions): IdentityPoolAuth | undefined {
    try {
      this.#attach(createIdentityPoolAuth(options));
    } catch (error) {
      this.#fail(error);
    }
    return this.#session;
  }

  /** Stops the session (an effect's cleanup); a StrictMode remount starts a new one after it. */
  stop(session: IdentityPoolAuth | undefined): void {
    if (!session || session !== this.#session) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#session = undefined;
    session.stop();
    this.#notify();
  }

  /** The session, now or once the provider has created it. */
  whenReady(): Promise<IdentityPoolAuth> {
    if (this.#session) return Promise.resolve(this.#session);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #attach(session: IdentityPoolAuth) {
    this.#session = session;
    this.#failure = undefined;
    this.#failedState = undefined;
    this.#unsubscribe = session.subscribe(() => this.#notify());
    for (const waiter of this.#waiting.splice(0)) waiter.resolve(session);
    this.#notify();
  }

  #fail(error: unknown) {
    this.#failure =
      error instanceof IdentityPoolError
        ? error
        : new ConfigurationError('options', 'could not create the session');
    this.#failedState = failedState(this.#failure);
    for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#failure);
    this.#notify();
  }

  #notify() {
    for (const listener of this.#listeners) listener();
  }
}

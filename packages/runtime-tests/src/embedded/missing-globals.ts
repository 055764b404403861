/**
 * What an embedding host adds to an engine before running core, for the globals of
 * docs/embedding.md's host contract that plain JavaScript can provide. Timers cannot be written in
 * JavaScript (they need the host's event loop): an engine without `setTimeout` gets it from its host.
 * Each polyfill is installed only where the engine lacks the global, and the names installed are
 * returned, so a run records how each engine differs.
 */

type Listener = (event: unknown) => void;

/** Enough of WHATWG `AbortSignal` for core: `aborted`, `reason`, `throwIfAborted`, abort listeners. */
class MinimalAbortSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Listener[] = [];

  addEventListener(type: string, listener: Listener, _options?: { once?: boolean }): void {
    // Every abort listener is effectively `once`: a signal aborts at most one time.
    if (type === 'abort' && !this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    if (type === 'abort') this.#listeners = this.#listeners.filter((l) => l !== listener);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Called by the controller only. */
  signalAbort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason === undefined ? abortReason() : reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    const event = { type: 'abort', target: this };
    for (const listener of listeners) listener(event);
  }

  static abort(reason?: unknown): MinimalAbortSignal {
    const signal = new MinimalAbortSignal();
    signal.signalAbort(reason);
    return signal;
  }
}

class MinimalAbortController {
  readonly signal = new MinimalAbortSignal();
  abort(reason?: unknown): void {
    this.signal.signalAbort(reason);
  }
}

/** The reason WHATWG gives an abort without one: an `AbortError`. */
function abortReason(): Error {
  const error = new Error('This operation was aborted');
  error.name = 'AbortError';
  return error;
}

type Timers = {
  setTimeout(callback: () => void, ms?: number): unknown;
  clearTimeout?(id: unknown): void;
};

/**
 * `clearTimeout` over an engine `setTimeout` that cannot be cancelled (JavaScriptCore's `jsc`
 * shell): a cleared timer still fires in the engine, and then does nothing.
 */
function cancellableTimers(engineSetTimeout: Timers['setTimeout']): Required<Timers> {
  const live = new Set<number>();
  let next = 1;
  return {
    setTimeout(callback, ms) {
      const id = next++;
      live.add(id);
      engineSetTimeout(() => {
        if (live.delete(id)) callback();
      }, ms);
      return id;
    },
    clearTimeout(id) {
      live.delete(id as number);
    },
  };
}

/** Installs what the engine lacks of the contract's pure-JavaScript globals; returns their names. */
export function installMissingGlobals(scope: Record<string, unknown> = globalThis as never): string[] {
  const installed: string[] = [];
  const install = (name: string, value: unknown) => {
    scope[name] = value;
    installed.push(name);
  };
  if (typeof scope.setTimeout !== 'function') {
    throw new Error('the host must provide setTimeout and clearTimeout (docs/embedding.md)');
  }
  if (typeof scope.clearTimeout !== 'function') {
    const timers = cancellableTimers(scope.setTimeout as Timers['setTimeout']);
    install('setTimeout', timers.setTimeout);
    install('clearTimeout', timers.clearTimeout);
  }
  if (typeof scope.queueMicrotask !== 'function') {
    install('queueMicrotask', (callback: () => void) => {
      Promise.resolve().then(callback);
    });
  }
  if (typeof scope.AbortController !== 'function') {
    install('AbortController', MinimalAbortController);
    install('AbortSignal', MinimalAbortSignal);
  }
  return installed;
}

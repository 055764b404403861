/**
 * Page lifecycle, where there is one: background refresh pauses while the page is hidden or the
 * device is offline, and catches up when it is visible and online again. Everything is looked up
 * on `globalThis` and guarded, so runtimes without a DOM (Node, workers, React Native) never pause.
 * The `lifecycle` option swaps this source for another (React Native's `AppState`: see
 * `appStateLifecycle` in lifecycle-app-state.ts).
 */

/**
 * Where a session learns that background refresh should pause (page hidden, app in the
 * background, device offline) and when it may catch up.
 */
export interface LifecycleSource {
  /**
   * Calls `onPausedChange(paused)` whenever "paused" changes (and once at the start if it already
   * holds). Returns the function that stops listening.
   */
  subscribe(onPausedChange: (paused: boolean) => void): () => void;
}

interface ListenerTarget {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}
interface LifecycleScope extends ListenerTarget {
  document?: ListenerTarget & { visibilityState?: string };
  navigator?: { onLine?: boolean };
}

const canListen = (target: ListenerTarget | undefined): target is Required<ListenerTarget> =>
  typeof target?.addEventListener === 'function' && typeof target.removeEventListener === 'function';

/**
 * Calls `onChange(paused)` whenever "hidden or offline" changes (and once at the start if it
 * already holds). Returns the function that removes every listener it added.
 */
export function watchLifecycle(onChange: (paused: boolean) => void, scope: unknown = globalThis): () => void {
  const global = (typeof scope === 'object' || typeof scope === 'function' ? scope : undefined) as
    | LifecycleScope
    | undefined;
  let page: LifecycleScope['document'];
  try {
    page = global?.document;
  } catch {
    page = undefined;
  }
  const removers: Array<() => void> = [];
  const hidden = () => page?.visibilityState === 'hidden';
  const offline = () => global?.navigator?.onLine === false;
  let paused = false;
  const update = () => {
    let next = false;
    try {
      next = hidden() || offline();
    } catch {
      next = false;
    }
    if (next === paused) return;
    paused = next;
    onChange(paused);
  };
  const listen = (target: ListenerTarget | undefined, types: string[]) => {
    if (!canListen(target)) return;
    for (const type of types) {
      target.addEventListener(type, update);
      removers.push(() => target.removeEventListener(type, update));
    }
  };
  listen(page, ['visibilitychange']);
  listen(global, ['online', 'offline']);
  if (removers.length) update();
  return () => {
    for (const remove of removers.splice(0)) {
      try {
        remove();
      } catch {
        // A host that cannot remove a listener: nothing more we can do.
      }
    }
  };
}

/** The default {@link LifecycleSource}: the page's visibility and `online`/`offline` events. */
export function browserLifecycle(scope: unknown = globalThis): LifecycleSource {
  return { subscribe: (onPausedChange) => watchLifecycle(onPausedChange, scope) };
}

/**
 * Subscribes `onChange` to an app-supplied source without letting it break the session: a
 * `subscribe` that throws or returns no function leaves the session unpaused (refresh as usual),
 * repeated or late reports (after the returned stop) are dropped, and anything is read as a boolean.
 */
export function watchLifecycleSource(
  source: LifecycleSource | undefined,
  onChange: (paused: boolean) => void,
): () => void {
  let listening = true;
  let paused = false;
  const report = (next: unknown) => {
    if (!listening || Boolean(next) === paused) return;
    paused = Boolean(next);
    onChange(paused);
  };
  let unsubscribe: unknown;
  try {
    unsubscribe = (source ?? browserLifecycle()).subscribe(report);
  } catch {
    unsubscribe = undefined;
    report(false); // a source that failed half-way must not leave the session paused for good
  }
  return () => {
    listening = false;
    try {
      if (typeof unsubscribe === 'function') unsubscribe();
    } catch {
      // A source that cannot stop: its later reports are dropped above.
    }
  };
}

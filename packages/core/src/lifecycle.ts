/**
 * Page lifecycle, where there is one: background refresh pauses while the page is hidden or the
 * device is offline, and catches up when it is visible and online again. Everything is looked up
 * on `globalThis` and guarded, so runtimes without a DOM (Node, workers, React Native) never pause.
 */

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

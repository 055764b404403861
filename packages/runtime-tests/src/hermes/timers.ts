/**
 * Timers for the Hermes CLI. Its own `setTimeout` runs callbacks in the order they were set,
 * ignoring the delay (a request's 10 s deadline would fire before its 1 ms answer), whereas a
 * React Native app's timers are native and fire by due time. This queue fires timers in order of
 * due time, each on its own turn of the CLI's loop (so microtasks run between them), without
 * sleeping: time between timers is skipped, as on a device that is never idle.
 */

interface Timer {
  id: number;
  due: number;
  callback: () => void;
}

type NativeSetTimeout = (callback: () => void, ms: number) => unknown;

export function installDueOrderTimers(scope: Record<string, unknown>): void {
  const nativeSetTimeout = scope.setTimeout as NativeSetTimeout;
  const timers: Timer[] = [];
  let now = 0;
  let nextId = 1;
  let pumping = false;

  const pump = () => {
    pumping = false;
    timers.sort((a, b) => a.due - b.due || a.id - b.id);
    const timer = timers.shift();
    if (timers.length) schedulePump();
    if (!timer) return;
    now = Math.max(now, timer.due);
    timer.callback();
  };
  const schedulePump = () => {
    if (pumping) return;
    pumping = true;
    nativeSetTimeout(pump, 0);
  };
  const clear = (id: unknown) => {
    const index = timers.findIndex((timer) => timer.id === id);
    if (index >= 0) timers.splice(index, 1);
  };
  scope.setTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id = nextId++;
    timers.push({ id, due: now + Math.max(0, Number(ms) || 0), callback: () => callback(...args) });
    schedulePump();
    return id;
  };
  scope.clearTimeout = clear;
  scope.setInterval = (callback: () => void, ms?: number) => {
    const id = nextId++;
    const every = Math.max(1, Number(ms) || 0);
    const arm = (due: number) =>
      timers.push({
        id,
        due,
        callback: () => {
          arm(now + every);
          callback();
        },
      });
    arm(now + every);
    schedulePump();
    return id;
  };
  scope.clearInterval = clear;
}

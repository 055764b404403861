/**
 * `@identity-pool/testkit/webkit` — how this project's tests run WebKitGTK (Debian's
 * `webkit2gtk-driver`): its MiniBrowser needs a display even when nobody looks, so each driver
 * gets a private Xvfb; WebKitWebDriver speaks classic WebDriver (HTTP + JSON), spoken here with
 * `fetch` so no WebDriver client library is needed. One session at a time per driver.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const webkitPaths = {
  driver: process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver',
  miniBrowser: process.env.WEBKIT_MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  xvfb: process.env.XVFB_PATH ?? '/usr/bin/Xvfb',
};

/** Why WebKitGTK cannot run here, or undefined. */
export function webkitMissing(): string | undefined {
  const absent = Object.values(webkitPaths).filter((path) => !existsSync(path));
  return absent.length === 0
    ? undefined
    : `missing ${absent.join(', ')} (Debian: apt-get install webkit2gtk-driver xvfb; .ci/run installs them)`;
}

/** A window of the session, driven like a playwright page; values cross as JSON. */
export interface WebKitTab {
  /** Runs `fn(arg)` in the page (a promise is awaited); it must not use anything from Node's scope. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Resolves once `fn(arg)` is truthy, polled from Node; rejects after `timeout` ms (default 10 s). */
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, options?: { timeout?: number }): Promise<void>;
  /** Navigates and waits until the new document has loaded. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Minimize Window: WebKitGTK hides the page (`visibilitychange` to `hidden`). */
  minimize(): Promise<void>;
  /** Maximize Window: the page is visible again. */
  maximize(): Promise<void>;
}

/** A WebDriver session: one MiniBrowser whose windows (tabs) share one origin's storage. */
export interface WebKitSession {
  readonly version: string;
  /** The window the session opened with. */
  readonly firstTab: WebKitTab;
  newTab(): Promise<WebKitTab>;
  close(): Promise<void>;
}

export interface WebKitDriver {
  session(): Promise<WebKitSession>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts Xvfb on a display it picks itself (-displayfd), so parallel runs never collide. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn(
    webkitPaths.xvfb,
    ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
    {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    },
  );
  const display = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not report a display within 10 s')), 10_000);
    xvfb.stdio[3]!.on('data', (chunk: Buffer) => {
      text += chunk;
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${text.trim()}`);
      }
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  return { display, process: xvfb };
}

export async function startWebKit(): Promise<WebKitDriver> {
  const xvfb = await startXvfb();
  const port = await freePort();
  const driver = spawn(webkitPaths.driver, [`--port=${port}`], {
    stdio: 'ignore',
    env: { ...process.env, DISPLAY: xvfb.display },
  });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const { value } = (await response.json()) as { value: unknown };
    if (!response.ok) {
      const { error, message } = value as { error: string; message: string };
      throw new Error(`WebDriver ${method} ${path}: ${error}: ${message}`);
    }
    return value;
  };
  // The driver answers once it listens: poll its status for up to 10 s.
  for (let tries = 0; ; tries++) {
    try {
      await call('GET', '/status');
      break;
    } catch (error) {
      if (tries > 100) throw new Error(`WebKitWebDriver did not start: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const stop = () => {
    driver.kill();
    xvfb.process.kill();
  };
  return {
    async session() {
      const created = (await call('POST', '/session', {
        capabilities: {
          alwaysMatch: {
            // Navigation returns at once, so tabs load at the same time as in a user's browser.
            pageLoadStrategy: 'none',
            'webkitgtk:browserOptions': { binary: webkitPaths.miniBrowser, args: ['--automation'] },
          },
        },
      })) as { sessionId: string; capabilities: { browserName: string; browserVersion: string } };
      const at = `/session/${created.sessionId}`;
      const queue = serial();
      let current = (await call('GET', `${at}/window`)) as string;
      // Every command goes to the current window: switch first, one command at a time.
      const inWindow = (handle: string, path: string, body: unknown) =>
        queue(async () => {
          if (handle !== current) {
            await call('POST', `${at}/window`, { handle });
            current = handle;
          }
          return call('POST', `${at}${path}`, body);
        });
      return {
        version: `WebKitGTK ${created.capabilities.browserVersion}`,
        firstTab: tab(current, inWindow),
        async newTab() {
          const { handle } = (await queue(() => call('POST', `${at}/window/new`, { type: 'tab' }))) as {
            handle: string;
          };
          return tab(handle, inWindow);
        },
        async close() {
          await call('DELETE', at).catch(() => undefined);
        },
      };
    },
    async close() {
      stop();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the tasks one at a time, in order. */
function serial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

// In the page: starts `fn(arg)` under a fresh key and returns the key; its outcome is read by
// later polls, so a call that waits long (a hung request) never holds the session's one window.
const START = `return (function (source, arg) {
  const slots = (globalThis.__EVALS__ ??= { next: 0 });
  const key = ++slots.next;
  slots[key] = { done: false };
  Promise.resolve()
    .then(() => (0, eval)('(' + source + ')')(arg))
    .then(
      (value) => { slots[key] = { done: true, json: JSON.stringify(value) }; },
      (error) => { slots[key] = { done: true, error: String(error && error.name) + ': ' + String(error && error.message) }; },
    );
  return key;
})(arguments[0], arguments[1])`;
const READ = `return (function (key) {
  const slot = globalThis.__EVALS__ && globalThis.__EVALS__[key];
  if (!slot) return { done: true, error: 'the page navigated away before the call settled' };
  if (slot.done) delete globalThis.__EVALS__[key];
  return slot;
})(arguments[0])`;

/**
 * `waitForFunction` as a loop of `evaluate` calls from Node: each runs at once in any tab, where a
 * poll inside a background tab would wait on its throttled timers (Firefox, WebKit). Rejects after
 * `timeout` ms (default 10 s), naming the function and the last error.
 */
export async function pollFromNode<A>(
  evaluate: (fn: (arg: A) => unknown, arg: A) => Promise<unknown>,
  fn: (arg: A) => unknown,
  arg: A,
  timeout = 10_000,
): Promise<void> {
  const until = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      if (await evaluate(fn, arg)) return;
    } catch (error) {
      last = error; // the page may be navigating; try again
    }
    if (Date.now() > until)
      throw new Error(
        `waitForFunction timed out after ${timeout} ms: ${fn.toString().slice(0, 120)} ${last ?? ''}`,
      );
    await sleep(25);
  }
}

type Slot = { done: boolean; json?: string; error?: string };
type InWindow = (handle: string, path: string, body: unknown) => Promise<unknown>;

function tab(handle: string, inWindow: InWindow): WebKitTab {
  const execute = (script: string, args: unknown[]) => inWindow(handle, '/execute/sync', { script, args });
  const evaluate: WebKitTab['evaluate'] = async (fn, arg) => {
    const key = await execute(START, [fn.toString(), arg ?? null]);
    for (;;) {
      const slot = (await execute(READ, [key])) as Slot;
      if (slot.error !== undefined) throw new Error(slot.error);
      if (slot.done) return slot.json === undefined ? undefined : JSON.parse(slot.json);
      await sleep(10);
    }
  };
  const waitForFunction: WebKitTab['waitForFunction'] = (fn, arg, options) =>
    pollFromNode(evaluate, fn, arg, options?.timeout);
  // Navigation returns at once (pageLoadStrategy none): mark the old document, wait until it is gone.
  const load = async (path: string, body: unknown) => {
    await execute('globalThis.__LEAVING__ = true', []);
    await inWindow(handle, path, body);
    await waitForFunction(
      () =>
        !('__LEAVING__' in globalThis) &&
        (globalThis as unknown as { document: { readyState: string } }).document.readyState === 'complete',
      undefined,
    );
  };
  return {
    evaluate,
    waitForFunction,
    goto: (url) => load('/url', { url }),
    reload: () => load('/refresh', {}),
    minimize: async () => {
      await inWindow(handle, '/window/minimize', {});
    },
    maximize: async () => {
      await inWindow(handle, '/window/maximize', {});
    },
  };
}

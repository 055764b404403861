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

/** A WebDriver session: one MiniBrowser whose windows (tabs) share one origin's storage. */
export interface WebKitSession {
  readonly version: string;
  /** The window commands go to; switched only when needed. */
  use(handle: string): Promise<void>;
  readonly firstWindow: string;
  newWindow(): Promise<string>;
  navigate(url: string): Promise<void>;
  refresh(): Promise<void>;
  /** Runs `return <script>` in the current window; a returned promise is awaited. */
  execute(script: string, args: unknown[]): Promise<unknown>;
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
      const firstWindow = (await call('GET', `${at}/window`)) as string;
      let current = firstWindow;
      return {
        version: `WebKitGTK ${created.capabilities.browserVersion}`,
        firstWindow,
        async use(handle) {
          if (handle === current) return;
          await call('POST', `${at}/window`, { handle });
          current = handle;
        },
        async newWindow() {
          const { handle } = (await call('POST', `${at}/window/new`, { type: 'tab' })) as { handle: string };
          return handle;
        },
        async navigate(url) {
          await call('POST', `${at}/url`, { url });
        },
        async refresh() {
          await call('POST', `${at}/refresh`, {});
        },
        execute: (script, args) => call('POST', `${at}/execute/sync`, { script: `return ${script}`, args }),
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

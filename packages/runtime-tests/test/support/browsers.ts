/**
 * One small page API over three drivers, so the same browser tests run in every engine:
 * Chromium through playwright-core (Debian's /usr/bin/chromium), Firefox ESR through
 * puppeteer-core over WebDriver BiDi, and WebKitGTK through WebKitWebDriver (classic WebDriver,
 * testkit/webkit). An origin is one fresh profile's storage, Web Locks and BroadcastChannel; its
 * tabs share them.
 */
import { existsSync } from 'node:fs';
import { chromiumArgs } from '@identity-pool/testkit/chromium';
import { firefoxPrefs } from '@identity-pool/testkit/firefox';
import { startWebKit, webkitMissing, webkitPaths } from '@identity-pool/testkit/webkit';

export type Engine = 'chromium' | 'firefox' | 'webkit';
export const engines: readonly Engine[] = ['chromium', 'firefox', 'webkit'];

export const browserPaths: Record<Engine, string> = {
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  firefox: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
  webkit: webkitPaths.driver,
};

const installHints: Record<Exclude<Engine, 'webkit'>, string> = {
  chromium: 'apt-get install chromium; .ci/run installs it; or set CHROMIUM_PATH',
  firefox: 'apt-get install firefox-esr; .ci/run installs it; or set FIREFOX_PATH',
};

/** Why `engine` cannot run here, or undefined. */
export function engineMissing(engine: Engine): string | undefined {
  if (engine === 'webkit') return webkitMissing();
  const path = browserPaths[engine];
  return existsSync(path) ? undefined : `no ${engine} at ${path} (${installHints[engine]})`;
}

/** A tab. `evaluate` and `waitForFunction` take one serialisable argument, as in playwright. */
export interface Tab {
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Resolves once `fn(arg)` is truthy (awaited when it returns a promise); rejects after `timeout` ms. */
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, options?: { timeout?: number }): Promise<void>;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Uncaught errors of the page so far. */
  readonly errors: string[];
}

export interface Origin {
  newTab(): Promise<Tab>;
  close(): Promise<void>;
}

export interface EngineBrowser {
  readonly engine: Engine;
  readonly version: string;
  /** A fresh, isolated profile: its own storage, locks and channels. */
  newOrigin(): Promise<Origin>;
  close(): Promise<void>;
}

export function launch(engine: Engine): Promise<EngineBrowser> {
  return { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit }[engine]();
}

async function launchChromium(): Promise<EngineBrowser> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: browserPaths.chromium,
    headless: true,
    args: [...chromiumArgs],
    timeout: 30_000,
  });
  return {
    engine: 'chromium',
    version: `Chromium ${browser.version()}`,
    async newOrigin() {
      const context = await browser.newContext();
      return {
        async newTab() {
          const page = await context.newPage();
          const errors: string[] = [];
          page.on('pageerror', (error) => errors.push(error.message));
          return {
            errors,
            evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
            async waitForFunction(fn, arg, options) {
              await page.waitForFunction(fn as never, arg, { timeout: options?.timeout ?? 10_000 });
            },
            async goto(url) {
              await page.goto(url);
            },
            async reload() {
              await page.reload();
            },
          };
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/**
 * Firefox ESR headless over WebDriver BiDi. Firefox throttles timers and stops
 * requestAnimationFrame in background tabs, so `waitForFunction` polls from Node (one
 * `evaluate` per poll runs at once in any tab) instead of inside the page.
 */
async function launchFirefox(): Promise<EngineBrowser> {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: browserPaths.firefox,
    headless: true,
    timeout: 30_000,
    extraPrefsFirefox: { ...firefoxPrefs },
  });
  const version = (await browser.version()).replace('firefox/', 'Firefox ');
  return {
    engine: 'firefox',
    version,
    async newOrigin() {
      const context = await browser.createBrowserContext();
      return {
        async newTab() {
          const page = await context.newPage();
          const errors: string[] = [];
          page.on('pageerror', (error) => errors.push(error.message));
          const evaluate: Tab['evaluate'] = (fn, arg) => page.evaluate(fn as never, arg) as never;
          return {
            errors,
            evaluate,
            waitForFunction: (fn, arg, options) => pollFromNode(evaluate, fn, arg, options?.timeout),
            async goto(url) {
              await page.goto(url);
            },
            async reload() {
              await page.reload();
            },
          };
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `waitForFunction` as a loop of `evaluate` calls from Node: each runs at once in any tab, where
 * a poll inside a background tab would wait on its throttled timers (Firefox, WebKit).
 */
async function pollFromNode<A>(
  evaluate: Tab['evaluate'],
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

/** WebKitGTK: one MiniBrowser per origin, its windows as tabs (testkit/webkit). */
async function launchWebKit(): Promise<EngineBrowser> {
  const driver = await startWebKit();
  // The version is a capability of a session: open one to read it (one session at a time).
  const probe = await driver.session();
  await probe.close();
  return {
    engine: 'webkit',
    version: probe.version,
    async newOrigin() {
      const session = await driver.session();
      let opened = 0;
      return {
        async newTab() {
          const tab = opened++ === 0 ? session.firstTab : await session.newTab();
          // WebDriver classic reports no page errors: the tab pages record their own.
          return { ...tab, errors: [] };
        },
        close: () => session.close(),
      };
    },
    close: () => driver.close(),
  };
}

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
import { pollFromNode, startWebKit, webkitMissing, webkitPaths } from '@identity-pool/testkit/webkit';

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

/** The part of a playwright or puppeteer page a tab uses (their `on` overloads do not unify: `onPageError`). */
interface DriverPage {
  evaluate(fn: never, arg: unknown): Promise<unknown>;
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
}

/** A tab over a playwright or puppeteer page, which differ in how a wait is best done. */
function pageTab(
  page: DriverPage,
  onPageError: (listener: (error: Error) => void) => unknown,
  waitForFunction: Tab['waitForFunction'],
): Tab {
  const errors: string[] = [];
  onPageError((error) => errors.push(error.message));
  return {
    errors,
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    waitForFunction,
    async goto(url) {
      await page.goto(url);
    },
    async reload() {
      await page.reload();
    },
  };
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
          return pageTab(
            page,
            (listener) => page.on('pageerror', listener),
            (fn, arg, options) =>
              page
                .waitForFunction(fn as never, arg, { timeout: options?.timeout ?? 10_000 })
                .then(() => undefined),
          );
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
          const evaluate: Tab['evaluate'] = (fn, arg) => page.evaluate(fn as never, arg) as never;
          return pageTab(
            page,
            (listener) => page.on('pageerror', (error) => listener(error as Error)),
            (fn, arg, options) => pollFromNode(evaluate, fn, arg, options?.timeout),
          );
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
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

/**
 * Pages that a test can hide and take offline, in each engine, through what its driver offers:
 * Chromium (CDP) and Firefox ESR (WebDriver BiDi) through puppeteer-core — another tab brought to
 * front hides the page (`bringToFront`), `setOfflineMode` makes it offline and fires `offline` /
 * `online`; WebKitGTK through WebKitWebDriver (classic WebDriver) — a minimized window hides the
 * page; classic WebDriver has no command to take a page offline.
 *
 * Playwright is not used for Chromium here: every page it opens stays `visible` (measured with
 * playwright-core 1.65: another page, `bringToFront`, a minimized window, headless or not).
 */

import { chromiumArgs } from '@identity-pool/testkit/chromium';
import { firefoxPrefs } from '@identity-pool/testkit/firefox';
import { startWebKit } from '@identity-pool/testkit/webkit';
import type { Page } from 'puppeteer-core';
import { browserPaths, type Engine, type Tab } from './browsers.js';

export interface LifecyclePage {
  evaluate: Tab['evaluate'];
  /** The page becomes hidden (`visibilitychange`). */
  hide(): Promise<void>;
  /** The page is visible again. */
  show(): Promise<void>;
  /** Offline (`offline` fired, `navigator.onLine` false) or back online; absent where the driver cannot. */
  setOffline?: (offline: boolean) => Promise<void>;
  /** Uncaught errors of the page so far (puppeteer's report; WebDriver classic has none). */
  readonly errors: string[];
  close(): Promise<void>;
}

export interface LifecycleBrowser {
  readonly version: string;
  /** A fresh origin context with one page at `url`. */
  open(url: string): Promise<LifecyclePage>;
  close(): Promise<void>;
}

/** Why an engine's driver cannot take a page offline, or undefined. */
export const offlineUnsupported: Record<Engine, string | undefined> = {
  chromium: undefined,
  firefox: undefined,
  webkit:
    'WebKitWebDriver speaks classic WebDriver, which has no network-conditions command, and WebKitGTK offers no other switch a test can reach',
};

export function launchLifecycleBrowser(engine: Engine): Promise<LifecycleBrowser> {
  return engine === 'webkit' ? launchWebKit() : launchPuppeteer(engine);
}

async function launchPuppeteer(engine: 'chromium' | 'firefox'): Promise<LifecycleBrowser> {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch(
    engine === 'chromium'
      ? { browser: 'chrome', executablePath: browserPaths.chromium, headless: true, args: [...chromiumArgs] }
      : {
          browser: 'firefox',
          executablePath: browserPaths.firefox,
          headless: true,
          extraPrefsFirefox: { ...firefoxPrefs },
        },
  );
  const version = (await browser.version()).replace(/^(HeadlessChrome|Chrome)\//, 'Chromium ');
  return {
    version: version.replace('firefox/', 'Firefox '),
    async open(url) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String((error as Error).message ?? error)));
      await page.goto(url);
      let other: Page | undefined;
      return {
        errors,
        evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
        async hide() {
          other ??= await context.newPage();
          await other.bringToFront();
        },
        show: () => page.bringToFront(),
        setOffline: (offline) => page.setOfflineMode(offline),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function launchWebKit(): Promise<LifecycleBrowser> {
  const driver = await startWebKit();
  const probe = await driver.session();
  await probe.close();
  return {
    version: probe.version,
    async open(url) {
      const session = await driver.session();
      const tab = session.firstTab;
      await tab.goto(url);
      return {
        errors: [],
        evaluate: tab.evaluate,
        hide: () => tab.minimize(),
        show: () => tab.maximize(),
        close: () => session.close(),
      };
    },
    close: () => driver.close(),
  };
}

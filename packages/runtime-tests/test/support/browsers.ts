/**
 * One small page API over two drivers, so the same browser tests run in every engine:
 * Chromium through playwright-core (Debian's /usr/bin/chromium) and Firefox ESR through
 * puppeteer-core over WebDriver BiDi. A context is one origin's storage, Web Locks and
 * BroadcastChannel; its tabs share them.
 */
import { existsSync } from 'node:fs';
import { chromiumArgs } from '@identity-pool/testkit/chromium';
import { firefoxPrefs } from '@identity-pool/testkit/firefox';

export type Engine = 'chromium' | 'firefox';
export const engines: readonly Engine[] = ['chromium', 'firefox'];

export const browserPaths: Record<Engine, string> = {
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  firefox: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
};

const installHints: Record<Engine, string> = {
  chromium: 'apt-get install chromium; .ci/run installs it; or set CHROMIUM_PATH',
  firefox: 'apt-get install firefox-esr; .ci/run installs it; or set FIREFOX_PATH',
};

/** Why `engine` cannot run here, or undefined. */
export function engineMissing(engine: Engine): string | undefined {
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
  return engine === 'chromium' ? launchChromium() : launchFirefox();
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
            async waitForFunction(fn, arg, options) {
              const until = Date.now() + (options?.timeout ?? 10_000);
              let last: unknown;
              for (;;) {
                try {
                  if (await evaluate(fn as (arg: unknown) => unknown, arg)) return;
                } catch (error) {
                  last = error; // the page may be navigating; try again
                }
                if (Date.now() > until)
                  throw new Error(`waitForFunction timed out: ${fn.toString().slice(0, 120)} ${last ?? ''}`);
                await new Promise((resolve) => setTimeout(resolve, 25));
              }
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

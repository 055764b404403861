import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs } from '@identity-pool/testkit/chromium';
import { firefoxPrefs } from '@identity-pool/testkit/firefox';
import { startWebKit, webkitMissing } from '@identity-pool/testkit/webkit';
import { build } from 'esbuild';

/**
 * The engines the browser tests run in: Chromium through playwright-core, Firefox ESR through
 * puppeteer-core (WebDriver BiDi), WebKitGTK through WebKitWebDriver under Xvfb (testkit/webkit).
 */
export type Engine = 'chromium' | 'firefox' | 'webkit';

const engines = {
  chromium: {
    path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    hint: 'Debian: apt-get install chromium; .ci/run installs it; or set CHROMIUM_PATH',
  },
  firefox: {
    path: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    hint: 'Debian: apt-get install firefox-esr; .ci/run installs it; or set FIREFOX_PATH',
  },
};

/** Why `engine` cannot run here, or undefined when it can. */
export function browserMissing(engine: Engine): string | undefined {
  if (engine === 'webkit') return webkitMissing();
  const { path, hint } = engines[engine];
  return existsSync(path) ? undefined : `no ${engine} at ${path} (${hint})`;
}

/** What the tests do with the page; the same calls in playwright and puppeteer. */
export interface TestPage {
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  waitForFunction(fn: () => unknown, options?: { timeout?: number }): Promise<unknown>;
  reload(): Promise<unknown>;
  goto(url: string): Promise<unknown>;
  on(event: 'pageerror', listener: (error: Error) => void): unknown;
}

/** A fresh profile of `engine` with one page, and how to close it. */
async function launch(engine: Engine, profile: string): Promise<{ page: TestPage; close(): Promise<void> }> {
  if (engine === 'chromium') {
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: engines.chromium.path,
      headless: true,
      args: [...chromiumArgs],
      timeout: 30_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    // playwright takes the page function's argument before the options; puppeteer does not.
    const waitForFunction: TestPage['waitForFunction'] = (fn, options) =>
      page.waitForFunction(fn, undefined, options);
    return {
      page: Object.assign(Object.create(page) as TestPage, { waitForFunction }),
      close: () => context.close(),
    };
  }
  if (engine === 'webkit') {
    const driver = await startWebKit();
    const session = await driver.session().catch(async (error) => {
      await driver.close();
      throw error;
    });
    const tab = session.firstTab;
    const page: TestPage = {
      evaluate: (fn) => tab.evaluate(fn),
      waitForFunction: (fn, options) => tab.waitForFunction(fn, undefined, options),
      reload: () => tab.reload(),
      goto: (url) => tab.goto(url),
      on: () => undefined, // WebDriver classic reports no page errors; a broken page times out
    };
    return {
      page,
      async close() {
        await session.close();
        await driver.close();
      },
    };
  }
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: engines.firefox.path,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: { ...firefoxPrefs },
    timeout: 30_000,
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  return { page: page as unknown as TestPage, close: () => browser.close() };
}

/** Bundles a TypeScript entry for the page: workspace packages from source, Node-only ones left out. */
export async function bundleForPage(entry: URL): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    conditions: ['source'],
    // Only reached by code the page never runs (the emulator, the AWS SDK transport).
    external: ['@identity-pool/emulator', '@aws-sdk/*', 'node:*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export interface BrowserPage {
  readonly page: TestPage;
  readonly origin: string;
  close(): Promise<void>;
}

/** A real headless browser with a fresh profile, showing a page that loads `script` from a loopback origin. */
export async function openPage(engine: Engine, script: string): Promise<BrowserPage> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/entry.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<!doctype html><meta charset="utf-8"><title>identity-pool storage tests</title><script type="module" src="/entry.js"></script>',
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const profile = await mkdtemp(join(tmpdir(), `identity-pool-${engine}-`));
  let browser: Awaited<ReturnType<typeof launch>> | undefined;
  try {
    browser = await launch(engine, profile);
    const { page } = browser;
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    await page
      .waitForFunction(() => 'identityPoolTests' in globalThis, { timeout: 10_000 })
      .catch(() => {
        throw new Error(`the test page did not load: ${errors.join('; ') || 'no page error'}`);
      });
    return {
      page,
      origin,
      async close() {
        await browser?.close();
        server.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    server.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

// The page's tests in one real browser engine: the page runs the conformance suite (and a few
// browser-only tests) once; each of its tests is reported here by name. One test file per engine
// (browser.chromium.test.ts, browser.firefox.test.ts) calls this.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBackend } from '../support/backend.js';
import {
  type BrowserPage,
  browserMissing,
  bundleForPage,
  type Engine,
  openPage,
} from '../support/browsers.js';
import { registerBrowserTests } from './suites.js';

type Result = { name: string; ok: boolean; error?: string; ms: number };
type PageApi = {
  runAll(): Promise<Result[]>;
  writeBeforeReload(): Promise<void>;
  readAfterReload(): Promise<[string | null, string | null]>;
};
declare const identityPoolTests: PageApi;

export function browserTests(engine: Engine, label: string): void {
  if (!requireBackend(`headless ${label}`, browserMissing(engine))) return;
  const names: string[] = [];
  registerBrowserTests((name) => names.push(name));
  let browser: BrowserPage | undefined;
  let results = new Map<string, Result>();

  beforeAll(async () => {
    browser = await openPage(engine, await bundleForPage(new URL('./page-entry.ts', import.meta.url)));
    const list = await browser.page.evaluate(() => identityPoolTests.runAll());
    results = new Map(list.map((result) => [result.name, result]));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe(`in ${label}`, () => {
    it('ran every test it registered', () => {
      expect([...results.keys()].sort()).toEqual([...names].sort());
    });
    for (const name of names) {
      it(name, () => {
        const result = results.get(name);
        expect(result, 'not run in the page').toBeDefined();
        if (!result?.ok) throw new Error(result?.error);
      });
    }
    it('localStorage and IndexedDB values survive a page reload', async () => {
      const page = browser!.page;
      await page.evaluate(() => identityPoolTests.writeBeforeReload());
      await page.reload();
      await page.waitForFunction(() => 'identityPoolTests' in globalThis);
      expect(await page.evaluate(() => identityPoolTests.readAfterReload())).toEqual([
        'survives 🔐',
        'survives 🔐',
      ]);
    });
  });
}

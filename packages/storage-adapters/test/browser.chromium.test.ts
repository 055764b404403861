import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBrowserTests } from './browser/suites.js';
import { requireBackend } from './support/backend.js';
import { type BrowserPage, bundleForPage, chromiumMissing, openPage } from './support/chromium.js';

// Web Storage, IndexedDB and WebCrypto in real headless Chromium: the page runs the conformance
// suite (and a few browser-only tests) once; each of its tests is reported here by name.
type Result = { name: string; ok: boolean; error?: string; ms: number };
type PageApi = {
  runAll(): Promise<Result[]>;
  writeBeforeReload(): Promise<void>;
  readAfterReload(): Promise<[string | null, string | null]>;
};
declare const identityPoolTests: PageApi;

if (requireBackend('headless Chromium', chromiumMissing())) {
  const names: string[] = [];
  registerBrowserTests((name) => names.push(name));
  let browser: BrowserPage | undefined;
  let results = new Map<string, Result>();

  beforeAll(async () => {
    browser = await openPage(await bundleForPage(new URL('./browser/page-entry.ts', import.meta.url)));
    const list = await browser.page.evaluate(() => identityPoolTests.runAll());
    results = new Map(list.map((result) => [result.name, result]));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe('in Chromium', () => {
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

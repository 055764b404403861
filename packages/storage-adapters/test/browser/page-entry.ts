// Bundled with esbuild for the page: runs the collected tests one by one and reports each.
import { readAfterReload, registerBrowserTests, writeBeforeReload } from './suites.js';

const tests: Array<{ name: string; fn: () => Promise<void> }> = [];
registerBrowserTests((name, fn) => tests.push({ name, fn }));

async function runAll() {
  const results: Array<{ name: string; ok: boolean; error?: string; ms: number }> = [];
  for (const { name, fn } of tests) {
    const started = performance.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: performance.now() - started });
    } catch (error) {
      const e = error as Error;
      results.push({
        name,
        ok: false,
        error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}`,
        ms: performance.now() - started,
      });
    }
  }
  return results;
}

Object.assign(globalThis, { identityPoolTests: { runAll, writeBeforeReload, readAfterReload } });

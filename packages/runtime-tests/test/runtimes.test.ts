/**
 * Core's behaviour scenario (src/scenario.ts: guest, warm start, login, merge, forced refresh,
 * logout; `fetchTransport`) run in Node itself and, bundled with esbuild, inside headless
 * Chromium, headless Firefox ESR, WebKitGTK (under Xvfb), Cloudflare workerd (miniflare), Deno and Bun, each against the emulator on loopback
 * with a pool of its own. A runtime missing here is skipped loudly, and fails the run under CI=true.
 */
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type ScenarioConfig, type ScenarioReport } from '../src/scenario.js';
import {
  bundle,
  missing,
  runBun,
  runChromium,
  runDeno,
  runFirefox,
  runWebKit,
  runWorkerd,
} from './support/runners.js';
import { expectScenarioPassed, freshScenarioConfig } from './support/scenario-check.js';

const APP_ID = 'runtime-tests-app';

type Runtime = 'chromium' | 'firefox' | 'webkit' | 'workerd' | 'deno' | 'bun';
const runners: Record<Runtime, { entry: 'browser' | 'worker' | 'cli'; run: typeof runDeno }> = {
  chromium: { entry: 'browser', run: runChromium },
  firefox: { entry: 'browser', run: runFirefox },
  webkit: { entry: 'browser', run: runWebKit },
  workerd: { entry: 'worker', run: runWorkerd },
  deno: { entry: 'cli', run: runDeno },
  bun: { entry: 'cli', run: runBun },
};

for (const runtime of Object.keys(runners) as Runtime[]) {
  const why = missing(runtime);
  if (why && process.env.CI === 'true') {
    throw new Error(`CI=true and ${runtime} cannot run: ${why}`);
  }
  if (why) console.warn(`\n⚠️  SKIPPING the ${runtime} runtime test: ${why}\n`);
}

describe('core behaviour scenario in every runtime', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator?.close());

  const freshConfig = () => freshScenarioConfig(emulator, APP_ID);
  const expectPassed = (config: ScenarioConfig, report: ScenarioReport) =>
    expectScenarioPassed(emulator, config, report);

  it('node (the scenario unbundled, as a baseline)', async () => {
    const config = freshConfig();
    const report = await runScenario(`node ${process.version}`, config);
    expect(report.coordination).toBe('single');
    expectPassed(config, report);
  });

  for (const [runtime, { entry, run }] of Object.entries(runners) as [Runtime, (typeof runners)[Runtime]][]) {
    it.skipIf(missing(runtime) !== undefined)(runtime, async () => {
      const config = freshConfig();
      const report = await run(await bundle(entry), config);
      expect(report.runtime).toMatch(runtime);
      // Tabs coordinate in browser pages and workers only; server runtimes serve many users.
      expect(report.coordination).toBe(
        ['chromium', 'firefox', 'webkit'].includes(runtime) ? 'tabs' : 'single',
      );
      console.info(`${report.runtime}: ${report.steps.filter((step) => step.ok).length} steps passed`);
      expectPassed(config, report);
    });
  }

  it.skipIf(missing('chromium') !== undefined)('chromium, production build (no zod, minified)', async () => {
    const code = await bundle('browser', { production: true });
    expect(code).not.toMatch(/zod|_zod/);
    const config = freshConfig();
    const report = await runners.chromium.run(code, config);
    expect(report.coordination).toBe('tabs');
    expectPassed(config, report);
  });
});

/**
 * Core's behaviour scenario (src/scenario.ts) in embedded engines, where a host application owns
 * the network and the event loop (test/support/quickjs-host.ts, test/support/jsc-host.ts): QuickJS through quickjs-emscripten,
 * and JavaScriptCore's `jsc` shell. Each runs the same IIFE bundle against the emulator with a
 * pool of its own. A missing engine is skipped loudly, and fails the run under CI=true.
 */
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedConfig, EmbeddedReport, EmbeddedTimerReport } from '../src/entries/embedded.js';
import type { ScenarioConfig } from '../src/scenario.js';
import { bundleEmbedded, type EmbeddedEngine, embeddedMissing, languageGlobals } from './support/embedded.js';
import { hostContract } from './support/host-contract.js';
import { runJsc } from './support/jsc-host.js';
import { runQuickJS } from './support/quickjs-host.js';
import { expectScenarioPassed, freshScenarioConfig } from './support/scenario-check.js';

const APP_ID = 'embedded-tests-app';

for (const engine of ['quickjs', 'jsc'] as const) {
  const why = embeddedMissing(engine);
  if (why && process.env.CI === 'true') throw new Error(`CI=true and ${engine} cannot run: ${why}`);
  if (why) console.warn(`\n⚠️  SKIPPING the ${engine} embedded-engine test: ${why}\n`);
}

describe('core behaviour scenario in embedded engines (the host owns the network)', () => {
  let emulator: Emulator;
  let script: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    script = await bundleEmbedded();
  });
  afterAll(() => emulator?.close());

  const freshConfig = () => freshScenarioConfig(emulator, APP_ID);
  /** The scenario's check; an embedded engine has no tabs to coordinate. */
  const expectPassed = (config: ScenarioConfig, report: EmbeddedReport) => {
    expectScenarioPassed(emulator, config, report);
    expect(report.coordination).toBe('single');
  };

  /** GetCredentialsForIdentity calls of the scenario: guest, warm start, login, second guest, merge, refresh, after logout. */
  const credentialCalls = (config: ScenarioConfig) =>
    emulator.calls.filter(
      (call) =>
        call.operation === 'GetCredentialsForIdentity' && call.identityPoolId === config.identityPoolId,
    ).length;

  const runners = {
    quickjs: runQuickJS,
    jsc: runJsc,
  } satisfies Record<EmbeddedEngine, <R>(script: string, config: EmbeddedConfig) => Promise<R>>;
  // What each engine lacks of docs/embedding.md's contract, added by the bundle (src/embedded/missing-globals.ts).
  // QuickJS has no timers at all: its host supplies setTimeout and clearTimeout, so neither is listed.
  const installed: Record<EmbeddedEngine, string[]> = {
    quickjs: ['queueMicrotask', 'AbortController', 'AbortSignal'],
    jsc: ['setTimeout', 'clearTimeout', 'queueMicrotask', 'AbortController', 'AbortSignal'],
  };

  for (const engine of ['quickjs', 'jsc'] as const) {
    it.skipIf(embeddedMissing(engine) !== undefined)(engine, async () => {
      const config = freshConfig();
      const report = await runners[engine]<EmbeddedReport>(script, config);
      console.info(
        `${report.runtime}: ${(report.steps ?? []).filter((step) => step.ok).length} steps passed`,
      );
      expect(report.runtime).toMatch(engine === 'quickjs' ? /^QuickJS \d{4}-\d\d-\d\d/ : /^JavaScriptCore /);
      expectPassed(config, report);
      expect(report.installed).toEqual(installed[engine]);
      // Nothing went to the host's log (QuickJS's console is the host's; jsc's prints `LOG` lines).
      expect(report.hostLog).toEqual([]);
      expect(credentialCalls(config)).toBeGreaterThanOrEqual(7);
      // The host owns the network: every request the emulator served for this pool came through it.
      const served = emulator.calls.filter((call) => call.identityPoolId === config.identityPoolId);
      expect(report.hostCalls).toBe(served.length);
    });
  }

  describe('the refresh timer runs on the host’s timers', () => {
    // Credentials of 70 s with a 63-s window: the timer is due 5–7 s after they are issued (at
    // least MIN_REFRESH_DELAY_MS, less the per-identity spread). The engines wait side by side.
    beforeAll(() => emulator.setCredentialsTtlSeconds(70));
    afterAll(() => emulator.setCredentialsTtlSeconds(3600));

    for (const engine of ['quickjs', 'jsc'] as const) {
      (embeddedMissing(engine) === undefined ? it.concurrent : it.skip)(engine, async () => {
        const config: EmbeddedConfig = { ...freshConfig(), mode: 'timer-refresh', refreshWindowSeconds: 63 };
        const report = await runners[engine]<EmbeddedTimerReport>(script, config);
        expect(report.error).toBeUndefined();
        expect(report.ok).toBe(true);
        expect(report.after!.accessKeyId).not.toBe(report.before!.accessKeyId);
        expect(report.after!.expiration).toBeGreaterThan(report.before!.expiration);
        expect(report.elapsedMs).toBeGreaterThanOrEqual(4_000);
        expect(report.elapsedMs).toBeLessThan(12_000);
        // One GetId, the first credentials and the timer's: nothing else went over the network.
        const calls = emulator.calls.filter((call) => call.identityPoolId === config.identityPoolId);
        expect(calls.map((call) => call.operation)).toEqual([
          'GetId',
          'GetCredentialsForIdentity',
          'GetCredentialsForIdentity',
        ]);
        console.info(`${report.runtime}: the refresh timer fired after ${report.elapsedMs} ms`);
      });
    }
  });

  it.skipIf(embeddedMissing('jsc') !== undefined || embeddedMissing('quickjs') !== undefined)(
    'jsc: the bundle reads no global docs/embedding.md does not list, and every required one',
    async () => {
      const config = freshConfig();
      const report = await runJsc(script, config, { recordGlobals: true });
      expectPassed(config, report);
      const { rows, builtins } = hostContract();
      // The language: what a bare QuickJS context has before any host adds to it.
      const language = new Set(await languageGlobals());
      const harness = new Set(['__host', '__touched', '__recorder']);
      const touched = report.touched!.filter((name) => !harness.has(name));
      expect(touched).toContain('setTimeout');
      const documented = new Set(rows.map((row) => row.name));
      expect(touched.filter((name) => !language.has(name) && !documented.has(name))).toEqual([]);
      expect(touched.filter((name) => language.has(name) && !builtins.includes(name))).toEqual([]);
      const required = rows.filter((row) => row.needed === 'required').map((row) => row.name);
      expect(required.filter((name) => !touched.includes(name))).toEqual([]);
    },
  );
});

/**
 * React Native on Hermes (issue 14 §2): the shared scenario bundled by Metro with
 * @react-native/babel-preset and React Native's own polyfills, run on the Hermes CLI VM. The VM has
 * no network: the scenario first runs in Node against the emulator with every exchange recorded,
 * then Hermes runs it with React Native's `fetch` over a replaying `XMLHttpRequest`; every request
 * Hermes sends must match a recorded one, and every recorded one must be sent. The bundle is also
 * compiled by React Native 0.88's own hermesc. Missing Hermes: skipped loudly, fails under CI=true.
 */
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type ScenarioConfig, type ScenarioReport } from '../src/scenario.js';
import {
  compileWithCurrentHermes,
  currentHermesCompiler,
  hermesMissing,
  metroBundle,
  recordFetch,
  runHermes,
} from './support/hermes.js';

const PROVIDER = 'graph.facebook.com';
const APP_ID = 'runtime-tests-app';

const why = hermesMissing();
if (why && process.env.CI === 'true') throw new Error(`CI=true and Hermes cannot run: ${why}`);
if (why) console.warn(`\n⚠️  SKIPPING the React Native (Hermes) test: ${why}\n`);

interface HermesReport extends ScenarioReport {
  hermes: {
    properties: Record<string, unknown>;
    replay: { matched: string[]; unmatched: string[] };
    endpointOption: string;
    appState: unknown;
    globals: Record<string, string>;
  };
}

describe.skipIf(why !== undefined)('React Native (Hermes): the scenario built by Metro', () => {
  let emulator: Emulator;
  let bundle: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    bundle = await metroBundle();
  }, 180_000);
  afterAll(() => emulator?.close());

  it('runs on the Hermes VM with React Native’s fetch, AbortController and URL', async () => {
    const { identityPoolId } = emulator.createPool({ supportedLoginProviders: { [PROVIDER]: APP_ID } });
    const token = () => emulator.idp.mintToken(PROVIDER, { subject: 'alice', audience: APP_ID });
    const config: ScenarioConfig = {
      endpoint: emulator.endpoint,
      identityPoolId,
      providerName: PROVIDER,
      tokens: [token(), token()],
    };
    const recording = recordFetch();
    let nodeReport: ScenarioReport;
    try {
      nodeReport = await runScenario(`node ${process.version}`, config);
    } finally {
      recording.restore();
    }
    expect(nodeReport.ok).toBe(true);

    const stdout = await runHermes(bundle, { config, recorded: recording.recorded });
    const line = stdout.split('\n').find((text) => text.startsWith('REPORT '));
    expect(line, stdout).toBeDefined();
    const report = JSON.parse(line!.slice('REPORT '.length)) as HermesReport;
    console.info(
      `${report.runtime} (${JSON.stringify(report.hermes.properties)}): ${report.steps.filter((s) => s.ok).length} steps passed, ${report.hermes.replay.matched.length} requests replayed`,
    );
    const failed = report.steps.filter((step) => !step.ok);
    expect({ failed, error: report.error }).toEqual({ failed: [], error: undefined });
    expect(report.ok).toBe(true);
    expect(report.runtime).toMatch(/^hermes \d+\.\d+\.\d+/);
    expect(report.steps.map((step) => step.name)).toEqual(nodeReport.steps.map((step) => step.name));
    expect(report.reasons).toEqual(['created', 'linked', 'logout', 'created']);
    expect(report.secondReasons).toEqual(['created', 'merged']);
    expect(report.ids).toEqual(nodeReport.ids);
    expect(report.coordination).toBe('single');
    // Every request Hermes sent was one the Node run sent, and all of them were sent.
    expect(report.hermes.replay.unmatched).toEqual([]);
    expect([...report.hermes.replay.matched].sort()).toEqual(
      recording.recorded.map((exchange) => exchange.target).sort(),
    );
    expect(report.hermes.globals).toEqual({
      fetch: 'function',
      AbortController: 'function',
      URL: 'function',
      queueMicrotask: 'function',
    });
    expect(report.hermes.endpointOption).toBe('accepted');
  });

  it('React Native’s AppState drives appStateLifecycle: none in the background, one on return inside the window, none outside it', async () => {
    // The scenario's run above printed this check too; run the bundle again without exchanges.
    const stdout = await runHermes(bundle, {
      config: {
        endpoint: 'http://127.0.0.1:9/',
        identityPoolId: 'us-east-1:0',
        providerName: 'x',
        tokens: ['', ''],
      },
      recorded: [],
    });
    const line = stdout.split('\n').find((text) => text.startsWith('REPORT '));
    const report = JSON.parse(line!.slice('REPORT '.length)) as HermesReport;
    expect(report.hermes.appState).toEqual({
      inBackground: 0,
      onReturnInsideWindow: 1,
      onReturnOutsideWindow: 0,
      afterRearmedTimer: 1,
      currentState: 'active',
    });
  });

  it.skipIf(!currentHermesCompiler)('the same bundle compiles with React Native 0.88’s hermesc', async () => {
    const version = await compileWithCurrentHermes(bundle);
    console.info(`compiled by hermesc ${version}`);
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

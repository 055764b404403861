/**
 * Embedded engines (QuickJS, JavaScriptCore's `jsc`): a script bundle with no modules, no DOM and
 * no network. The host defines `__host` (src/embedded/host.ts), a `console`, and timers if the
 * engine has none; evaluates this bundle; pumps the engine's pending jobs; and gets the report
 * through `__host.report`. The config's `mode` picks the run: the shared scenario, or the refresh
 * timer on the host's timers (src/embedded/timer-refresh.ts).
 */
import { type EmbeddingHost, hostTransport } from '../embedded/host.js';
import { installMissingGlobals } from '../embedded/missing-globals.js';
import { runTimerRefresh, type TimerRefreshReport } from '../embedded/timer-refresh.js';
import { runScenario, type ScenarioConfig, type ScenarioReport } from '../scenario.js';

export interface EmbeddedConfig extends ScenarioConfig {
  mode?: 'scenario' | 'timer-refresh';
  /** For `timer-refresh`. */
  refreshWindowSeconds?: number;
}

/** What the bundle reports: the run's report and the globals it had to add to this engine. */
export type EmbeddedReport<R = ScenarioReport> = R & { installed: string[] };
export type EmbeddedTimerReport = EmbeddedReport<TimerRefreshReport>;

const host = (globalThis as { __host?: EmbeddingHost }).__host;
if (!host) throw new Error('no __host: the embedding host defines it before it evaluates this bundle');
const installed = installMissingGlobals();
const config = JSON.parse(host.config) as EmbeddedConfig;
const transport = hostTransport(host, config.endpoint);
const run: Promise<ScenarioReport | TimerRefreshReport> =
  config.mode === 'timer-refresh'
    ? runTimerRefresh(host.engine, {
        identityPoolId: config.identityPoolId,
        transport,
        refreshWindowSeconds: config.refreshWindowSeconds ?? 300,
        timeoutMs: 15_000,
      })
    : runScenario(host.engine, config, { transport });
run.then(
  (report) => host.report(JSON.stringify({ ...report, installed })),
  (error: unknown) =>
    host.report(JSON.stringify({ runtime: host.engine, ok: false, error: String(error), installed })),
);

/**
 * Deno and Bun: the config as the first argument, the report on stdout after `REPORT `.
 * Memory storage; only web-platform globals are used, so one bundle serves both.
 */
import { runScenario, type ScenarioConfig } from '../scenario.js';

interface RuntimeGlobals {
  Deno?: { args: string[]; version: { deno: string } };
  Bun?: { version: string; argv: string[] };
}
const runtime = globalThis as unknown as RuntimeGlobals;
const name = runtime.Deno
  ? `deno ${runtime.Deno.version.deno}`
  : runtime.Bun
    ? `bun ${runtime.Bun.version}`
    : 'unknown';
const arg = runtime.Deno ? runtime.Deno.args[0] : runtime.Bun?.argv[2];
if (!arg) throw new Error('usage: <runtime> cli.js <scenario config JSON>');
const report = await runScenario(name, JSON.parse(arg) as ScenarioConfig);
console.log(`REPORT ${JSON.stringify(report)}`);

/**
 * How each runtime is found and run from Node. Each runner takes the esbuild bundle of one entry
 * (src/entries/*) and a scenario config, and returns the report the runtime produced.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ScenarioConfig, ScenarioReport } from '../../src/scenario.js';
import { type Engine, engineMissing, launch } from './browsers.js';

const require = createRequire(import.meta.url);

/**
 * Bundles one entry of src/entries for the web platform (workspace packages from source).
 * `production`: minified, with the `production` export condition (core checks options without zod).
 */
export async function bundle(
  entry: 'browser' | 'worker' | 'cli' | 'tabs',
  { production = false } = {},
): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../../src/entries/${entry}.ts`, import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: production ? ['production', 'source', 'browser', 'module'] : ['source'],
    minify: production,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A binary: from an environment variable, else its npm platform package, else undefined. */
function platformBinary(envName: string, pkg: string, file: string): string | undefined {
  const fromEnv = process.env[envName];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  try {
    const path = join(dirname(require.resolve(`${pkg}/package.json`)), file);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const platform = `${process.platform}-${process.arch}`;
// The npm packages `deno` and `bun` are only launchers whose install scripts copy or fetch the
// real binary; the binaries themselves ship in these per-platform packages (optionalDependencies).
const denoPackage = { 'linux-x64': '@deno/linux-x64-glibc' }[platform];
const bunPackage = { 'linux-x64': '@oven/bun-linux-x64' }[platform];

export const denoBinary = denoPackage
  ? platformBinary('DENO_BINARY', denoPackage, 'deno')
  : process.env.DENO_BINARY;
export const bunBinary = bunPackage
  ? platformBinary('BUN_BINARY', bunPackage, 'bin/bun')
  : process.env.BUN_BINARY;

/** Why a runtime cannot run here, or undefined. */
export function missing(runtime: Engine | 'workerd' | 'deno' | 'bun'): string | undefined {
  switch (runtime) {
    case 'chromium':
    case 'firefox':
    case 'webkit':
      return engineMissing(runtime);
    case 'deno':
      return denoBinary
        ? undefined
        : process.env.DENO_BINARY
          ? `DENO_BINARY=${process.env.DENO_BINARY} does not exist`
          : `no Deno binary (npm package ${denoPackage ?? `for ${platform}`} not installed; or set DENO_BINARY)`;
    case 'bun':
      return bunBinary
        ? undefined
        : process.env.BUN_BINARY
          ? `BUN_BINARY=${process.env.BUN_BINARY} does not exist`
          : `no Bun binary (npm package ${bunPackage ?? `for ${platform}`} not installed; or set BUN_BINARY)`;
    case 'workerd':
      try {
        require.resolve('miniflare');
        return undefined;
      } catch {
        return 'npm package miniflare not installed';
      }
  }
}

function parseReport(stdout: string, stderr: string, code: number | null): ScenarioReport {
  const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
  if (!line) throw new Error(`no report (exit ${code})\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  return JSON.parse(line.slice('REPORT '.length)) as ScenarioReport;
}

/** Runs a bundle with a command-line runtime (Deno, Bun) in an empty temporary folder. */
async function runCli(
  command: string,
  args: (file: string) => string[],
  script: string,
  config: ScenarioConfig,
) {
  const dir = await mkdtemp(join(tmpdir(), 'identity-pool-runtime-'));
  try {
    const file = join(dir, 'scenario.mjs');
    await writeFile(file, script);
    const child = spawn(command, [...args(file), JSON.stringify(config)], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DENO_DIR: join(dir, '.deno'),
        DENO_NO_UPDATE_CHECK: '1',
        BUN_INSTALL_CACHE_DIR: join(dir, '.bun'),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    return parseReport(stdout, stderr, code);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function runDeno(script: string, config: ScenarioConfig): Promise<ScenarioReport> {
  const port = new URL(config.endpoint).port;
  return runCli(
    denoBinary!,
    (file) => ['run', '--no-config', '--node-modules-dir=none', `--allow-net=127.0.0.1:${port}`, file],
    script,
    config,
  );
}

export function runBun(script: string, config: ScenarioConfig): Promise<ScenarioReport> {
  return runCli(bunBinary!, (file) => ['run', '--no-install', file], script, config);
}

export async function runWorkerd(script: string, config: ScenarioConfig): Promise<ScenarioReport> {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-04-01',
    host: '127.0.0.1',
  });
  try {
    const response = await mf.dispatchFetch('http://localhost/', {
      method: 'POST',
      body: JSON.stringify(config),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`workerd answered ${response.status}: ${text}`);
    return JSON.parse(text) as ScenarioReport;
  } finally {
    await mf.dispose();
  }
}

/** Serves the scenario page and its bundle on loopback, opens it in `engine`, and returns its report. */
async function runInBrowser(engine: Engine, script: string, config: ScenarioConfig): Promise<ScenarioReport> {
  const server = createServer((request, response) => {
    if (request.url === '/scenario.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (request.url === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><meta charset="utf-8"><title>identity-pool runtime scenario</title><script>window.__SCENARIO__ = ${JSON.stringify(config)};</script><script type="module" src="/scenario.js"></script>`,
        );
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launch(engine);
  const profile = await browser.newOrigin().catch(async (error) => {
    await browser.close();
    server.close();
    throw error;
  });
  try {
    const tab = await profile.newTab();
    await tab.goto(`${origin}/`);
    await tab
      .waitForFunction(() => '__REPORT__' in globalThis, undefined, { timeout: 15_000 })
      .catch(() => {
        throw new Error(`no report from the page: ${tab.errors.join('; ') || 'no page error'}`);
      });
    return await tab.evaluate(() => (globalThis as unknown as { __REPORT__: ScenarioReport }).__REPORT__);
  } finally {
    await profile.close();
    await browser.close();
    server.close();
  }
}

export const runChromium = (script: string, config: ScenarioConfig) =>
  runInBrowser('chromium', script, config);
export const runFirefox = (script: string, config: ScenarioConfig) => runInBrowser('firefox', script, config);
export const runWebKit = (script: string, config: ScenarioConfig) => runInBrowser('webkit', script, config);

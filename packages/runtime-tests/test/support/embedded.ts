/**
 * Hosts for the embedded engines: each plays the application that embeds the engine, owns the
 * network and the event loop, and runs the IIFE bundle of src/entries/embedded.ts in it.
 * - QuickJS (quickjs-emscripten, WASM, in this process): the host supplies the timers and an HTTP
 *   `request` (Node's fetch), resolves the guest's promises and pumps its pending jobs.
 * - JavaScriptCore's `jsc` shell (a child process): the engine has timers but no network; the
 *   guest's transport prints each Cognito call on stdout and blocks on `readline()` for the answer,
 *   which this host gets from the AWS SDK transport (`sdkTransport`) against the emulator.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CognitoIdentityTransport } from '@identity-pool/core';
import { sdkTransport } from '@identity-pool/core/sdk-transport';
import { build } from 'esbuild';
import type { CallResult } from '../../src/embedded/host.js';
import type { EmbeddedConfig, EmbeddedReport } from '../../src/entries/embedded.js';
import type { ScenarioConfig } from '../../src/scenario.js';

const require = createRequire(import.meta.url);

export type EmbeddedEngine = 'quickjs' | 'jsc';

/** How long one engine may take for the whole scenario before the host gives up. */
const RUN_TIMEOUT_MS = 20_000;

/** The embedded entry as a classic script (IIFE): no modules, no DOM, ES2022 as QuickJS and JSC have it. */
export async function bundleEmbedded(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../../src/entries/embedded.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    // xstate's and zod's ES modules (`module`), as a bundler for browsers would pick.
    conditions: ['source', 'module'],
    // The AWS SDK transport is never used here (the host supplies the network); its dynamic
    // import stays in the bundle, unevaluated.
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** `jsc` from JSC_BINARY, else /usr/bin/jsc (Debian's libjavascriptcoregtk-4.0-bin). */
export const jscBinary = process.env.JSC_BINARY ?? '/usr/bin/jsc';

/** Why an embedded engine cannot run here, or undefined. */
export function embeddedMissing(engine: EmbeddedEngine): string | undefined {
  if (engine === 'jsc') {
    return existsSync(jscBinary)
      ? undefined
      : `no ${jscBinary} (apt-get install libjavascriptcoregtk-4.0-bin, or set JSC_BINARY)`;
  }
  try {
    require.resolve('quickjs-emscripten-core');
    require.resolve('@jitl/quickjs-wasmfile-release-sync');
    return undefined;
  } catch {
    return 'npm packages quickjs-emscripten-core / @jitl/quickjs-wasmfile-release-sync not installed';
  }
}

/** The engine versions, as their packages state them. */
export function engineVersion(engine: EmbeddedEngine): string {
  if (engine === 'jsc') {
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
      const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'libjavascriptcoregtk-4.0-bin'], {
        encoding: 'utf8',
      });
      return `JavaScriptCore ${version.trim()} (jsc shell)`;
    } catch {
      return `JavaScriptCore (${jscBinary}, version unknown: not a Debian package)`;
    }
  }
  const variantDir = join(require.resolve('@jitl/quickjs-wasmfile-release-sync/package.json'), '..');
  const readme = readFileSync(join(variantDir, 'README.md'), 'utf8');
  const upstream = /Version \[([^\]]+)\]/.exec(readme)?.[1] ?? 'unknown';
  // The package exports no ./package.json: read it beside its entry (dist/index.js).
  const corePackage = join(require.resolve('quickjs-emscripten-core'), '..', '..', 'package.json');
  const core = JSON.parse(readFileSync(corePackage, 'utf8')) as { version: string };
  return `QuickJS ${upstream} (quickjs-emscripten ${core.version}, release-sync WASM)`;
}

/** What the host saw of a run, beside the guest's report. */
export interface HostRecord {
  /** Requests the guest made through the host (HTTP requests, or Cognito calls for `jsc`). */
  hostCalls: number;
  /** What the guest wrote to the host's `console`. */
  hostLog: string[];
}

/** Node's fetch as the QuickJS host's HTTP: a POST, the answer as `{ status, headers, body }` JSON. */
async function hostRequest(url: string, headersJson: string, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: JSON.parse(headersJson), body });
  return JSON.stringify({
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  });
}

/**
 * The bundle inside `with (recorder)`: every free identifier the bundle looks up (core, xstate, zod
 * and the test's own code) goes through the recorder's `has` trap, and so does every property
 * read on `globalThis` (the recorder stands in for it). Sloppy mode, as `with` needs: for this
 * recording run only. Run in `jsc`: QuickJS 2025-09-13 cannot compile an optional call on an
 * identifier inside `with` (`with (o) { f?.() }` throws "InternalError: inconsistent stack size").
 */
function recordingScript(script: string): string {
  return `var __touched = new Set();
var __recorder = new Proxy(globalThis, {
  has(target, key) {
    if (typeof key === 'string') __touched.add(key);
    return key === 'globalThis' || key in target;
  },
  get(target, key) {
    if (key === 'globalThis') return __recorder;
    if (typeof key === 'string') __touched.add(key);
    return Reflect.get(target, key);
  },
});
with (__recorder) {
${script}
}`;
}

/** The QuickJS WASM module (release build, synchronous). */
async function loadQuickJS() {
  const { newQuickJSWASMModuleFromVariant } = await import('quickjs-emscripten-core');
  type Variant = Parameters<typeof newQuickJSWASMModuleFromVariant>[0];
  // The variant package's CommonJS typings nest its default export; the value is the variant.
  const variant = (await import('@jitl/quickjs-wasmfile-release-sync')).default as unknown as Variant;
  return newQuickJSWASMModuleFromVariant(variant);
}

/** The globals of a bare QuickJS context: the language's built-ins, before any host adds one. */
export async function languageGlobals(): Promise<string[]> {
  const vm = (await loadQuickJS()).newContext();
  try {
    return vm
      .unwrapResult(vm.evalCode('Object.getOwnPropertyNames(globalThis)'))
      .consume((names) => vm.dump(names) as string[]);
  } finally {
    vm.dispose();
  }
}

/** Runs the bundle in a fresh QuickJS runtime; this process is the host. */
export async function runQuickJS<R = EmbeddedReport>(
  script: string,
  config: EmbeddedConfig,
): Promise<R & HostRecord> {
  const quickjs = await loadQuickJS();
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(64 * 1024 * 1024);
  const vm = runtime.newContext();
  type Handle = ReturnType<typeof vm.newNumber>;
  const timers = new Map<number, { timer: NodeJS.Timeout; callback: Handle }>();
  let nextTimer = 1;
  let guestError: string | undefined;
  let settle!: (json: string) => void;
  const reported = new Promise<string>((resolve) => {
    settle = resolve;
  });

  /** Runs the guest's pending jobs (promise reactions) until none is left: the host's event loop turn. */
  const pump = () => {
    if (!vm.alive) return;
    const result = runtime.executePendingJobs();
    if (result.error) {
      guestError ??= JSON.stringify(vm.dump(result.error));
      result.error.dispose();
    }
  };
  const dropTimer = (id: number) => {
    const entry = timers.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.callback.dispose();
    timers.delete(id);
  };

  const globals = {
    setTimeout: vm.newFunction('setTimeout', (callback, ms) => {
      const id = nextTimer++;
      const entry = { callback: callback.dup(), timer: undefined as unknown as NodeJS.Timeout };
      entry.timer = setTimeout(() => {
        timers.delete(id);
        const result = vm.callFunction(entry.callback, vm.undefined);
        entry.callback.dispose();
        if (result.error) guestError ??= JSON.stringify(vm.dump(result.error));
        result.dispose();
        pump();
      }, vm.getNumber(ms) || 0);
      timers.set(id, entry);
      return vm.newNumber(id);
    }),
    clearTimeout: vm.newFunction('clearTimeout', (id) => {
      if (vm.typeof(id) === 'number') dropTimer(vm.getNumber(id));
    }),
  };
  const logs: string[] = [];
  const console = vm.newObject();
  const log = vm.newFunction('log', (...args) => {
    logs.push(args.map((arg) => String(vm.dump(arg))).join(' '));
  });
  for (const level of ['log', 'info', 'warn', 'error']) vm.setProp(console, level, log);
  vm.setProp(vm.global, 'console', console);
  log.dispose();
  console.dispose();
  const host = vm.newObject();
  vm.setProp(host, 'engine', vm.newString(engineVersion('quickjs')));
  vm.setProp(host, 'config', vm.newString(JSON.stringify(config)));
  let hostCalls = 0;
  const request = vm.newFunction('request', (url, headers, body) => {
    hostCalls++;
    const deferred = vm.newPromise();
    hostRequest(vm.getString(url), vm.getString(headers), vm.getString(body))
      .then(
        (answer) => vm.newString(answer).consume((handle) => deferred.resolve(handle)),
        (error: Error) => vm.newError(error.message).consume((handle) => deferred.reject(handle)),
      )
      .finally(pump);
    return deferred.handle;
  });
  const report = vm.newFunction('report', (json) => {
    settle(vm.getString(json));
  });
  vm.setProp(host, 'request', request);
  vm.setProp(host, 'report', report);
  vm.setProp(vm.global, '__host', host);
  vm.setProp(vm.global, 'setTimeout', globals.setTimeout);
  vm.setProp(vm.global, 'clearTimeout', globals.clearTimeout);
  for (const handle of [host, request, report, globals.setTimeout, globals.clearTimeout]) handle.dispose();

  let deadline: NodeJS.Timeout | undefined;
  try {
    const evaluated = vm.evalCode(script, 'embedded.js');
    if (evaluated.error) {
      const error = JSON.stringify(vm.dump(evaluated.error));
      evaluated.error.dispose();
      throw new Error(`QuickJS could not evaluate the bundle: ${error}`);
    }
    evaluated.value.dispose();
    pump();
    const timedOut = new Promise<never>((_, reject) => {
      deadline = setTimeout(
        () => reject(new Error(`no report from QuickJS in ${RUN_TIMEOUT_MS} ms; guest error: ${guestError}`)),
        RUN_TIMEOUT_MS,
      );
    });
    const json = await Promise.race([reported, timedOut]);
    const result = JSON.parse(json) as { error?: string };
    if (guestError && !result.error) result.error = `guest error: ${guestError}`;
    return { ...(result as R), hostCalls, hostLog: logs };
  } finally {
    clearTimeout(deadline);
    for (const id of [...timers.keys()]) dropTimer(id);
    vm.dispose();
    runtime.dispose();
  }
}

/** The host side of the jsc bridge: the Cognito operations the guest may call, run by the AWS SDK. */
function hostOperations(config: ScenarioConfig) {
  const transport: CognitoIdentityTransport = sdkTransport({
    region: config.identityPoolId.split(':')[0]!,
    endpoint: config.endpoint,
  });
  return async (operation: string, input: never): Promise<CallResult> => {
    try {
      if (operation === 'GetId') return { ok: true, value: await transport.getId(input) };
      if (operation === 'GetCredentialsForIdentity') {
        const value = await transport.getCredentialsForIdentity(input);
        const expiration = value.credentials.expiration.getTime();
        return { ok: true, value: { ...value, credentials: { ...value.credentials, expiration } } };
      }
      return { ok: false, error: { name: 'Error', message: `no such operation ${operation}`, operation } };
    } catch (error) {
      const e = error as Error & { code?: string; statusCode?: number; serviceMessage?: string };
      const message = e.serviceMessage ?? e.message;
      return {
        ok: false,
        error: { name: e.name, message, operation, code: e.code, statusCode: e.statusCode },
      };
    }
  };
}

/**
 * What the jsc host evaluates before the bundle: `__host` over the shell's `print` and blocking
 * `readline()` (one Cognito call at a time, answered on stdin), and `quit()` once reported, since
 * the shell keeps running while any engine timer is pending.
 */
function jscPrelude(config: EmbeddedConfig): string {
  return `globalThis.console = { log: log, info: log, warn: log, error: log };
function log() {
  print('LOG ' + Array.prototype.join.call(arguments, ' '));
}
globalThis.__host = {
  engine: ${JSON.stringify(engineVersion('jsc'))},
  config: ${JSON.stringify(JSON.stringify(config))},
  call(operation, inputJson) {
    print('CALL ' + JSON.stringify({ operation: operation, input: JSON.parse(inputJson) }));
    return readline();
  },
  report(json) {
    if (typeof __touched === 'object') print('TOUCHED ' + JSON.stringify([...__touched]));
    print('REPORT ' + json);
    quit();
  },
};
`;
}

export interface JscRunOptions {
  /** Record the globals the bundle touches (see {@link recordingScript}). */
  recordGlobals?: boolean;
}

/** Runs the bundle in a `jsc` child process; this process answers its calls. */
export async function runJsc<R = EmbeddedReport>(
  script: string,
  config: EmbeddedConfig,
  options: JscRunOptions = {},
): Promise<R & HostRecord & { touched?: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'identity-pool-jsc-'));
  const operations = hostOperations(config);
  try {
    await writeFile(join(dir, 'host.js'), jscPrelude(config));
    await writeFile(join(dir, 'embedded.js'), options.recordGlobals ? recordingScript(script) : script);
    const child = spawn(jscBinary, ['host.js', 'embedded.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const kill = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    let report: string | undefined;
    let touched: string[] | undefined;
    const hostLog: string[] = [];
    let hostCalls = 0;
    const other: string[] = [];
    // One call at a time: the guest is blocked in readline() until its answer is written.
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('CALL ')) {
        hostCalls++;
        const { operation, input } = JSON.parse(line.slice('CALL '.length)) as {
          operation: string;
          input: never;
        };
        child.stdin.write(`${JSON.stringify(await operations(operation, input))}\n`);
      } else if (line.startsWith('REPORT ')) report = line.slice('REPORT '.length);
      else if (line.startsWith('TOUCHED ')) touched = JSON.parse(line.slice('TOUCHED '.length)) as string[];
      else if (line.startsWith('LOG ')) hostLog.push(line.slice('LOG '.length));
      else other.push(line);
    }
    const code = await exited;
    clearTimeout(kill);
    if (!report) {
      throw new Error(`no report from jsc (exit ${code})\nstdout:\n${other.join('\n')}\nstderr:\n${stderr}`);
    }
    return { ...(JSON.parse(report) as R), hostCalls, hostLog, ...(touched ? { touched } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

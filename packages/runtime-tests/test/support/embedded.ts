/**
 * What the embedded-engine hosts share: the IIFE bundle of src/entries/embedded.ts, finding the
 * engines and their versions, and the recording wrapper. The hosts themselves, each playing the
 * application that embeds the engine and owns the network and the event loop, are
 * quickjs-host.ts (QuickJS in this process) and jsc-host.ts (a `jsc` child process).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

export type EmbeddedEngine = 'quickjs' | 'jsc';

/** How long one engine may take for the whole scenario before the host gives up. */
export const RUN_TIMEOUT_MS = 20_000;

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

/**
 * The bundle inside `with (recorder)`: every free identifier the bundle looks up (core, xstate, zod
 * and the test's own code) goes through the recorder's `has` trap, and so does every property
 * read on `globalThis` (the recorder stands in for it). Sloppy mode, as `with` needs: for this
 * recording run only. Run in `jsc`: QuickJS 2025-09-13 cannot compile an optional call on an
 * identifier inside `with` (`with (o) { f?.() }` throws "InternalError: inconsistent stack size").
 */
export function recordingScript(script: string): string {
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
export async function loadQuickJS() {
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

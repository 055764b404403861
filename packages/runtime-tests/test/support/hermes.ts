/**
 * React Native on Hermes, from Node: Metro bundles src/hermes/entry.ts for Android with
 * @react-native/babel-preset and React Native's polyfills (what `react-native bundle` does, with
 * the `react-native` export condition), and the Hermes CLI VM (npm `hermes-engine-cli`) runs it.
 * The Hermes CLI has no network, so the emulator's answers are recorded from the same scenario in
 * Node and replayed in the VM (src/hermes/replay-xhr.ts), request by request.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RecordedExchange } from '../../src/hermes/replay-xhr.js';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repoRoot = resolve(packageDir, '../..');

/**
 * Metro's `CustomResolver`, as far as this file uses it: metro-config's types import it from
 * metro-resolver, which metro-config does not depend on, so there it reaches TypeScript as `any`.
 */
type MetroResolver = (
  context: { resolveRequest: MetroResolver },
  name: string,
  platform: string | null,
) => unknown;

function resolvedFile(specifier: string): string | undefined {
  try {
    const path = require.resolve(specifier);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The Hermes CLI VM: HERMES_BINARY, else npm `hermes-engine-cli`'s linux64 build. */
export const hermesBinary = process.env.HERMES_BINARY
  ? existsSync(process.env.HERMES_BINARY)
    ? process.env.HERMES_BINARY
    : undefined
  : process.platform === 'linux' && process.arch === 'x64'
    ? (() => {
        const pkg = resolvedFile('hermes-engine-cli/package.json');
        const bin = pkg && join(dirname(pkg), 'linux64-bin', 'hermes');
        return bin && existsSync(bin) ? bin : undefined;
      })()
    : undefined;

/** React Native 0.88's own Hermes compiler (npm `hermes-compiler`, a dependency of react-native). */
export const currentHermesCompiler = (() => {
  const rn = resolvedFile('react-native/package.json');
  if (!rn || process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const bin = join(rn, '..', '..', 'hermes-compiler', 'hermesc', 'linux64-bin', 'hermesc');
  return existsSync(bin) ? bin : undefined;
})();

export function hermesMissing(): string | undefined {
  if (!hermesBinary) {
    return process.env.HERMES_BINARY
      ? `HERMES_BINARY=${process.env.HERMES_BINARY} does not exist`
      : 'no Hermes VM (npm hermes-engine-cli not installed, or not linux-x64; or set HERMES_BINARY)';
  }
  if (!resolvedFile('metro/package.json') || !resolvedFile('react-native/package.json')) {
    return 'metro or react-native (devDependencies of runtime-tests) not installed';
  }
  return undefined;
}

/** Metro's bundle of src/hermes/entry.ts, as `react-native bundle --platform android --dev false`. */
export async function metroBundle(): Promise<string> {
  const Metro = require('metro') as typeof import('metro');
  const out = await mkdtemp(join(tmpdir(), 'hermes-bundle-'));
  try {
    const base = await Metro.loadConfig({ cwd: packageDir, config: undefined }, {
      projectRoot: packageDir,
      // The workspace's installed packages and the core (what the bundle reaches), not the repo.
      watchFolders: [join(repoRoot, 'node_modules'), join(repoRoot, 'packages', 'core')],
      cacheStores: [],
      reporter: { update: () => {} },
      resolver: {
        unstable_enablePackageExports: true,
        // As in an app in a monorepo: the app's node_modules (@babel/runtime) serve every package.
        nodeModulesPaths: [join(packageDir, 'node_modules')],
        // As @react-native/metro-config; Metro itself adds `import` or `require` per dependency.
        unstable_conditionNames: ['react-native'],
        sourceExts: ['ts', 'tsx', 'js', 'jsx', 'json', 'cjs', 'mjs'],
        // TypeScript's NodeNext style (`./x.js` naming `./x.ts`), which Metro does not map itself.
        resolveRequest: ((context, name, platform) => {
          try {
            return context.resolveRequest(context, name, platform);
          } catch (error) {
            if (!name.startsWith('.') || !name.endsWith('.js')) throw error;
            return context.resolveRequest(context, name.slice(0, -3), platform);
          }
        }) satisfies MetroResolver,
      },
      transformer: {
        babelTransformerPath: require.resolve('@react-native/metro-babel-transformer'),
      },
      serializer: {
        getPolyfills: () => require('@react-native/js-polyfills')(),
      },
    } as never);
    const bundleFile = join(out, 'index.android.bundle.js');
    await Metro.runBuild(base, {
      entry: join(packageDir, 'src/hermes/entry.ts'),
      out: bundleFile,
      platform: 'android',
      dev: false,
      minify: false,
    });
    return await readFile(bundleFile, 'utf8');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

export interface HermesRun {
  stdout: string;
  version: string;
}

/** Runs `source` on the Hermes VM with the flags React Native's runtime sets (microtasks, Proxy). */
export async function runHermes(source: string, input: { config: unknown; recorded: RecordedExchange[] }) {
  const dir = await mkdtemp(join(tmpdir(), 'hermes-run-'));
  try {
    const file = join(dir, 'main.js');
    await writeFile(file, `globalThis.__HERMES_INPUT__ = ${JSON.stringify(input)};\n${source}`);
    // To debug a failing run by hand: HERMES_KEEP=<path> keeps a copy of the script.
    if (process.env.HERMES_KEEP) await writeFile(process.env.HERMES_KEEP, await readFile(file));
    const { stdout } = await run(
      hermesBinary as string,
      ['-Xmicrotask-queue', '-Xes6-promise', '-Xes6-proxy', file],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Compiles `source` with React Native 0.88's hermesc (it cannot run it: no VM ships for hosts). */
export async function compileWithCurrentHermes(source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hermesc-'));
  try {
    const file = join(dir, 'main.js');
    await writeFile(file, source);
    await run(currentHermesCompiler as string, ['-emit-binary', '-out', join(dir, 'main.hbc'), file], {
      timeout: 120_000,
    });
    const { stdout } = await run(currentHermesCompiler as string, ['-version']);
    return /Hermes release version: (\S+)/.exec(stdout)?.[1] ?? 'unknown';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Wraps `globalThis.fetch` so every exchange with the emulator is recorded, in order. */
export function recordFetch(): { recorded: RecordedExchange[]; restore: () => void } {
  const original = globalThis.fetch;
  const recorded: RecordedExchange[] = [];
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    recorded.push({
      url: String(input),
      target: new Headers(init?.headers).get('x-amz-target') ?? '',
      body: String(init?.body ?? ''),
      status: response.status,
      headers,
      response: text,
    });
    return new Response(text, { status: response.status, headers: response.headers });
  };
  const restore = () => {
    globalThis.fetch = original;
  };
  return { recorded, restore };
}

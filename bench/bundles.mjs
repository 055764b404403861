/**
 * Browser bundles of an app that gets guest credentials, as bundlers really build them: esbuild
 * (a development build, and a production one: `--conditions=production`, as esbuild users are
 * told to set) and Vite (`vite build`, production mode: rolldown and its minifier, the
 * `production` condition and `process.env.NODE_ENV` set by Vite itself). Each is measured
 * minified, gzip -9 and brotli -11. Vite's size is every JS chunk it emits (a lazy chunk
 * included); "initial" is what the page loads before any lazy import.
 *
 * `node bench/bundles.mjs` (after `pnpm build`) prints the table and, from esbuild's metafile, the
 * modules that cost the most in the production build; `run.mjs` takes `measureBundles()`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';

export const entries = {
  ours: `import { createIdentityPoolAuth, fetchTransport } from '@identity-pool/core';
createIdentityPoolAuth({ identityPoolId: '${POOL}', transport: fetchTransport() }).getCredentials().then(console.log);`,
  oursSdk: `import { createIdentityPoolAuth } from '@identity-pool/core';
import { sdkTransport } from '@identity-pool/core/sdk-transport';
createIdentityPoolAuth({ identityPoolId: '${POOL}', transport: sdkTransport({ region: 'us-east-1' }) }).getCredentials().then(console.log);`,
  v3: `import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
fromCognitoIdentityPool({ identityPoolId: '${POOL}', clientConfig: { region: 'us-east-1' } })().then(console.log);`,
  amplify: `import { Amplify } from 'aws-amplify';
import { fetchAuthSession } from 'aws-amplify/auth';
Amplify.configure({ Auth: { Cognito: { identityPoolId: '${POOL}', allowGuestAccess: true } } });
fetchAuthSession().then(console.log);`,
};

/** min / gzip -9 / brotli -11 of some code. */
export function sizesOf(code) {
  const bytes = typeof code === 'string' ? Buffer.from(code) : code;
  return {
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/**
 * esbuild for the browser, minified, ESM, one file (esbuild inlines lazy imports when not
 * splitting). `production`: with the `production` condition. Returns sizes and the metafile.
 */
export async function esbuildBundle(name, { production }) {
  const result = await build({
    stdin: { contents: entries[name], resolveDir: here, sourcefile: `${name}.js` },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Setting conditions replaces esbuild's defaults: keep browser + module (ESM builds).
    conditions: [...(production ? ['production'] : []), 'browser', 'module'],
    metafile: true,
    write: false,
    logLevel: 'silent',
    // Node-only providers the AWS SDK's index also exports; tree-shaken, never loaded.
    ...(name === 'v3' ? { external: ['node:*'] } : {}),
  });
  return { ...sizesOf(result.outputFiles[0].contents), metafile: result.metafile };
}

/** `vite build` of a page whose script is the entry, with Vite's defaults (production mode). */
export async function viteBundle(name) {
  const dir = mkdtempSync(join(here, '.vite-'));
  try {
    writeFileSync(join(dir, 'entry.js'), entries[name]);
    mkdirSync(join(dir, 'out'));
    const output = await viteBuild({
      configFile: false,
      root: dir,
      logLevel: 'silent',
      build: {
        write: false,
        target: 'es2022',
        modulePreload: false,
        rollupOptions: { input: join(dir, 'entry.js') },
      },
    });
    const chunks = [output].flat().flatMap((o) => o.output.filter((c) => c.type === 'chunk'));
    const all = sizesOf(chunks.map((c) => c.code).join('\n'));
    const initial = sizesOf(
      chunks
        .filter((c) => !c.isDynamicEntry)
        .map((c) => c.code)
        .join('\n'),
    );
    return { ...all, initial, chunks: chunks.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every variant, measured in this run. */
export async function measureBundles() {
  const measure = async (fn) => {
    try {
      return await fn();
    } catch (error) {
      return { error: String(error?.message ?? error).slice(0, 120) };
    }
  };
  return {
    ours: {
      esbuildDev: await measure(() => esbuildBundle('ours', { production: false })),
      esbuildProd: await measure(() => esbuildBundle('ours', { production: true })),
      vite: await measure(() => viteBundle('ours')),
    },
    oursSdk: { esbuildProd: await measure(() => esbuildBundle('oursSdk', { production: true })) },
    v3: { esbuildProd: await measure(() => esbuildBundle('v3', { production: true })) },
    amplify: {
      esbuildProd: await measure(() => esbuildBundle('amplify', { production: true })),
      vite: await measure(() => viteBundle('amplify')),
    },
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
/** `26.2 KB gzip / 23.0 KB br / 81.0 KB min`. */
export const fmtSizes = (s) =>
  s?.error ? `error: ${s.error}` : `${kb(s.gzip)} gzip / ${kb(s.brotli)} br / ${kb(s.min)} min`;

/** The modules of one esbuild metafile, largest first, grouped by package. */
export function topModules(metafile, count = 25) {
  const inputs = Object.entries(Object.values(metafile.outputs)[0].inputs).filter(
    ([, input]) => input.bytesInOutput > 0,
  );
  const packageOf = (path) =>
    path
      .match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)
      ?.at(-1)
      ?.slice(13, -1);
  const byPackage = {};
  for (const [path, input] of inputs) {
    const owner = packageOf(path) ?? 'this project';
    byPackage[owner] = (byPackage[owner] ?? 0) + input.bytesInOutput;
  }
  const modules = inputs
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, count)
    .map(([path, input]) => [
      path.replace(/.*node_modules\//, '').replace(/^.*packages\//, ''),
      input.bytesInOutput,
    ]);
  return { byPackage, modules };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bundles = await measureBundles();
  const rows = [
    ['identity-pool, esbuild development (zod)', bundles.ours.esbuildDev],
    ['identity-pool, esbuild production', bundles.ours.esbuildProd],
    ['identity-pool, vite build (all chunks)', bundles.ours.vite],
    ['identity-pool, vite build (initial)', bundles.ours.vite.initial],
    ['identity-pool + SDK transport, esbuild production', bundles.oursSdk.esbuildProd],
    ['AWS SDK v3, esbuild', bundles.v3.esbuildProd],
    ['Amplify v6, esbuild production', bundles.amplify.esbuildProd],
    ['Amplify v6, vite build (all chunks)', bundles.amplify.vite],
  ];
  for (const [label, sizes] of rows) console.log(`${label.padEnd(52)} ${fmtSizes(sizes)}`);
  const { byPackage, modules } = topModules(bundles.ours.esbuildProd.metafile);
  console.log('\nesbuild production build of identity-pool, minified bytes by package:');
  for (const [owner, bytes] of Object.entries(byPackage).sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(bytes).padStart(7)}  ${owner}`);
  console.log('largest modules:');
  for (const [path, bytes] of modules) console.log(`  ${String(bytes).padStart(7)}  ${path}`);
}

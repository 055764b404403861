/**
 * The browser bundle of an app that gets guest credentials through `fetchTransport`: core +
 * xstate + zod/mini + the fetch transport, built with esbuild for the browser, minified, then
 * gzip -9. Sizes are deterministic for pinned versions, so this is a test, not a benchmark.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const coreDir = join(import.meta.dirname, '..');

/** Issue 5's budget: ≤ 20 KB (Amplify v6 measured 26.6 KB, AWS SDK v3 54.2 KB). */
const TARGET_GZIP_BYTES = 20 * 1024;
/**
 * What the bundle must not grow past today. It misses the 20 KB target: xstate alone (setup,
 * createActor, fromPromise) is 16.3 KB gzipped and zod/mini 6.5 KB — see bench/RESULTS.md.
 * Lower this as the bundle shrinks. It includes the basic flow (`transports/basic-flow.ts`,
 * ~1.5 KB), a dynamic import that splitting bundlers put in a chunk of its own, and cross-tab
 * coordination (`tabs.ts` and its hooks, ~2.7 KB: raised from 35 KB when it landed, since it
 * saves every tab but one its GetId and GetCredentialsForIdentity, and to 37 KB when sign-outs
 * were made impossible to lose), to 38 KB when storage became untrusted and bounded (issue 12
 * §1, §5: adapter calls ordered per key, write leases ended by logout, time-outs, records naming
 * their pool and region, the refresh spread: +1.4 KB), to 40 KB when a login became a
 * transaction (pending login, commit, rollback, undo and the two new errors: +1.9 KB), and to
 * 42 KB for redaction of every shape a plug-in may throw (`redact.ts` and its call sites: +1.7 KB);
 * with the request deadline and issue 16's tab fixes (a sign-out that does not wait for the lock,
 * bounded sequence numbers, adopted identities stored, one signed-in user per origin): 45 KB
 * (45,430 bytes measured). Issue 13 §3 asks for a production build no larger than Amplify's.
 * Issue 15: 46 KB for the `inspect` option's redacting wrapper (`inspect.ts`) and
 * `getState().phase` (+820 bytes: 46,250 measured).
 * Issue 15 §5: 46.25 KB for the facade split into named parts (`auth-*.ts`, `login-*.ts`): the
 * same code, but each part's parameters and returned functions keep their property names
 * (+685 bytes: 46,599 before the split, 47,284 after).
 */
const CEILING_GZIP_BYTES = 46 * 1024 + 256;

const guestEntry = `
import { createIdentityPoolAuth, fetchTransport } from './src/index.ts';
const auth = createIdentityPoolAuth({
  identityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000',
  transport: fetchTransport(),
});
auth.getCredentials().then((credentials) => console.log(credentials.identityId));
`;

let bundle: { minified: number; gzipped: number; inputs: string[] };

async function bundleOf(contents: string) {
  const result = await build({
    stdin: { contents, resolveDir: coreDir, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Workspace packages from their TypeScript sources, as everywhere in the tests.
    // Setting conditions replaces esbuild's defaults: keep 'browser' and 'module', or packages
    // resolve to their CommonJS builds (xstate's is 2.8 KB gzip larger and not tree-shaken).
    conditions: ['source', 'browser', 'module'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const output = Object.values((result.metafile as Metafile).outputs)[0];
  return {
    minified: code.length,
    gzipped: gzipSync(code, { level: 9 }).length,
    inputs: Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  };
}

describe('browser bundle: guest credentials over fetchTransport', () => {
  beforeAll(async () => {
    bundle = await bundleOf(guestEntry);
  }, 60_000);

  it('contains no AWS SDK code', () => {
    expect(bundle.inputs.filter((path) => /@aws-sdk|@smithy/.test(path))).toEqual([]);
    expect(bundle.inputs.some((path) => path.includes('transports/sdk'))).toBe(false);
  });

  it('has zod in its smallest form: zod/mini, no classic API, no locales', () => {
    const zod = bundle.inputs.filter((path) => path.includes('/zod@'));
    expect(zod.length).toBeGreaterThan(0);
    expect(zod.filter((path) => /\/v4\/(classic|locales)\//.test(path))).toEqual([]);
  });

  it(`is at most ${CEILING_GZIP_BYTES} bytes gzipped (the ratchet)`, () => {
    expect(bundle.gzipped).toBeLessThanOrEqual(CEILING_GZIP_BYTES);
  });

  // A known miss, kept visible: this test starts failing (so `fails` turns red) once the bundle
  // meets the target — then drop `.fails` and the ceiling above.
  it.fails(`meets the issue's target of ${TARGET_GZIP_BYTES} bytes gzipped (known miss)`, () => {
    expect(bundle.gzipped).toBeLessThanOrEqual(TARGET_GZIP_BYTES);
  });
});

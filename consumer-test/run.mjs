#!/usr/bin/env node
// The consumer test: what a user outside this workspace gets from the packed tarballs.
// Packs every public package, installs the tarballs with npm into a fresh project in a temp
// directory, starts the emulator from its own tarball, and runs, each step printing PASS/FAIL
// with the packages it exercises:
//   (a) a Node ESM app (guest, login with a fake-IdP token, logout), the README's Quick start run
//       as written, every export imported and require()d — on each Node binary given (--node);
//   (b) the README's Quick start type-checked (strict; moduleResolution nodenext and bundler);
//   (c) a Vite production build of a small page, run in headless Chromium against the emulator;
//   (d) Deno and Bun import every export and get guest credentials;
//   (e) an Amplify v6 app (aws-amplify from the registry) with @identity-pool/amplify, per Node binary.
// Ends with "consumer-test: N passed, N failed" and exits 1 on any failure. Run after `pnpm build`.
// Options: --node <path> (repeatable; default: this node), --keep (leave the temp dir).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { packAll, publicPackages, root, tarballText } from '../scripts/release/workspace.mjs';

const versions = { typescript: '7.0.2', vite: '8.4.0', 'aws-amplify': '6.22.1' };
const poolId = 'us-east-1:0def4f54-71bd-42f5-b8d9-7e8811807670';
const args = process.argv.slice(2);
const nodes = args.flatMap((arg, i) => (arg === '--node' ? [args[i + 1]] : []));
if (nodes.length === 0) nodes.push(process.execPath);
const ci = process.env.CI === 'true' || process.env.CI === '1';

const results = [];
function report(ok, label, detail = '') {
  results.push(ok);
  console.log(
    `${ok ? 'PASS' : 'FAIL'} ${label}${detail ? `\n  ${detail.trim().replaceAll('\n', '\n  ')}` : ''}`,
  );
}
function skip(label, reason) {
  if (ci) return report(false, label, `${reason} (a missing runtime fails under CI=true)`);
  console.log(`SKIP ${label}: ${reason}`);
}

/** Runs a command; resolves { ok, output } (never throws), killing it after timeoutMs. */
function run(command, commandArgs, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => (output += String(error)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: signal ? `${output}\nkilled by ${signal}` : output });
    });
  });
}
async function step(label, command, commandArgs, options) {
  const started = Date.now();
  const { ok, output } = await run(command, commandArgs, options);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  report(ok, `${label} (${seconds} s)`, ok ? output.trim().split('\n').at(-1) : output);
  return ok;
}

/** Every import specifier a package exports (its exports map, less ./package.json). */
function entriesOf(pkg) {
  const manifest = JSON.parse(tarballText(pkg.tarball, 'package.json'));
  return Object.keys(manifest.exports ?? { '.': null })
    .filter((subpath) => subpath !== './package.json' && !subpath.includes('*'))
    .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
}

/** The README's Quick start: the first ```ts block under "## Quick start". */
function quickStart() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Quick start$/m)[1]?.split(/^## /m)[0] ?? '';
  const code = section.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error('README.md has no ```ts block under "## Quick start"');
  return code;
}

function startEmulator(app) {
  const cli = join(app, 'node_modules/@identity-pool/emulator/dist/cli.js');
  const child = spawn(process.execPath, [cli, '--port', '0', '--pool', poolId], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const endpoint = output.match(/listening on (http:\/\/\S+)/)?.[1];
      if (endpoint) resolve({ endpoint, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`@identity-pool/emulator CLI exited (${code}): ${output}`)));
  });
}

function serveStatic(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function browserStep(app, endpoint, packageNames) {
  const label = `(c) Vite ${versions.vite} production build in Chromium [${packageNames}]`;
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) return skip(label, `no Chromium at ${chromium}`);
  const web = join(app, 'web');
  if (
    !(await step(
      `(c) vite build [${packageNames}]`,
      join(app, 'node_modules/.bin/vite'),
      ['build', web, '--logLevel', 'warn'],
      { cwd: app },
    ))
  )
    return;
  const bundle = execFileSync(
    'cat',
    [
      ...execFileSync('ls', [join(web, 'dist/assets')], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((f) => join(web, 'dist/assets', f)),
    ],
    { encoding: 'utf8' },
  );
  if (bundle.includes('CognitoIdentityClient'))
    return report(false, label, 'the browser bundle contains the AWS SDK client');
  // Vite's production mode sets the `production` condition: core checks options without zod.
  if (bundle.includes('_zod')) return report(false, label, 'the production bundle contains zod');
  // playwright-core as the rest of the repository uses it (a devDependency of runtime-tests).
  const { chromium: playwright } = createRequire(join(root, 'packages/runtime-tests/package.json'))(
    'playwright-core',
  );
  const { chromiumArgs } = await import(join(root, 'packages/testkit/dist/chromium.js'));
  const server = await serveStatic(join(web, 'dist'));
  const browser = await playwright.launch({ executablePath: chromium, args: [...chromiumArgs] });
  try {
    const page = await browser.newPage();
    const url = `http://127.0.0.1:${server.address().port}/?endpoint=${encodeURIComponent(endpoint)}&pool=${poolId}`;
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'running', null, {
      timeout: 20_000,
    });
    const result = JSON.parse(await page.textContent('#result'));
    const ok = result.ok && result.linked && result.authenticated && result.after === null;
    report(
      ok,
      label,
      ok
        ? `guest ${result.guest}, linked, logged out; bundle ${(bundle.length / 1024).toFixed(1)} KiB min`
        : JSON.stringify(result),
    );
  } catch (error) {
    report(false, label, String(error?.stack ?? error));
  } finally {
    await browser.close();
    server.close();
  }
}

async function runtimeStep(name, binary, commandArgs, app, endpoint) {
  const label = `(d) ${name} imports every export and gets guest credentials`;
  if (!existsSync(binary)) return skip(label, `no ${name} binary at ${binary}`);
  await step(label, binary, [...commandArgs, 'import-all.mjs', endpoint, poolId], { cwd: app });
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'identity-pool-consumer-'));
  console.log(`consumer-test in ${work}; Node binaries: ${nodes.join(', ')}`);
  let emulator;
  try {
    const packed = packAll(publicPackages(), join(work, 'tarballs'));
    const names = packed.map((pkg) => pkg.name);
    const app = join(work, 'app');
    cpSync(join(root, 'consumer-test/app'), app, { recursive: true });
    const manifest = {
      name: 'identity-pool-consumer',
      private: true,
      type: 'module',
      dependencies: Object.fromEntries(packed.map((pkg) => [pkg.name, `file:${pkg.tarball}`])),
      devDependencies: versions,
    };
    writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(app, 'entries.json'), JSON.stringify(packed.flatMap(entriesOf)));

    const installed = await step(
      'npm install of the tarballs',
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: app, timeoutMs: 300_000 },
    );
    if (!installed) return;
    // Every @identity-pool package must come from its tarball, never from the registry.
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    const fromElsewhere = Object.entries(lock.packages)
      .filter(([path]) => path.includes('node_modules/@identity-pool/'))
      .filter(([, entry]) => !String(entry.resolved ?? '').startsWith('file:') && !entry.link)
      .map(([path, entry]) => `${path} from ${entry.resolved}`);
    report(
      fromElsewhere.length === 0,
      'every @identity-pool package installed from its tarball',
      fromElsewhere.join('\n'),
    );

    emulator = await startEmulator(app);
    const quick = quickStart().replaceAll('http://127.0.0.1:4566', emulator.endpoint);
    writeFileSync(join(app, 'quickstart.ts'), quick);
    writeFileSync(join(app, 'quickstart.mjs'), quick); // the Quick start is written without type syntax, so it runs as JavaScript too

    for (const node of nodes) {
      const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
      await step(
        `(a) Node ${version} ESM app [@identity-pool/core, @identity-pool/storage-adapters, @identity-pool/emulator]`,
        node,
        ['node-app.mjs', emulator.endpoint, poolId],
        { cwd: app },
      );
      await step(
        `(a) Node ${version} runs the README Quick start as written [@identity-pool/core]`,
        node,
        ['quickstart.mjs'],
        { cwd: app },
      );
      await step(
        `(e) Node ${version} Amplify v6 app, docs/amplify.md's lines [@identity-pool/amplify, @identity-pool/core, aws-amplify ${versions['aws-amplify']}]`,
        node,
        ['amplify-app.mjs', emulator.endpoint],
        { cwd: app },
      );
      await step(
        `Node ${version} import() of every export [${names}]`,
        node,
        ['import-all.mjs', emulator.endpoint, poolId],
        { cwd: app },
      );
      await step(
        `Node ${version} require() of every export from CommonJS [${names}]`,
        node,
        ['--no-warnings=ExperimentalWarning', 'require-all.cjs'],
        { cwd: app },
      );
    }

    for (const resolution of ['nodenext', 'bundler']) {
      const tsconfig = {
        compilerOptions: {
          strict: true,
          target: 'es2022',
          lib: ['es2022', 'dom'],
          module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
          moduleResolution: resolution,
          types: [],
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['quickstart.ts'],
      };
      writeFileSync(join(app, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig, null, 2));
      await step(
        `(b) README Quick start type-checks (strict, moduleResolution ${resolution}) [@identity-pool/core]`,
        join(app, 'node_modules/.bin/tsc'),
        ['-p', `tsconfig.${resolution}.json`],
        { cwd: app },
      );
    }

    await browserStep(
      app,
      emulator.endpoint,
      names.filter((n) => n === '@identity-pool/core' || n === '@identity-pool/storage-adapters'),
    );

    const runtimes = join(root, 'packages/runtime-tests/node_modules');
    await runtimeStep(
      'Deno',
      process.env.DENO_BINARY ?? join(runtimes, '@deno/linux-x64-glibc/deno'),
      ['run', '--allow-all', '--node-modules-dir=manual'],
      app,
      emulator.endpoint,
    );
    await runtimeStep(
      'Bun',
      process.env.BUN_BINARY ?? join(runtimes, '@oven/bun-linux-x64/bin/bun'),
      ['run', '--no-install'],
      app,
      emulator.endpoint,
    );
  } catch (error) {
    report(false, 'consumer-test', String(error?.stack ?? error));
  } finally {
    emulator?.stop();
    if (args.includes('--keep')) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
const failed = results.filter((ok) => !ok).length;
console.log(`consumer-test: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;

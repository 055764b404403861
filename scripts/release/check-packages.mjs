#!/usr/bin/env node
// Packs every public package and checks what a user would install: metadata, the tarball's
// contents, publint and attw (ESM-only profile). Prints one line per package and a closing
// "N passed, N failed" line; exits 1 when any package fails. Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { versionPlanProblems } from './version-plan.mjs';
import { packAll, publicPackages, root, tarballFiles, tarballText } from './workspace.mjs';

const requiredFields = [
  'description',
  'keywords',
  'repository',
  'license',
  'engines',
  'sideEffects',
  'exports',
];
const minimumNode = '>=20.19';
/** What a tarball may hold: the build (JS, declarations, their maps), the sources the maps point at, and the docs. */
const allowedFile =
  /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/.+\.ts)$/;
const testFile = /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.ts$/;

function metadataProblems(manifest) {
  const problems = requiredFields.filter((field) => manifest[field] === undefined).map((f) => `no "${f}"`);
  if (manifest.license !== 'MIT') problems.push(`license is ${manifest.license}, not MIT`);
  if (manifest.engines?.node !== minimumNode) problems.push(`engines.node is not "${minimumNode}"`);
  if (manifest.type !== 'module') problems.push('not "type": "module"');
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target === 'object' && Object.keys(target)[0] !== 'types') {
      problems.push(`exports["${subpath}"] does not list "types" first`);
    }
  }
  // A peer is optional, unless declared required on purpose (`optional: false`: React for a React binding).
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    if (typeof manifest.peerDependenciesMeta?.[peer]?.optional !== 'boolean')
      problems.push(`peer ${peer} is neither optional nor declared required (peerDependenciesMeta)`);
  }
  return problems;
}

function contentProblems(files, packedManifestText) {
  const problems = [];
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (!files.includes(file)) problems.push(`tarball lacks ${file}`);
  }
  if (!files.some((file) => file.startsWith('dist/') && file.endsWith('.d.ts')))
    problems.push('no .d.ts in dist/');
  const stray = files.filter((file) => !allowedFile.test(file) || testFile.test(file));
  if (stray.length > 0)
    problems.push(`tarball holds ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', …' : ''}`);
  if (files.some((file) => file.startsWith('src/')) && !files.some((file) => file.endsWith('.js.map'))) {
    problems.push('tarball ships src/ without source maps pointing at it');
  }
  if (packedManifestText.includes('workspace:'))
    problems.push('packed package.json still has a workspace: range');
  return problems;
}

async function publintProblems(pkg) {
  const tarball = readFileSync(pkg.tarball);
  const { messages, pkg: manifest } = await publint({
    pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
    level: 'suggestion',
    strict: true,
  });
  return messages.map(
    (message) => `publint ${message.type}: ${formatMessage(message, manifest) ?? message.code}`,
  );
}

function attwProblems(pkg) {
  try {
    execFileSync(
      join(root, 'node_modules/.bin/attw'),
      [pkg.tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color'],
      {
        encoding: 'utf8',
        stdio: 'pipe',
      },
    );
    return [];
  } catch (error) {
    return [`attw:\n${String(error.stdout ?? error.message).trim()}`];
  }
}

async function check(pkg) {
  const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8'));
  const files = tarballFiles(pkg.tarball);
  return [
    ...metadataProblems(manifest),
    ...contentProblems(files, tarballText(pkg.tarball, 'package.json')),
    ...(await publintProblems(pkg)),
    ...attwProblems(pkg),
  ];
}

const outDir = mkdtempSync(join(tmpdir(), 'identity-pool-pack-'));
let failed = 0;
try {
  const packed = packAll(publicPackages(), outDir);
  for (const pkg of packed) {
    const problems = await check(pkg);
    const size = readFileSync(pkg.tarball).byteLength;
    if (problems.length === 0) {
      console.log(
        `PASS ${pkg.name}@${pkg.version} (${tarballFiles(pkg.tarball).length} files, ${(size / 1024).toFixed(1)} KiB packed)`,
      );
    } else {
      failed += 1;
      console.log(`FAIL ${pkg.name}: ${problems.length} problem(s)`);
      for (const problem of problems) console.log(`  - ${problem.replaceAll('\n', '\n    ')}`);
    }
  }
  const versionProblems = versionPlanProblems();
  if (versionProblems.length === 0) {
    console.log('PASS versions (a core minor moves every package one minor; no unasked major while 0.x)');
  } else {
    failed += 1;
    console.log(`FAIL versions: ${versionProblems.length} problem(s)`);
    for (const problem of versionProblems) console.log(`  - ${problem}`);
  }
  console.log(`check-packages: ${packed.length + 1 - failed} passed, ${failed} failed`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;

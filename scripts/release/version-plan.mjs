// What `changeset version` would do, found by running it on a copy of the workspace's manifests
// (no git, no install: it only reads package.json files and .changeset/). Guards against
// Changesets turning a minor into a major: by default it bumps every package that has a bumped
// package as a peerDependency to the next major, and with fixed versioning that moves them all.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { relativeToRoot, root, workspacePackages } from './workspace.mjs';

const changesetCli = join(root, 'node_modules/.bin/changeset');
const pendingChangesets = () =>
  readdirSync(join(root, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');

/** Copies the root manifest, the workspace file, every package's manifest and the Changesets config. */
function copyManifests(into, packages) {
  const files = ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json'];
  for (const pkg of packages) files.push(join(relativeToRoot(pkg.dir), 'package.json'));
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    copyFileSync(join(root, file), join(into, file));
  }
  // The changelog generator is not needed for versions (and would want git).
  const configPath = join(into, '.changeset/config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  writeFileSync(configPath, JSON.stringify({ ...config, changelog: false, commit: false }));
}

/**
 * Runs `changeset version` with the given changesets (`{ fileName: text }`) on a copy of the
 * manifests; returns the public packages with their `version` now and the `next` one.
 */
export function plannedVersions(changesets) {
  const packages = workspacePackages();
  const copy = mkdtempSync(join(tmpdir(), 'identity-pool-version-plan-'));
  try {
    copyManifests(copy, packages);
    for (const [file, text] of Object.entries(changesets))
      writeFileSync(join(copy, '.changeset', file), text);
    try {
      execFileSync(changesetCli, ['version'], { cwd: copy, stdio: 'pipe', encoding: 'utf8' });
    } catch (error) {
      // A changeset it cannot parse (a formatter turned its front matter into a heading, say).
      const said = String(error.stderr ?? error.message).replace(/🦋\s+error\s*/g, '');
      throw new Error(`changeset version failed: ${said.split('\n').slice(0, 3).join(' ').trim()}`);
    }
    return packages
      .filter((pkg) => !pkg.private)
      .map((pkg) => {
        const manifest = join(copy, relativeToRoot(pkg.dir), 'package.json');
        return {
          name: pkg.name,
          version: pkg.version,
          next: JSON.parse(readFileSync(manifest, 'utf8')).version,
        };
      });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const major = (version) => Number(version.split('.')[0]);
const nextMinor = (version) => {
  const [majorPart, minorPart] = version.split('.').map(Number);
  return `${majorPart}.${minorPart + 1}.0`;
};

/** A minor changeset for core alone must move every public package to the next minor, none further. */
export function coreMinorProblems() {
  const changeset = '---\n"@identity-pool/core": minor\n---\n\nProbe: a core minor.\n';
  return plannedVersions({ 'version-plan-probe.md': changeset })
    .filter((pkg) => pkg.next !== nextMinor(pkg.version))
    .map(
      (pkg) =>
        `a core minor would take ${pkg.name} ${pkg.version} -> ${pkg.next}, not ${nextMinor(pkg.version)}`,
    );
}

/** The package lines of a changeset: the part between its first two `---` lines. */
const frontMatter = (text) => text.split(/^---\s*$/m)[1] ?? '';

/** While versions are 0.x, the pending changesets may leave 0.x only when one of them asks for a major. */
export function pendingMajorProblems() {
  const files = pendingChangesets();
  const texts = Object.fromEntries(
    files.map((file) => [file, readFileSync(join(root, '.changeset', file), 'utf8')]),
  );
  const askedForMajor = Object.values(texts).some((text) =>
    /^\s*\S+\s*:\s*major\s*$/m.test(frontMatter(text)),
  );
  if (askedForMajor) return [];
  return plannedVersions(texts)
    .filter((pkg) => major(pkg.version) === 0 && major(pkg.next) > 0)
    .map(
      (pkg) =>
        `the pending changesets would take ${pkg.name} ${pkg.version} -> ${pkg.next}, and none asks for a major`,
    );
}

/** Both checks; a failing `changeset version` is a problem to report, not a crash. */
export function versionPlanProblems() {
  try {
    return [...coreMinorProblems(), ...pendingMajorProblems()];
  } catch (error) {
    return [error.message];
  }
}

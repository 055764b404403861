// The public packages of the workspace, found rather than listed, so a package added later
// (@identity-pool/react, @identity-pool/amplify, ...) is packed and checked without editing this.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** `pnpm` as `.ci/run` installed it (PNPM may name `npx -y pnpm@x`), else the one on PATH. */
export function pnpm(args, options = {}) {
  const [command, ...prefix] = (process.env.PNPM ?? 'pnpm').split(' ');
  return execFileSync(command, [...prefix, ...args], { cwd: root, encoding: 'utf8', ...options });
}

/** Every workspace package but the root, private ones too: `{ name, version, dir, private }`. */
export function workspacePackages() {
  const listed = JSON.parse(pnpm(['ls', '-r', '--depth', '-1', '--json']));
  return listed
    .filter((entry) => entry.name !== undefined && entry.path !== root.replace(/\/$/, ''))
    .map((entry) => ({
      name: entry.name,
      version: entry.version,
      dir: entry.path,
      private: entry.private === true,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every workspace package without `"private": true`: `{ name, version, dir }`. */
export function publicPackages() {
  return workspacePackages()
    .filter((pkg) => !pkg.private)
    .map(({ name, version, dir }) => ({ name, version, dir }));
}

/**
 * Packs each package with `pnpm pack` (which turns `workspace:` ranges into real ones) into
 * `outDir`; returns the packages with their `tarball` path. Expects a fresh `pnpm build`.
 */
export function packAll(packages, outDir) {
  mkdirSync(outDir, { recursive: true });
  return packages.map((pkg) => {
    const before = new Set(readdirSync(outDir));
    pnpm(['pack', '--pack-destination', outDir], { cwd: pkg.dir, stdio: ['ignore', 'pipe', 'inherit'] });
    const created = readdirSync(outDir).filter((file) => file.endsWith('.tgz') && !before.has(file));
    if (created.length !== 1) throw new Error(`${pkg.name}: pnpm pack made ${created.length} tarballs`);
    return { ...pkg, tarball: join(outDir, created[0]) };
  });
}

/** The paths inside a tarball, without the leading `package/`. */
export function tarballFiles(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

/** One file's text from a tarball. */
export function tarballText(tarball, path) {
  return execFileSync('tar', ['-xzOf', tarball, `package/${path}`], { encoding: 'utf8' });
}

export const relativeToRoot = (path) => relative(root, path);

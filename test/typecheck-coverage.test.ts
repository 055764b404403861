// `pnpm typecheck:tests` (tsconfig.test.json) must keep up with packages and test projects added
// in parallel: a project it does not reference has its tests' `../src` imports checked as tests
// (other settings, src checked twice), and tests it does not include are never type-checked.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import config from '../vitest.config.js';

interface TsConfig {
  include?: string[];
  references?: { path: string }[];
}

/** A tsconfig file, its whole-line `//` comments dropped (JSON.parse takes no comments). */
const readTsConfig = (name: string): TsConfig =>
  JSON.parse(readFileSync(new URL(`../${name}`, import.meta.url), 'utf8').replace(/^\s*\/\/.*$/gm, ''));

const referencedPaths = (tsconfig: TsConfig) => (tsconfig.references ?? []).map(({ path }) => path).sort();

/** `*` is one path segment or part of one, `**` any number of segments. */
const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '\0')
      .replace(/\*/g, '[^/]*')
      .replaceAll('\0', '(?:[^/]+/)*')}$`,
  );

it('tsconfig.test.json references every project the build (tsconfig.json) does', () => {
  expect(referencedPaths(readTsConfig('tsconfig.test.json'))).toEqual(
    referencedPaths(readTsConfig('tsconfig.json')),
  );
});

it('tsconfig.test.json includes the test files of every vitest project', () => {
  const includes = (readTsConfig('tsconfig.test.json').include ?? []).map(globToRegExp);
  const projectGlobs = (config.test?.projects ?? []).flatMap((project) => {
    if (typeof project !== 'object' || !('test' in project)) throw new Error('a project is not inline');
    return project.test?.include ?? [];
  });
  expect(projectGlobs.length).toBeGreaterThan(10);
  // A file each glob matches, one directory deep under each `**`.
  const sample = (glob: string) => glob.replaceAll('**', 'sub').replaceAll('*', 'name');
  const uncovered = projectGlobs.filter((glob) => !includes.some((include) => include.test(sample(glob))));
  expect(uncovered).toEqual([]);
});

// The README's inventories (the `pnpm test` row of the Development table, the Packages table)
// drift as packages and test projects are added in parallel; these checks keep them true.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import config from '../vitest.config.js';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const numberWords = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const numberWord = (n: number) =>
  numberWords[n] ?? ['eleven', 'twelve', 'thirteen', 'fourteen'][n - 11] ?? String(n);

/** The first cell of each row of the table that follows `## <heading>`, without backticks. */
function firstColumn(heading: string): string[] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|')[1]!.trim().replaceAll('`', ''));
}

/** Every workspace package's name, as pnpm-workspace.yaml finds them (packages/*, examples/*, bench). */
function workspacePackageNames(): string[] {
  const dirs = ['packages', 'examples'].flatMap((parent) =>
    readdirSync(new URL(`${parent}/`, root)).map((name) => `${parent}/${name}/`),
  );
  return [...dirs, 'bench/']
    .filter((dir) => existsSync(new URL(`${dir}package.json`, root)))
    .map((dir) => JSON.parse(readFileSync(new URL(`${dir}package.json`, root), 'utf8')).name as string)
    .sort();
}

it('the Development table names every vitest project, and counts them right', () => {
  const projects = (config.test?.projects ?? []).map((project) => {
    if (typeof project !== 'object' || !('test' in project)) throw new Error('a project is not inline');
    return project.test?.name as string;
  });
  const row = readme.split('\n').find((line) => line.startsWith('| `pnpm test`'));
  expect(row, 'README has no `pnpm test` row').toBeDefined();
  const named = [...row!.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]);
  expect(named.sort()).toEqual([...projects].sort());
  expect(row).toContain(`${numberWord(projects.length)} projects`);
});

it('the Packages table lists every workspace package', () => {
  expect(firstColumn('Packages').sort()).toEqual(workspacePackageNames());
});

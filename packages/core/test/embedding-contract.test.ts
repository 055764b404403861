/**
 * docs/embedding.md's host contract matches what core compiles against and looks up: every global
 * `src/web-globals.d.ts` declares has a row, and every row said to be touched by core is declared
 * there or looked up, guarded, on a `globalThis` scope in core's sources. (The runtime-tests
 * package checks the same table against the globals a bundle actually reads, in `jsc`.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const srcDir = join(import.meta.dirname, '..', 'src');

interface ContractRow {
  name: string;
  needed: string;
  touchedBy: string;
}

/** The rows between the host-contract markers: `| \`name\` | needed | touched by | … |`. */
function contractRows(markdown: string): ContractRow[] {
  const section = /<!-- host-contract:start -->([\s\S]*?)<!-- host-contract:end -->/.exec(markdown)?.[1];
  if (!section) throw new Error('docs/embedding.md has no host-contract section');
  return section
    .split('\n')
    .map((line) => /^\|\s*`([\w$]+)`\s*\|([^|]*)\|([^|]*)\|/.exec(line))
    .filter((match) => match !== null)
    .map(([, name, needed, touchedBy]) => ({
      name: name!,
      needed: needed!.trim(),
      touchedBy: touchedBy!.trim(),
    }));
}

/** The globals `declare global` in web-globals.d.ts declares as values (`var`, `function`). */
function declaredGlobals(dts: string): string[] {
  return [...dts.matchAll(/^\s*(?:var|function)\s+([\w$]+)/gm)].map((match) => match[1]!);
}

/**
 * Names core looks up on a global scope without declaring them: properties of a
 * `(globalThis as { name?: … })` cast, and the members of the `…Scope` interfaces (and those they
 * extend) declared in files whose functions take `globalThis` as their default scope (lifecycle,
 * tabs).
 */
function guardedLookups(sources: string[]): Set<string> {
  const names = new Set<string>();
  for (const code of sources) {
    for (const match of code.matchAll(/\(globalThis as \{\s*([\w$]+)\??:/g)) names.add(match[1]!);
    if (!/=\s*globalThis\b/.test(code)) continue;
    const addMembers = (name: string) => {
      for (const member of interfaceMembers(code, name)) names.add(member);
    };
    for (const match of code.matchAll(/interface (\w*Scope)\b(?: extends ([\w, ]+))?\s*\{/g)) {
      addMembers(match[1]!);
      for (const parent of match[2]?.split(',') ?? []) addMembers(parent.trim());
    }
  }
  return names;
}

/** The top-level member names of `interface name { … }` (nested object types skipped). */
function interfaceMembers(code: string, name: string): string[] {
  const start = new RegExp(`interface ${name}\\b[^{]*\\{`).exec(code);
  if (!start) return [];
  const members: string[] = [];
  let depth = 1;
  let line = '';
  for (const char of code.slice(start.index + start[0].length)) {
    if (char === '{') depth++;
    if (char === '}' && --depth === 0) break;
    if (char === '\n') {
      const member = /^\s*([\w$]+)\??[:(]/.exec(line);
      if (member) members.push(member[1]!);
      line = '';
    } else if (depth === 1) line += char;
  }
  return members;
}

const doc = readFileSync(join(root, 'docs', 'embedding.md'), 'utf8');
const rows = contractRows(doc);
const declared = declaredGlobals(readFileSync(join(srcDir, 'web-globals.d.ts'), 'utf8'));
const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => readFileSync(join(srcDir, file), 'utf8'));
const guarded = guardedLookups(sources);

describe('docs/embedding.md lists what core touches', () => {
  it('has a contract table and core has globals to check', () => {
    expect(rows.length).toBeGreaterThan(5);
    expect(declared).toContain('setTimeout');
    expect(guarded).toContain('document');
  });

  it('has a row for every global web-globals.d.ts declares, touched by core', () => {
    const byName = new Map(rows.map((row) => [row.name, row]));
    for (const name of declared) {
      expect(byName.get(name)?.touchedBy, `docs/embedding.md: no row for ${name}`).toMatch(/\bcore\b/);
    }
  });

  it('has a row for every global core looks up guarded on globalThis, touched by core', () => {
    const byName = new Map(rows.map((row) => [row.name, row]));
    for (const name of guarded) {
      expect(byName.get(name)?.touchedBy, `docs/embedding.md: no row for ${name}`).toMatch(/\bcore\b/);
    }
  });

  it('names only globals core declares or looks up, where it says core touches them', () => {
    for (const row of rows.filter((r) => /^core\b/.test(r.touchedBy))) {
      expect(
        declared.includes(row.name) || guarded.has(row.name),
        `${row.name}: said to be touched by core, but core neither declares nor looks it up`,
      ).toBe(true);
    }
  });

  it('says which are needed: required, optional, or only with an option', () => {
    for (const row of rows) expect(row.needed).toMatch(/^(required|optional|only with )/);
  });
});

/**
 * The core must run in any JavaScript runtime: no `node:` modules, and no browser or Node global
 * outside the few every runtime has (the same list `src/web-globals.d.ts` declares for the compiler).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = join(import.meta.dirname, '..', 'src');
const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => ({ file, text: readFileSync(join(srcDir, file), 'utf8') }));

describe('packages/core is runtime-agnostic', () => {
  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(5);
  });

  it.each(sources.map((s) => [s.file, s.text]))(
    '%s imports no node: module or Node built-in',
    (_file, text) => {
      expect(text).not.toMatch(/from\s+['"]node:|require\(\s*['"]node:|import\(\s*['"]node:/);
      expect(text).not.toMatch(/from\s+['"](fs|path|os|crypto|http|https|net|buffer|process)['"]/);
    },
  );

  it.each(sources.map((s) => [s.file, s.text]))('%s touches no DOM or Node global', (_file, text) => {
    const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(
      /\b(window|document|navigator|localStorage|sessionStorage|indexedDB|process|Buffer|__dirname|require)\s*[.[(]/,
    );
  });
});

import { readFileSync } from 'node:fs';
import { identityPoolMachine, stateMachineToMermaid } from '@identity-pool/core';
import { expect, it } from 'vitest';

const START = '<!-- statechart:start -->';
const END = '<!-- statechart:end -->';

it('the README statechart is the machine (run `pnpm diagram` after changing it)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  expect(start, `README.md has no ${START} marker`).toBeGreaterThan(-1);
  expect(end, `README.md has no ${END} marker after ${START}`).toBeGreaterThan(start);

  const actual = readme.slice(start + START.length, end);
  const expected = `\n\`\`\`mermaid\n${stateMachineToMermaid(identityPoolMachine)}\n\`\`\`\n`;
  if (actual !== expected) {
    expect.fail(
      `README statechart is stale: run pnpm diagram.\nExpected block:\n${expected}\nFound:\n${actual}`,
    );
  }
});

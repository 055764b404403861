#!/usr/bin/env node
// `pnpm diagram`: rewrites the statechart block of README.md from the built machine.
// Run `pnpm build` first: this imports packages/core/dist, not the sources.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');
const corePath = join(root, 'packages/core/dist/index.js');

const START = '<!-- statechart:start -->';
const END = '<!-- statechart:end -->';

/** The README block's content (between the markers) for a Mermaid diagram. */
function diagramBlock(mermaid) {
  return `\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n`;
}

let core;
try {
  core = await import(corePath);
} catch (error) {
  console.error(`Cannot load ${corePath} (${error.message}). Run \`pnpm build\` first.`);
  process.exit(1);
}

const readme = await readFile(readmePath, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start === -1 || end === -1 || end < start) {
  console.error(`README.md must contain ${START} followed by ${END}`);
  process.exit(1);
}
const block = diagramBlock(core.stateMachineToMermaid(core.identityPoolMachine));
const next = readme.slice(0, start + START.length) + block + readme.slice(end);
if (next === readme) {
  console.log('README.md statechart is up to date');
} else {
  await writeFile(readmePath, next);
  console.log('README.md statechart rewritten');
}

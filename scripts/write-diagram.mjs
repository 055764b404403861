#!/usr/bin/env node
// `pnpm diagram`: rewrites the statechart block of README.md and docs/statechart.svg from the
// built machine. Run `pnpm build` first: this imports packages/core/dist and the drawing code in
// examples/browser-demo/dist (the demo page shows the same drawing), not the sources.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');
const corePath = join(root, 'packages/core/dist/index.js');
const svgPath = join(root, 'docs/statechart.svg');
const drawingPath = join(root, 'examples/browser-demo/dist/statechart/index.js');

const START = '<!-- statechart:start -->';
const END = '<!-- statechart:end -->';

/** The README block's content (between the markers) for a Mermaid diagram. */
function diagramBlock(mermaid) {
  return `\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n`;
}

/** Imports a built module, or stops with what to do. */
async function load(path) {
  try {
    return await import(path);
  } catch (error) {
    console.error(`Cannot load ${path} (${error.message}). Run \`pnpm build\` first.`);
    process.exit(1);
  }
}

/** Writes `text` to `path` unless it is there already; says which. */
async function update(path, text, name) {
  const before = await readFile(path, 'utf8').catch(() => undefined);
  if (before === text) {
    console.log(`${name} is up to date`);
  } else {
    await writeFile(path, text);
    console.log(`${name} rewritten`);
  }
}

const core = await load(corePath);
const { drawStatechart } = await load(drawingPath);

const readme = await readFile(readmePath, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start === -1 || end === -1 || end < start) {
  console.error(`README.md must contain ${START} followed by ${END}`);
  process.exit(1);
}
const block = diagramBlock(core.stateMachineToMermaid(core.identityPoolMachine));
await update(
  readmePath,
  readme.slice(0, start + START.length) + block + readme.slice(end),
  'README.md statechart',
);
await update(svgPath, await drawStatechart(core.identityPoolMachine), 'docs/statechart.svg');

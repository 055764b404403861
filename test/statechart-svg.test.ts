import { readFileSync } from 'node:fs';
import { identityPoolMachine } from '@identity-pool/core';
import { expect, it } from 'vitest';
import { drawStatechart } from '../examples/browser-demo/src/statechart/index.js';

it('docs/statechart.svg is the machine (run `pnpm diagram` after changing it)', async () => {
  const committed = readFileSync(new URL('../docs/statechart.svg', import.meta.url), 'utf8');
  const drawn = await drawStatechart(identityPoolMachine);
  // The file is ~30 KB: say what to do rather than printing both.
  if (committed !== drawn) expect.fail('docs/statechart.svg is stale: run pnpm diagram');
});

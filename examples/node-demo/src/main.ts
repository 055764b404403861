/**
 * `pnpm demo`: the identity-pool walk-through on an embedded emulator, in simulated time.
 * See `demo.ts` for what it does.
 */
import { runDemo } from './demo.js';

try {
  await runDemo({ log: (line) => console.log(line) });
} catch (error) {
  console.error('The demo failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

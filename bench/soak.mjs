/**
 * The long soak: `pnpm soak` (or `node bench/soak.mjs [sessions] [hours] [seed]` after a build).
 * Many sessions through many simulated hours against the emulator with random faults; prints its
 * counts and exits non-zero on any invariant violation. See soak-lib.mjs.
 */
import { runSoak } from './soak-lib.mjs';

const [sessions = 100, hours = 48, seed = 7, skewMinutes = 0] = process.argv.slice(2).map(Number);
console.log(
  `soak: ${sessions} sessions × ${hours} simulated hours, seed ${seed}, service clock ${skewMinutes} min off`,
);
const { counts, violations } = await runSoak({
  sessions,
  hours,
  seed,
  skewMinutes,
  log: (line) => console.log(line),
});
console.log(JSON.stringify(counts, null, 2));
for (const violation of violations.slice(0, 50)) console.log(`VIOLATION ${violation}`);
console.log(`invariant violations: ${violations.length}`);
process.exitCode = violations.length ? 1 : 0;

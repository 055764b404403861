/**
 * The soak, CI-sized: 20 sessions × 24 simulated hours against the emulator with faults injected
 * at random (see bench/soak-lib.mjs for the faults and the invariants). The long run is
 * `pnpm soak`; its figures are in bench/RESULTS.md.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types, shared with bench/soak.mjs
import { runSoak } from '../../../../bench/soak-lib.mjs';

describe('soak under injected faults, on simulated time', () => {
  it('20 sessions × 24 simulated hours: zero invariant violations, zero secrets leaked', async () => {
    const { counts, violations } = await runSoak({
      sessions: Number(process.env.SOAK_SESSIONS ?? 20),
      hours: Number(process.env.SOAK_HOURS ?? 24),
      seed: Number(process.env.SOAK_SEED ?? 1),
    });
    console.log(`soak: ${JSON.stringify(counts)}`);
    expect(violations).toEqual([]);
    expect(counts.secretHits).toBe(0);
    expect(counts.credentialsHandedOut).toBeGreaterThan(1000);
    expect(Object.values(counts.faults as Record<string, number>).every((n) => n > 0)).toBe(true);
  }, 60_000);
});

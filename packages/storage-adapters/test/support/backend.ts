import { it } from 'vitest';

const ci = () => ['true', '1'].includes(String(process.env.CI).toLowerCase());

/**
 * Whether a real backend this file needs is there. When it is not: under `CI=true` a failing test
 * says what is missing (CI's `.ci/run` installs it); locally the tests are skipped, loudly.
 */
export function requireBackend(what: string, missing: string | undefined): boolean {
  if (!missing) return true;
  if (ci()) {
    it(`${what} is available (required under CI=true)`, () => {
      throw new Error(`${what} is missing under CI=true: ${missing}`);
    });
  } else {
    console.warn(`\n!!! SKIPPING the ${what} tests: ${missing}. Under CI=true this fails.\n`);
    it.skip(`${what} tests (skipped: ${missing})`, () => {});
  }
  return false;
}

// Mutation testing of the core's decision modules (issue 12 §7): `pnpm mutation`, or
// `pnpm mutation --mutate packages/core/src/retry.ts` for one file. Scores per file go to
// bench/RESULTS.md (see docs/architecture.md, "Mutation testing").
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // TypeScript 7 has no JS compiler API, which Stryker's tsconfig rewriting needs; the tests run
  // on sources through vitest, so no tsconfig is involved: point Stryker at none.
  tsconfigFile: 'no-tsconfig-for-stryker.json',
  disableTypeChecks: false,
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'packages/core/src/machine.ts',
    'packages/core/src/recovery.ts',
    'packages/core/src/session.ts',
    'packages/core/src/retry.ts',
    'packages/core/src/storage/session-store.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 95, low: 90, break: null },
};

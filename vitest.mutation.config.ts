import { defineConfig } from 'vitest/config';

// The core's unit, model, property and integration tests, for mutation testing (`pnpm mutation`).
// Left out: tests that measure or scan files (bundle size, runtime-agnostic imports, the soak),
// which no mutant of a decision module can fail and which would only slow each run.
const sourceConditions = ['source', 'node', 'import', 'default'];

// MUTATION_TESTS (comma-separated globs) narrows the run to the tests that target one file, e.g.
// `MUTATION_TESTS='packages/core/test/unit/**/*.test.ts'`: minutes instead of the better part of an
// hour on two shared cores. A narrowed score is a lower bound: more tests can only kill more.
const narrowed = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['source'] } },
  test: {
    include: narrowed?.length ? narrowed : ['packages/core/test/**/*.test.ts'],
    exclude: [
      'packages/core/test/bundle-size.test.ts',
      'packages/core/test/runtime-agnostic.test.ts',
      'packages/core/test/reliability/soak.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources through the "source"
// export condition, so a test run never depends on a stale build. No "module" condition: it
// points the AWS SDK's packages at their bundler-only dist-es builds (extensionless imports),
// which Node cannot load; without it they resolve to dist-cjs, as in plain Node.
const sourceConditions = ['source', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['source'] } },
  test: {
    projects: [
      // One project per package: `vitest run --project <name>` runs one package's tests.
      ...['core', 'node', 'emulator', 'storage-adapters', 'testkit', 'facebook-login', 'google-login'].map(
        (name) => ({
          extends: true as const,
          test: { name, include: [`packages/${name}/test/**/*.test.ts`] },
        }),
      ),
      {
        extends: true,
        // Core's behaviour scenario in headless Chromium, workerd, Deno and Bun (and Node).
        test: {
          name: 'runtime-tests',
          include: ['packages/runtime-tests/test/**/*.test.ts'],
          testTimeout: 40_000,
        },
      },
      {
        extends: true,
        test: { name: 'examples', include: ['examples/*/test/**/*.test.ts', 'test/**/*.test.ts'] },
      },
    ],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

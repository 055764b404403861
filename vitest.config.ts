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
      {
        extends: true,
        test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'emulator', include: ['packages/emulator/test/**/*.test.ts'] },
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

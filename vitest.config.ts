import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources through the "source"
// export condition, so a test run never depends on a stale build. No "module" condition: it
// points the AWS SDK's packages at their bundler-only dist-es builds (extensionless imports),
// which Node cannot load; without it they resolve to dist-cjs, as in plain Node.
const sourceConditions = ['source', 'node', 'import', 'default'];

// The AWS SDK warns once per process that its releases after January 2027 need Node >= 22; vitest
// runs a process per test file, so on Node 20 the same warning would repeat dozens of times. Say
// it once here and switch the SDK's own copy off (the variable is the SDK's documented switch; test
// processes and the processes they spawn inherit it). On Node 22 and 24 there is nothing to say.
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 22 && process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  console.warn(
    `Note: Node ${process.version}: AWS SDK for JavaScript v3 releases after the first week of January 2027 require Node >= 22 (its NodeVersionSupportWarning, shown once for the whole run).`,
  );
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['source'] } },
  test: {
    projects: [
      // One project per package: `vitest run --project <name>` runs one package's tests.
      ...[
        'core',
        'node',
        'emulator',
        'storage-adapters',
        'testkit',
        'facebook-login',
        'google-login',
        'react',
        'amplify',
      ].map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/test/**/*.test.ts`] },
      })),
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

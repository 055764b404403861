/** `startEmulatorPage`: the pool it creates, named by the page (an app's settings) or new. */
import { expect, it } from 'vitest';
import { startEmulatorPage } from '../src/loopback-page.js';

const noRoutes = async () => () => false;

it('creates the pool the page names, accepting its login providers', async () => {
  const identityPoolId = 'us-east-1:0a3f5c2e-7d41-4b8a-9e6f-1c2d3e4f5a6b';
  const page = await startEmulatorPage({
    identityPoolId,
    loginProviders: { 'graph.facebook.com': 'app' },
    routes: noRoutes,
  });
  try {
    expect(page.identityPoolId).toBe(identityPoolId);
    expect(page.emulator.pools()).toEqual([
      expect.objectContaining({ identityPoolId, supportedLoginProviders: { 'graph.facebook.com': 'app' } }),
    ]);
  } finally {
    await page.close();
  }
});

it('creates a new pool when the page names none', async () => {
  const [first, second] = await Promise.all(
    [1, 2].map(() => startEmulatorPage({ loginProviders: {}, routes: noRoutes })),
  );
  try {
    expect(first?.identityPoolId).toMatch(/^us-east-1:/);
    expect(first?.identityPoolId).not.toBe(second?.identityPoolId);
  } finally {
    await Promise.all([first?.close(), second?.close()]);
  }
});

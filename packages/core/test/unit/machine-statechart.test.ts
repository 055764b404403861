/**
 * machine.ts builds its statechart when imported: the phases of design.md §4 as state nodes, each
 * transition's target resolved. Imported inside the test (not at the top of the file), so a
 * statechart that cannot be built fails this test instead of stopping the file from loading —
 * which a test runner may not count as a failure (mutation testing, issue 12 §7).
 */
import { describe, expect, it } from 'vitest';

describe('the statechart', () => {
  it('builds, with the phases of design.md §4 and the in-between states, starting in restoring', async () => {
    const { identityPoolMachine } = await import('../../src/machine.js');
    const ids: string[] = [];
    const visit = (node: typeof identityPoolMachine.root) => {
      ids.push(node.id);
      for (const child of Object.values(node.states)) visit(child as typeof node);
    };
    visit(identityPoolMachine.root);
    expect(ids).toEqual([
      'identityPool',
      'identityPool.restoring',
      'identityPool.routing',
      'identityPool.unauthenticated',
      'identityPool.identifying',
      'identityPool.identified',
      'identityPool.fetching',
      'identityPool.credentialed',
      'identityPool.refreshing',
      'identityPool.authenticated',
      'identityPool.authenticated.routing',
      'identityPool.authenticated.identifying',
      'identityPool.authenticated.identified',
      'identityPool.authenticated.fetching',
      'identityPool.authenticated.credentialed',
      'identityPool.authenticated.refreshing',
      'identityPool.authenticated.loginRequired',
      'identityPool.loggingIn',
      'identityPool.loggingIn.requesting',
      'identityPool.loggingIn.saving',
      'identityPool.loggingIn.undoing',
      'identityPool.loggingIn.routing',
      'identityPool.failed',
    ]);
    expect(identityPoolMachine.root.initial.target.map((node) => node.id)).toEqual([
      'identityPool.restoring',
    ]);
    const authenticated = identityPoolMachine.root.states.authenticated!;
    expect(authenticated.initial.target.map((node) => node.id)).toEqual([
      'identityPool.authenticated.routing',
    ]);
    const loggingIn = identityPoolMachine.root.states.loggingIn!;
    expect(loggingIn.initial.target.map((node) => node.id)).toEqual(['identityPool.loggingIn.requesting']);
  });
});

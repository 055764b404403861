/**
 * `getState()` / `subscribe()` follow every state of the machine, the sub-states of
 * `authenticated` included: `status` stays the top-level phase, `phase` names the full state
 * (`authenticated.refreshing`), and a listener is told of each change of either.
 */
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../support/emulator.js';

const env = useEmulator();

/** The dotted path of the machine's active leaf state. */
const pathOf = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Object.entries(value as Record<string, unknown>)
        .map(([key, child]) => `${key}.${pathOf(child)}`)
        .join(',');

describe('subscribe follows sub-states', () => {
  it('notifies when only a sub-state inside authenticated changes (credentialed → refreshing → credentialed)', async () => {
    const identityPoolId = env.pool({ supportedLoginProviders: { 'graph.facebook.com': 'app' } });
    const auth = env.auth({ identityPoolId });
    await auth.getCredentials();
    const token = env.emulator.idp.mintToken('graph.facebook.com', { subject: 'u1', audience: 'app' });
    await auth.login({ providerName: 'graph.facebook.com', token });
    expect(auth.getState().status).toBe('authenticated');

    const seen: string[] = [];
    const phases: (string | undefined)[] = [];
    auth.subscribe(() => {
      seen.push(pathOf(auth.actor.getSnapshot().value));
      phases.push(auth.getState().phase);
    });
    await auth.getCredentials({ forceRefresh: true });

    expect(seen).toContain('authenticated.refreshing');
    expect(phases).toContain('authenticated.refreshing');
    expect(phases.at(-1)).toBe('authenticated.credentialed');
    expect(auth.getState().status).toBe('authenticated');
    // The same object until something changes (useSyncExternalStore's contract).
    expect(auth.getState()).toBe(auth.getState());
  });
});

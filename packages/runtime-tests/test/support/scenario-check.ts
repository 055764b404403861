/**
 * The Node side of the behaviour scenario (src/scenario.ts), shared by every runtime's test
 * (runtimes.test.ts) and the embedded engines' (embedded.test.ts): a fresh pool per run, and
 * the check that the report and the emulator agree on what happened.
 */
import type { Emulator } from '@identity-pool/emulator';
import { expect } from 'vitest';
import type { ScenarioConfig, ScenarioReport } from '../../src/scenario.js';

export const PROVIDER = 'graph.facebook.com';

/** A fresh pool (so each run's user starts without an identity) and two tokens of one user. */
export function freshScenarioConfig(emulator: Emulator, appId: string): ScenarioConfig {
  const { identityPoolId } = emulator.createPool({ supportedLoginProviders: { [PROVIDER]: appId } });
  const token = () => emulator.idp.mintToken(PROVIDER, { subject: 'alice', audience: appId });
  return { endpoint: emulator.endpoint, identityPoolId, providerName: PROVIDER, tokens: [token(), token()] };
}

/** The report says every step passed, and the emulator agrees on what happened. */
export function expectScenarioPassed(emulator: Emulator, config: ScenarioConfig, report: ScenarioReport) {
  const failed = (report.steps ?? []).filter((step) => !step.ok);
  expect({ failed, error: report.error }).toEqual({ failed: [], error: undefined });
  expect(report.ok).toBe(true);
  expect(report.steps.map((step) => step.name)).toEqual([
    'guest: three concurrent callers share one identity',
    'warm start: a new session over the same storage reuses the identity',
    'login with a fake-IdP token links the guest identity',
    'merge: a second device’s guest signs in as the same user',
    'refresh: forceRefresh gets new credentials for the same identity',
    'logout forgets the identity; the next call is a fresh guest',
  ]);
  expect(report.reasons).toEqual(['created', 'linked', 'logout', 'created']);
  expect(report.secondReasons).toEqual(['created', 'merged']);
  const { guest, secondGuest, afterLogout } = report.ids;
  expect(emulator.identity(guest!)).toMatchObject({ authenticated: true, logins: { [PROVIDER]: 'alice' } });
  expect(emulator.identity(secondGuest!)?.mergedInto).toBe(guest);
  expect(emulator.identity(afterLogout!)).toMatchObject({ authenticated: false });
  // One GetId per guest (three concurrent callers shared the first): first device, second device, after logout.
  const getIds = emulator.calls.filter(
    (call) => call.operation === 'GetId' && call.identityPoolId === config.identityPoolId,
  );
  expect(getIds).toHaveLength(3);
}

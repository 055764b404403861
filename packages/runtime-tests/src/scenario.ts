/**
 * Core's behaviour, as one scenario any JavaScript runtime can run: only web-platform globals
 * (`fetch`, timers, `AbortController`), `fetchTransport` against the emulator on loopback.
 * The Node side (test/runtimes.test.ts) starts the emulator, mints the fake-IdP tokens, hands
 * them in as a {@link ScenarioConfig}, and checks the {@link ScenarioReport} each runtime returns
 * (and the emulator's own records of what was called).
 */
import {
  type CognitoIdentityTransport,
  createIdentityPoolAuth,
  fetchTransport,
  type IdentityChangeReason,
  type IdentityPoolAuth,
  memoryStorage,
  type StorageAdapter,
} from '@identity-pool/core';

export interface ScenarioConfig {
  /** The emulator's service URL (loopback). */
  endpoint: string;
  identityPoolId: string;
  /** The `Logins` key of the fake IdP's provider, e.g. `graph.facebook.com`. */
  providerName: string;
  /** Two tokens of the same user, minted by the emulator's fake IdP (one per session). */
  tokens: [string, string];
}

export interface ScenarioStep {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ScenarioReport {
  runtime: string;
  ok: boolean;
  steps: ScenarioStep[];
  /** The identity IDs seen, for the Node side to check against the emulator. */
  ids: { guest?: string; secondGuest?: string; afterLogout?: string };
  /** `identityChanged` reasons of the first device's sessions, in order. */
  reasons: IdentityChangeReason[];
  /** `getState().coordination` of the first device: `'tabs'` in browsers, `'single'` elsewhere. */
  coordination?: 'tabs' | 'single';
  /** `identityChanged` reasons of the second device. */
  secondReasons: IdentityChangeReason[];
  error?: string;
}

export interface ScenarioOptions {
  /** A storage shared by the first device's two sessions (warm start). Default: memory. */
  storage?: StorageAdapter;
  /** The second device's storage. Default: memory. */
  secondStorage?: StorageAdapter;
  /**
   * The transport of every session. Default: `fetchTransport` to `config.endpoint` over the global
   * `fetch`. Embedded engines have no network of their own: their host supplies one.
   */
  transport?: CognitoIdentityTransport;
}

class StepFailed extends Error {}

/** Runs guest → warm start → login (linked) → merge on a second device → forced refresh → logout. */
export async function runScenario(
  runtime: string,
  config: ScenarioConfig,
  options: ScenarioOptions = {},
): Promise<ScenarioReport> {
  const report: ScenarioReport = {
    runtime,
    ok: false,
    steps: [],
    ids: {},
    reasons: [],
    secondReasons: [],
  };
  const storage = options.storage ?? memoryStorage();
  const secondStorage = options.secondStorage ?? memoryStorage();
  const sessions: IdentityPoolAuth[] = [];
  const open = (
    store: StorageAdapter,
    reasons: IdentityChangeReason[],
    device: 'first' | 'second' = 'first',
  ) => {
    const auth = createIdentityPoolAuth({
      identityPoolId: config.identityPoolId,
      transport: options.transport ?? fetchTransport({ endpoint: config.endpoint }),
      storage: store,
      retry: { maxAttempts: 1 },
      // The second device is another browser: in the same page it must not coordinate with the first.
      coordinateTabs: device === 'first',
    });
    if (device === 'first') report.coordination = auth.getState().coordination;
    auth.on('identityChanged', ({ reason }) => reasons.push(reason));
    sessions.push(auth);
    return auth;
  };
  const step = async (name: string, body: () => Promise<string | undefined>) => {
    try {
      const detail = await body();
      report.steps.push({ name, ok: true, ...(detail ? { detail } : {}) });
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      report.steps.push({ name, ok: false, detail });
      throw new StepFailed(detail);
    }
  };
  const check = (condition: boolean, message: string) => {
    if (!condition) throw new Error(message);
  };

  try {
    let first = open(storage, report.reasons);
    let guestKey = '';

    await step('guest: three concurrent callers share one identity', async () => {
      const all = await Promise.all([first.getCredentials(), first.getCredentials(), first.getIdentityId()]);
      const [a, b, id] = all;
      check(
        a.identityId === b.identityId && a.identityId === id,
        `different identities: ${JSON.stringify(all)}`,
      );
      check(a.accessKeyId === b.accessKeyId, 'concurrent callers got different credentials');
      check(a.expiration.getTime() > Date.now() + 60_000, 'credentials with under a minute of life');
      check(first.getState().status === 'credentialed', `status ${first.getState().status}`);
      report.ids.guest = a.identityId;
      guestKey = a.accessKeyId;
      return a.identityId;
    });

    await step('warm start: a new session over the same storage reuses the identity', async () => {
      first.stop();
      first = open(storage, report.reasons);
      const credentials = await first.getCredentials();
      check(credentials.identityId === report.ids.guest, `new identity ${credentials.identityId}`);
      check(first.getCachedIdentityId() === report.ids.guest, 'cached ID differs');
      return credentials.identityId;
    });

    await step('login with a fake-IdP token links the guest identity', async () => {
      const credentials = await first.login({ providerName: config.providerName, token: config.tokens[0] });
      check(credentials.identityId === report.ids.guest, `identity changed to ${credentials.identityId}`);
      const state = first.getState();
      check(state.status === 'authenticated' && state.authenticated, `state ${JSON.stringify(state)}`);
      check(state.providers.includes(config.providerName), `providers ${state.providers.join(',')}`);
      return state.status;
    });

    await step('merge: a second device’s guest signs in as the same user', async () => {
      const second = open(secondStorage, report.secondReasons, 'second');
      const guest = await second.getCredentials();
      report.ids.secondGuest = guest.identityId;
      check(guest.identityId !== report.ids.guest, 'the second device got the first one’s identity');
      const merged = await second.login({ providerName: config.providerName, token: config.tokens[1] });
      check(merged.identityId === report.ids.guest, `merged into ${merged.identityId}`);
      check(second.getCachedIdentityId() === report.ids.guest, 'the merged ID was not adopted');
      second.stop();
      return `${guest.identityId} → ${merged.identityId}`;
    });

    await step('refresh: forceRefresh gets new credentials for the same identity', async () => {
      const before = await first.getCredentials();
      const after = await first.getCredentials({ forceRefresh: true });
      check(after.identityId === report.ids.guest, `identity ${after.identityId}`);
      check(after.accessKeyId !== before.accessKeyId, 'forceRefresh returned the same credentials');
      check(after.accessKeyId !== guestKey, 'the guest’s credentials came back');
      check(first.getState().status === 'authenticated', `status ${first.getState().status}`);
      return undefined;
    });

    await step('logout forgets the identity; the next call is a fresh guest', async () => {
      await first.logout();
      const state = first.getState();
      check(!state.authenticated && state.providers.length === 0, `state ${JSON.stringify(state)}`);
      check(first.getCachedIdentityId() === undefined, 'the identity is still cached');
      const fresh = await first.getCredentials();
      check(fresh.identityId !== report.ids.guest, 'still the signed-in identity');
      report.ids.afterLogout = fresh.identityId;
      return fresh.identityId;
    });

    report.ok = true;
  } catch (error) {
    if (!(error instanceof StepFailed)) report.error = error instanceof Error ? error.stack : String(error);
  } finally {
    for (const auth of sessions) auth.stop();
  }
  return report;
}

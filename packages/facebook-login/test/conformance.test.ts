import { loginProviderSuite } from '@identity-pool/testkit';
import { it } from 'vitest';
import { facebookLogin } from '../src/index.js';
import { fakeFacebookSdk } from './support/fake-sdk.js';

/** Deadlines short enough for a test; the suite allows each call `deadlineMs`. */
const deadlines = { silentTimeoutMs: 100, signOutTimeoutMs: 100, loadTimeoutMs: 100 };

loginProviderSuite(
  it,
  ({ userCancels, fault }) =>
    facebookLogin({ appId: '1234', sdk: fakeFacebookSdk({ userCancels, fault }), ...deadlines }),
  {
    name: 'facebookLogin (sdk)',
    id: 'facebook',
    loginsKey: 'graph.facebook.com',
    faults: ['throws', 'unresponsive'],
    deadlineMs: 1_000,
  },
);

loginProviderSuite(
  it,
  ({ userCancels, fault }) =>
    facebookLogin({
      appId: '1234',
      ...deadlines,
      getAccessToken: async ({ interactive }) => {
        if (fault === 'unavailable') throw new TypeError('Failed to fetch');
        if (fault === 'unresponsive' && !interactive) return new Promise<never>(() => {});
        return interactive && userCancels ? null : { token: 'EAAserver', expiresAt: Date.now() + 3_600_000 };
      },
    }),
  {
    name: 'facebookLogin (getAccessToken)',
    id: 'facebook',
    loginsKey: 'graph.facebook.com',
    faults: ['unavailable', 'unresponsive'],
    deadlineMs: 1_000,
  },
);

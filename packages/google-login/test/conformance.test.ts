import { loginProviderSuite } from '@identity-pool/testkit';
import { it } from 'vitest';
import { googleLogin } from '../src/index.js';
import { fakeGoogleIdentityServices, idToken } from './support/fake-gis.js';

/** Deadlines short enough for a test; the suite allows each call `deadlineMs`. */
const deadlines = { silentTimeoutMs: 100, signOutTimeoutMs: 100, promptTimeoutMs: 200, loadTimeoutMs: 100 };

loginProviderSuite(
  it,
  ({ userCancels, fault }) =>
    googleLogin({
      clientId: 'client',
      sdk: fakeGoogleIdentityServices({ userCancels, fault }),
      ...deadlines,
    }),
  {
    name: 'googleLogin (sdk)',
    id: 'google',
    loginsKey: 'accounts.google.com',
    faults: ['throws', 'unresponsive'],
    deadlineMs: 1_000,
  },
);

loginProviderSuite(
  it,
  ({ userCancels, fault }) =>
    googleLogin({
      clientId: 'client',
      ...deadlines,
      getIdToken: async ({ interactive }) => {
        if (fault === 'unavailable') throw new TypeError('Failed to fetch');
        if (fault === 'unresponsive' && !interactive) return new Promise<never>(() => {});
        return interactive && userCancels ? null : idToken();
      },
    }),
  {
    name: 'googleLogin (getIdToken)',
    id: 'google',
    loginsKey: 'accounts.google.com',
    faults: ['unavailable', 'unresponsive'],
    deadlineMs: 1_000,
  },
);

import { loginProviderSuite } from '@identity-pool/testkit';
import { it } from 'vitest';
import { googleLogin } from '../src/index.js';
import { fakeGoogleIdentityServices, idToken } from './support/fake-gis.js';

loginProviderSuite(
  it,
  ({ userCancels }) => googleLogin({ clientId: 'client', sdk: fakeGoogleIdentityServices({ userCancels }) }),
  {
    name: 'googleLogin (sdk)',
    id: 'google',
    loginsKey: 'accounts.google.com',
  },
);

loginProviderSuite(
  it,
  ({ userCancels }) =>
    googleLogin({
      clientId: 'client',
      getIdToken: async ({ interactive }) => (interactive && userCancels ? null : idToken()),
    }),
  { name: 'googleLogin (getIdToken)', id: 'google', loginsKey: 'accounts.google.com' },
);

import { loginProviderSuite } from '@identity-pool/testkit';
import { it } from 'vitest';
import { facebookLogin } from '../src/index.js';
import { fakeFacebookSdk } from './support/fake-sdk.js';

loginProviderSuite(
  it,
  ({ userCancels }) => facebookLogin({ appId: '1234', sdk: fakeFacebookSdk({ userCancels }) }),
  {
    name: 'facebookLogin (sdk)',
    id: 'facebook',
    loginsKey: 'graph.facebook.com',
  },
);

loginProviderSuite(
  it,
  ({ userCancels }) =>
    facebookLogin({
      appId: '1234',
      getAccessToken: async ({ interactive }) =>
        interactive && userCancels ? null : { token: 'EAAserver', expiresAt: Date.now() + 3_600_000 },
    }),
  { name: 'facebookLogin (getAccessToken)', id: 'facebook', loginsKey: 'graph.facebook.com' },
);

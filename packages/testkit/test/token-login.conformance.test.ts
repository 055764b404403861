import { tokenLogin } from '@identity-pool/core';
import { it } from 'vitest';
import { loginProviderSuite } from '../src/index.js';

loginProviderSuite(
  it,
  ({ userCancels }) =>
    tokenLogin({
      loginsKey: 'www.amazon.com',
      id: 'amazon',
      getToken: async ({ interactive }) =>
        interactive && userCancels ? null : { token: 'Atza|fake', expiresAt: Date.now() + 3_600_000 },
    }),
  { name: 'tokenLogin', id: 'amazon', loginsKey: 'www.amazon.com' },
);

import { loginProviderSuite } from '@identity-pool/testkit';
import { it } from 'vitest';
import { amazonLogin } from '../src/index.js';
import { fakeAmazonSdk } from './fake-amazon-sdk.js';

loginProviderSuite(
  it,
  ({ userCancels }) => amazonLogin({ clientId: 'amzn1.client', sdk: fakeAmazonSdk({ userCancels }) }),
  {
    name: 'amazonLogin',
    id: 'amazon',
    loginsKey: 'www.amazon.com',
  },
);

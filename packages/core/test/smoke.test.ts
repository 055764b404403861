import { expect, it } from 'vitest';
import { type CognitoIdentityTransport, createIdentityPoolAuth } from '../src/index.js';

it('smoke', async () => {
  let n = 0;
  const calls: string[] = [];
  const transport: CognitoIdentityTransport = {
    async getId() {
      calls.push('GetId');
      return { identityId: `us-east-1:${(++n).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000` };
    },
    async getCredentialsForIdentity(input) {
      calls.push('GCFI');
      return {
        identityId: input.identityId,
        credentials: {
          accessKeyId: 'AK',
          secretAccessKey: 'SK',
          sessionToken: 'ST',
          expiration: new Date(Date.now() + 3600_000),
        },
      };
    },
  };
  const auth = createIdentityPoolAuth({
    identityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000',
    transport,
  });
  const states: string[] = [];
  auth.actor.subscribe((s) => states.push(JSON.stringify(s.value)));
  const all = await Promise.all(Array.from({ length: 100 }, () => auth.getCredentials()));
  expect(new Set(all).size).toBe(1);
  expect(calls).toEqual(['GetId', 'GCFI']);
  console.log(states.join(' '), auth.getState());
  const c = await auth.login({ providerName: 'graph.facebook.com', token: 'tok' });
  console.log(states.join(' '), auth.getState(), c.identityId);
  await auth.logout();
  console.log(auth.getState());
  auth.stop();
});

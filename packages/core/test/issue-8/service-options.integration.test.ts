/**
 * The rest of the Cognito surface: `customRoleArn` and `accountId` reach the service, several
 * linked logins, Cognito user pool logins (`cognito-idp.<region>.amazonaws.com/<poolId>`).
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  cognitoUserPoolLogin,
  decodeJwtClaims,
  type FetchLike,
  fetchTransport,
  userPoolLoginsKey,
  userPoolLoginsKeyFor,
} from '../../src/index.js';
import { useEmulator } from '../support/emulator.js';

const env = useEmulator();
const FACEBOOK = 'graph.facebook.com';
const GOOGLE = 'accounts.google.com';

/** A fetch that records the JSON bodies it sends to the emulator. */
function recordingFetch() {
  const bodies: Array<{ target: string; body: Record<string, unknown> }> = [];
  const fetchFn: FetchLike = async (url, init) => {
    bodies.push({ target: init.headers['x-amz-target'] ?? '', body: JSON.parse(init.body) });
    return fetch(url, init);
  };
  return { fetchFn, bodies };
}

const jwt = (claims: Record<string, unknown>) =>
  ['{"alg":"none"}', JSON.stringify(claims), 'sig']
    .map((part, i) => (i === 2 ? part : Buffer.from(part).toString('base64url')))
    .join('.');

describe('customRoleArn and accountId', () => {
  it('are sent to the service (GetCredentialsForIdentity, GetId), which accepts them', async () => {
    const pool = env.pool();
    const { fetchFn, bodies } = recordingFetch();
    const customRoleArn = 'arn:aws:iam::123456789012:role/Custom_Role';
    const auth = env.auth({
      identityPoolId: pool,
      customRoleArn,
      accountId: '123456789012',
      transport: fetchTransport({ endpoint: env.emulator.endpoint, fetch: fetchFn }),
    });
    await auth.getCredentials();
    expect(bodies.find((b) => b.target.endsWith('.GetId'))?.body).toMatchObject({
      AccountId: '123456789012',
    });
    expect(bodies.find((b) => b.target.endsWith('.GetCredentialsForIdentity'))?.body).toMatchObject({
      CustomRoleArn: customRoleArn,
    });
    expect(env.calls(pool).map((c) => c.status)).toEqual([200, 200]);
  });
});

describe('several linked logins', () => {
  it('a second login links to the same identity; both are sent on refresh', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const one = await auth.login({
      providerName: FACEBOOK,
      token: env.emulator.idp.mintToken(FACEBOOK, { subject: 'multi' }),
    });
    const two = await auth.login({
      providerName: GOOGLE,
      token: env.emulator.idp.mintToken(GOOGLE, { subject: 'multi' }),
    });
    expect(two.identityId).toBe(one.identityId);
    expect(env.emulator.identity(one.identityId)?.logins).toMatchObject({
      [FACEBOOK]: 'multi',
      [GOOGLE]: 'multi',
    });
    expect(auth.getState().providers).toEqual([GOOGLE, FACEBOOK].sort());
    await auth.getCredentials({ forceRefresh: true });
    expect(env.calls(pool, 'GetCredentialsForIdentity').at(-1)?.loginProviders.sort()).toEqual(
      [GOOGLE, FACEBOOK].sort(),
    );
  });
});

describe('Cognito user pool logins', () => {
  it('userPoolLoginsKey reads the ID token’s iss', () => {
    const token = jwt({
      iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      token_use: 'id',
    });
    expect(decodeJwtClaims(token)).toMatchObject({ token_use: 'id' });
    expect(userPoolLoginsKey(token)).toBe('cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123');
    expect(() => userPoolLoginsKey(jwt({ iss: 'https://accounts.google.com' }))).toThrow(ConfigurationError);
    expect(() => userPoolLoginsKey('not-a-jwt')).toThrow(ConfigurationError);
    expect(userPoolLoginsKeyFor('us-east-1_XyZ9')).toBe('cognito-idp.us-east-1.amazonaws.com/us-east-1_XyZ9');
  });

  it('cognitoUserPoolLogin signs in with the user pool key against the emulator', async () => {
    const key = userPoolLoginsKeyFor('us-east-1_Emu1');
    const pool = env.pool({ supportedLoginProviders: { [key]: '*' } });
    const auth = env.auth({ identityPoolId: pool });
    const credentials = await auth.login(
      cognitoUserPoolLogin({
        userPoolId: 'us-east-1_Emu1',
        getToken: async () => env.emulator.idp.mintToken(key, { subject: 'pool-user' }),
      }),
    );
    expect(env.emulator.identity(credentials.identityId)?.logins).toEqual({ [key]: 'pool-user' });
  });
});

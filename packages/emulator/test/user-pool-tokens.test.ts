/**
 * The fake IdP's Cognito user pool stand-in: the ID and access tokens a user pool issues at
 * sign-in, accepted by a pool that lists the user pool (its Logins key → the app client).
 */
import { GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { describe, expect, it } from 'vitest';
import { decodeJwt, messages } from '../src/index.js';
import { poolId, rejectionOf, startTestEmulator } from './support.js';

const userPoolId = 'eu-west-1_Emu42';
const loginsKey = 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Emu42';

describe('user pool tokens', () => {
  it('carry a user pool’s claims: iss, token_use, the client as aud (ID) or client_id (access)', async () => {
    const { emulator } = await startTestEmulator();
    const tokens = emulator.idp.mintUserPoolTokens(userPoolId, {
      clientId: 'app-client',
      subject: 'sub-1',
      username: 'alice',
      expiresInSeconds: 600,
    });
    expect(tokens.loginsKey).toBe(loginsKey);
    const id = decodeJwt(tokens.idToken)?.payload;
    const access = decodeJwt(tokens.accessToken)?.payload;
    expect(id).toMatchObject({
      iss: `https://${loginsKey}`,
      sub: 'sub-1',
      aud: 'app-client',
      token_use: 'id',
      'cognito:username': 'alice',
    });
    expect(access).toMatchObject({
      iss: `https://${loginsKey}`,
      client_id: 'app-client',
      token_use: 'access',
    });
    expect(access).not.toHaveProperty('aud');
    expect((id?.exp as number) - (id?.iat as number)).toBe(600);
    expect(() => emulator.idp.mintUserPoolTokens('not a pool')).toThrow(TypeError);
  });

  it('the ID token is a login of a pool that lists the user pool; the access token is not', async () => {
    const { emulator, client } = await startTestEmulator({
      pools: [{ identityPoolId: poolId(), supportedLoginProviders: { [loginsKey]: 'app-client' } }],
    });
    const { idToken, accessToken } = emulator.idp.mintUserPoolTokens(userPoolId, {
      clientId: 'app-client',
      subject: 'sub-1',
    });
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [loginsKey]: idToken } }),
    );
    const answer = await client.send(
      new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [loginsKey]: idToken } }),
    );
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(emulator.identity(IdentityId as string)?.logins).toEqual({ [loginsKey]: 'sub-1' });

    const refused = await rejectionOf(
      client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [loginsKey]: accessToken } })),
    );
    expect(refused.message).toBe(messages.missingAudienceClaim);
    const otherClient = emulator.idp.mintUserPoolTokens(userPoolId, { clientId: 'other-client' }).idToken;
    const wrongClient = await rejectionOf(
      client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [loginsKey]: otherClient } })),
    );
    expect(wrongClient.message).toBe(messages.incorrectAudience);
  });
});

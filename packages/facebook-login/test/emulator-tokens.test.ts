/**
 * The emulator validates login tokens as Cognito does, so the login tests above prove something:
 * a wrong audience, an expired token and an unknown provider are refused with the service's
 * exact messages (over the real SDK transport).
 */
import { type CognitoIdentityTransport, ServiceError, sdkTransport } from '@identity-pool/core';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let emulator: Emulator;
let transport: CognitoIdentityTransport;
let identityPoolId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  identityPoolId = emulator.createPool({
    supportedLoginProviders: { 'graph.facebook.com': 'fb-app-1', 'accounts.google.com': 'google-client-1' },
  }).identityPoolId;
  transport = sdkTransport({ region: emulator.region, endpoint: emulator.endpoint });
});
afterAll(() => emulator?.close());

const refusal = async (logins: Record<string, string>) => {
  const error = await transport.getId({ identityPoolId, logins }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return { code: (error as ServiceError).code, message: (error as ServiceError).serviceMessage };
};

describe('the emulator refuses bad login tokens with the service messages', () => {
  it('accepts a token for the app ID of the pool', async () => {
    const token = emulator.idp.mintToken('graph.facebook.com', { subject: 'alice', audience: 'fb-app-1' });
    await expect(
      transport.getId({ identityPoolId, logins: { 'graph.facebook.com': token } }),
    ).resolves.toMatchObject({
      identityId: expect.stringMatching(/^us-east-1:/),
    });
  });

  it('wrong audience', async () => {
    const token = emulator.idp.mintToken('graph.facebook.com', { audience: 'another-app' });
    expect(await refusal({ 'graph.facebook.com': token })).toEqual({
      code: 'NotAuthorizedException',
      message: 'Invalid login token. Incorrect token audience.',
    });
  });

  it('expired token', async () => {
    const issuedAt = Math.floor(Date.now() / 1000) - 7200;
    const token = emulator.idp.mintToken('accounts.google.com', { audience: 'google-client-1', issuedAt });
    const { code, message } = await refusal({ 'accounts.google.com': token });
    expect(code).toBe('NotAuthorizedException');
    expect(message).toMatch(/^Invalid login token\. Token expired: \d+ >= \d+$/);
  });

  it('unknown provider', async () => {
    const token = emulator.idp.mintToken('www.amazon.com', { audience: 'amzn' });
    expect(await refusal({ 'www.amazon.com': token })).toEqual({
      code: 'NotAuthorizedException',
      message: 'Token is not from a supported provider of this identity pool.',
    });
  });
});

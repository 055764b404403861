import {
  DescribeIdentityCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
} from '@aws-sdk/client-cognito-identity';
import { describe, expect, it } from 'vitest';
import { decodeJwt, messages, openIdIssuer } from '../src/index.js';
import { poolId, rejectionOf, sdkClient, startTestEmulator } from './support.js';

describe('guest identities', () => {
  it('GetId then GetCredentialsForIdentity returns credentials one TTL ahead of the service clock', async () => {
    const { emulator, client, clock } = await startTestEmulator();

    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    expect(IdentityId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);

    const result = await client.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    expect(result.IdentityId).toBe(IdentityId);
    const credentials = result.Credentials;
    expect(credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(credentials?.SecretKey).toHaveLength(40);
    expect(credentials?.SessionToken?.length).toBeGreaterThan(100);
    expect(credentials?.Expiration).toBeInstanceOf(Date);
    expect(credentials?.Expiration?.getTime()).toBe(clock.now() + 3600 * 1000);

    expect(emulator.identity(IdentityId as string)).toMatchObject({
      identityPoolId: poolId(),
      status: 'active',
      authenticated: false,
      logins: {},
    });
  });

  it('creates a new guest identity on every GetId without logins', async () => {
    const { emulator, client } = await startTestEmulator();
    const first = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const second = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    expect(first.IdentityId).not.toBe(second.IdentityId);
    expect(emulator.identities(poolId())).toHaveLength(2);
  });

  it('follows the clock offset and the credentials TTL option', async () => {
    const { emulator, client, clock } = await startTestEmulator({ credentialsTtlSeconds: 900 });
    emulator.setClockOffset(-120_000);
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const { Credentials } = await client.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    expect(Credentials?.Expiration?.getTime()).toBe(clock.now() - 120_000 + 900_000);
  });

  it('refuses guests when the pool disallows them', async () => {
    const { emulator, client } = await startTestEmulator({
      pools: [{ identityPoolId: poolId(), allowUnauthenticatedIdentities: false }],
    });
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(error.name).toBe('NotAuthorizedException');
    expect(error.message).toBe(messages.unauthenticatedNotSupported);
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
    expect(emulator.calls.at(-1)).toMatchObject({
      operation: 'GetId',
      status: 400,
      errorType: 'NotAuthorizedException',
    });
  });

  it('refuses credentials for an existing guest once guest access is turned off', async () => {
    const { emulator, client } = await startTestEmulator();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    emulator.updatePool(poolId(), { allowUnauthenticatedIdentities: false });
    const error = await rejectionOf(client.send(new GetCredentialsForIdentityCommand({ IdentityId })));
    expect(error.name).toBe('NotAuthorizedException');
    expect(error.message).toBe(messages.unauthenticatedNotSupported);
  });

  it('reports an unknown pool', async () => {
    const { client } = await startTestEmulator();
    const unknown = poolId('eu-west-1', 'aaaaaaaa-0000-0000-0000-000000000000');
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: unknown })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe(`IdentityPool '${unknown}' not found.`);
  });

  it('reports unknown, deleted and disabled identities', async () => {
    const { emulator, client } = await startTestEmulator();
    const unknown = 'us-east-1:99999999-0000-0000-0000-000000000000';
    const notFound = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: unknown })),
    );
    expect(notFound.name).toBe('ResourceNotFoundException');
    expect(notFound.message).toBe(`Identity '${unknown}' not found.`);

    const { IdentityId: deleted } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    emulator.deleteIdentity(deleted as string);
    const afterDelete = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: deleted })),
    );
    expect(afterDelete.name).toBe('ResourceNotFoundException');
    expect(afterDelete.message).toBe(messages.identityNotFound(deleted as string));
    expect(emulator.identity(deleted as string)?.status).toBe('deleted');

    const { IdentityId: disabled } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    emulator.disableIdentity(disabled as string);
    const afterDisable = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: disabled })),
    );
    expect(afterDisable.name).toBe('NotAuthorizedException');
    expect(afterDisable.message).toBe(`Access to Identity '${disabled}' is forbidden.`);
  });

  it('deleting a pool deletes its identities', async () => {
    const { emulator, client } = await startTestEmulator();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    emulator.deletePool(poolId());
    const error = await rejectionOf(client.send(new GetCredentialsForIdentityCommand({ IdentityId })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(emulator.pools()).toEqual([]);
  });

  it('fails with InvalidIdentityPoolConfigurationException when the pool has no roles', async () => {
    const { client } = await startTestEmulator({ pools: [{ identityPoolId: poolId(), roles: false }] });
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const error = await rejectionOf(client.send(new GetCredentialsForIdentityCommand({ IdentityId })));
    expect(error.name).toBe('InvalidIdentityPoolConfigurationException');
    expect(error.message).toBe(messages.invalidPoolConfiguration);
  });

  it('fails the same way when only the unauthenticated role is missing', async () => {
    const { client } = await startTestEmulator({
      pools: [{ identityPoolId: poolId(), roles: { authenticated: 'arn:aws:iam::123456789012:role/Auth' } }],
    });
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const error = await rejectionOf(client.send(new GetCredentialsForIdentityCommand({ IdentityId })));
    expect(error.name).toBe('InvalidIdentityPoolConfigurationException');
  });
});

describe('GetOpenIdToken', () => {
  it('returns an RS512 token for a guest, valid 10 minutes', async () => {
    const { emulator, client, clock } = await startTestEmulator({
      pools: [{ identityPoolId: poolId('eu-west-1') }],
    });
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId('eu-west-1') }));
    const result = await client.send(new GetOpenIdTokenCommand({ IdentityId }));
    expect(result.IdentityId).toBe(IdentityId);
    const decoded = decodeJwt(result.Token as string);
    expect(decoded?.header).toEqual({ kid: 'eu-west-11', typ: 'JWS', alg: 'RS512' });
    const nowSeconds = Math.floor(clock.now() / 1000);
    expect(decoded?.payload).toMatchObject({
      iss: openIdIssuer,
      sub: IdentityId,
      aud: poolId('eu-west-1'),
      amr: ['unauthenticated'],
      iat: nowSeconds,
      exp: nowSeconds + 600,
    });
    expect(emulator.openIdJwks().keys.map((key) => key.kid)).toContain('eu-west-11');
  });

  it('is refused when the pool turns the classic flow off, allowed when the flag is absent', async () => {
    const { emulator, client } = await startTestEmulator();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    await expect(client.send(new GetOpenIdTokenCommand({ IdentityId }))).resolves.toBeDefined();

    emulator.updatePool(poolId(), { allowClassicFlow: false });
    const error = await rejectionOf(client.send(new GetOpenIdTokenCommand({ IdentityId })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Basic (classic) flow is not enabled, please use enhanced flow.');
  });

  it('works for a pool without roles (only GetCredentialsForIdentity needs them)', async () => {
    const { client } = await startTestEmulator({ pools: [{ identityPoolId: poolId(), roles: false }] });
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    await expect(client.send(new GetOpenIdTokenCommand({ IdentityId }))).resolves.toMatchObject({
      IdentityId,
    });
  });
});

describe('DescribeIdentity', () => {
  it('describes an identity to a signed caller and refuses unsigned calls', async () => {
    const { emulator, client, clock } = await startTestEmulator();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));

    const signed = sdkClient(emulator, { signed: true });
    const described = await signed.send(new DescribeIdentityCommand({ IdentityId }));
    expect(described).toMatchObject({ IdentityId, Logins: [] });
    expect(described.CreationDate?.getTime()).toBe(clock.now());

    const response = await fetch(`${emulator.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityService.DescribeIdentity',
      },
      body: JSON.stringify({ IdentityId }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: messages.missingAuthenticationToken,
    });
  });
});

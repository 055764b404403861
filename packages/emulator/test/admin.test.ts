import { GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { describe, expect, it } from 'vitest';
import type { Emulator, IdentityInfo, PoolInfo } from '../src/index.js';
import { messages } from '../src/index.js';
import { poolId, rawRequest, rejectionOf, startTestEmulator } from './support.js';

async function admin(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${emulator.endpoint}/__admin/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

describe('admin HTTP API', () => {
  it('creates pools and shows the state', async () => {
    const { emulator } = await startTestEmulator({ pools: [] });
    const created = await admin(emulator, 'POST', 'pools', {
      identityPoolId: poolId('ap-south-1'),
      allowUnauthenticatedIdentities: false,
      supportedLoginProviders: { 'login.example.com': 'app' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      identityPoolId: poolId('ap-south-1'),
      region: 'ap-south-1',
      allowUnauthenticatedIdentities: false,
      supportedLoginProviders: { 'login.example.com': 'app' },
    });
    expect(created.headers.get('access-control-allow-origin')).toBe('*');

    const generated = (await admin(emulator, 'POST', 'pools', {})).body as PoolInfo;
    expect(generated.identityPoolId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);

    const state = (await admin(emulator, 'GET', 'state')).body as { pools: PoolInfo[]; endpoint: string };
    expect(state.endpoint).toBe(emulator.endpoint);
    expect(state.pools.map((pool) => pool.identityPoolId)).toEqual([
      poolId('ap-south-1'),
      generated.identityPoolId,
    ]);
    expect(emulator.region).toBe('ap-south-1');
  });

  it('patches and deletes pools', async () => {
    const { emulator, client } = await startTestEmulator();
    const patched = await admin(emulator, 'PATCH', `pools/${encodeURIComponent(poolId())}`, {
      allowUnauthenticatedIdentities: false,
    });
    expect(patched.body).toMatchObject({ allowUnauthenticatedIdentities: false });
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(error.message).toBe(messages.unauthenticatedNotSupported);

    expect((await admin(emulator, 'DELETE', `pools/${poolId()}`)).status).toBe(200);
    expect(emulator.pools()).toEqual([]);
    expect((await admin(emulator, 'DELETE', `pools/${poolId()}`)).status).toBe(404);
  });

  it('mints tokens the service accepts', async () => {
    const { emulator, client } = await startTestEmulator();
    const { body } = await admin(emulator, 'POST', 'tokens', {
      providerName: 'accounts.google.com',
      subject: 'g-1',
    });
    const { token } = body as { token: string };
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { 'accounts.google.com': token } }),
    );
    expect(emulator.identity(IdentityId as string)?.logins).toEqual({ 'accounts.google.com': 'g-1' });
    expect((await admin(emulator, 'POST', 'tokens', {})).status).toBe(400);
  });

  it('mints a user pool user’s tokens (POST tokens/user-pool), whose ID token the service accepts', async () => {
    const loginsKey = 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Admin1';
    const { emulator, client } = await startTestEmulator({
      pools: [{ identityPoolId: poolId(), supportedLoginProviders: { [loginsKey]: 'admin-client' } }],
    });
    const { status, body } = await admin(emulator, 'POST', 'tokens/user-pool', {
      userPoolId: 'us-east-1_Admin1',
      clientId: 'admin-client',
      subject: 'u-1',
    });
    expect(status).toBe(200);
    const tokens = body as { idToken: string; accessToken: string; loginsKey: string };
    expect(tokens.loginsKey).toBe(loginsKey);
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [loginsKey]: tokens.idToken } }),
    );
    expect(emulator.identity(IdentityId as string)?.logins).toEqual({ [loginsKey]: 'u-1' });
    expect((await admin(emulator, 'POST', 'tokens/user-pool', {})).status).toBe(400);
    expect((await admin(emulator, 'POST', 'tokens/user-pool', { userPoolId: 'nope' })).status).toBe(400);
  });

  it('injects and clears faults', async () => {
    const { emulator, client } = await startTestEmulator();
    const injected = await admin(emulator, 'POST', 'faults', {
      kind: 'throttle',
      operation: 'GetId',
      count: 2,
    });
    expect(injected.body).toEqual({ pending: [{ kind: 'throttle', operation: 'GetId', count: 2 }] });
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(error.name).toBe('TooManyRequestsException');
    expect((await admin(emulator, 'GET', 'faults')).body).toEqual([
      { kind: 'throttle', operation: 'GetId', count: 1 },
    ]);
    expect((await admin(emulator, 'DELETE', 'faults')).body).toEqual({ pending: [] });
    await expect(client.send(new GetIdCommand({ IdentityPoolId: poolId() }))).resolves.toHaveProperty(
      'IdentityId',
    );

    const bad = await admin(emulator, 'POST', 'faults', { kind: 'meteor' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: expect.stringMatching(/Unknown fault kind/) });
  });

  it('disables and deletes identities', async () => {
    const { emulator, client } = await startTestEmulator();
    const { IdentityId: first } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const { IdentityId: second } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));

    const disabled = await admin(
      emulator,
      'POST',
      `identities/${encodeURIComponent(first as string)}/disable`,
    );
    expect((disabled.body as IdentityInfo).status).toBe('disabled');
    const forbidden = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: first })),
    );
    expect(forbidden.message).toBe(messages.identityForbidden(first as string));

    await admin(emulator, 'POST', `identities/${second}/delete`);
    const notFound = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: second })),
    );
    expect(notFound.message).toBe(messages.identityNotFound(second as string));

    const listed = (await admin(emulator, 'GET', `identities?identityPoolId=${poolId()}`))
      .body as IdentityInfo[];
    expect(listed.map((identity) => identity.status)).toEqual(['disabled', 'deleted']);
    expect((await admin(emulator, 'GET', `identities/${second}`)).body).toMatchObject({ status: 'deleted' });
    const unknown = 'us-east-1:00000000-0000-0000-0000-000000000000';
    expect((await admin(emulator, 'POST', `identities/${unknown}/disable`)).status).toBe(404);
  });

  it('moves the service clock', async () => {
    const { emulator, clock } = await startTestEmulator();
    expect((await admin(emulator, 'POST', 'clock', { offsetMs: -60_000 })).body).toEqual({
      offsetMs: -60_000,
    });
    const response = await rawRequest(emulator, 'GetId', { IdentityPoolId: poolId() });
    expect(response.headers.get('date')).toBe(new Date(clock.now() - 60_000).toUTCString());
    expect((await admin(emulator, 'POST', 'clock', {})).status).toBe(400);
  });

  it('lists and clears calls; admin requests are not calls', async () => {
    const { emulator, client } = await startTestEmulator();
    await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const calls = (await admin(emulator, 'GET', 'calls')).body as Array<{ operation: string }>;
    expect(calls.map((call) => call.operation)).toEqual(['GetId']);
    await admin(emulator, 'DELETE', 'calls');
    expect(emulator.calls).toEqual([]);
    expect(emulator.callCount()).toBe(0);
  });

  it('answers preflights, unknown routes and bad bodies', async () => {
    const { emulator } = await startTestEmulator();
    const preflight = await fetch(`${emulator.endpoint}/__admin/faults`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, PATCH, DELETE, OPTIONS');
    expect((await admin(emulator, 'GET', 'nothing-here')).status).toBe(404);
    const badJson = await fetch(`${emulator.endpoint}/__admin/pools`, { method: 'POST', body: '[1,2' });
    expect(badJson.status).toBe(400);
    expect((await admin(emulator, 'POST', 'pools', { identityPoolId: 'nope' })).status).toBe(400);
    expect((await admin(emulator, 'POST', 'pools', { roles: 'admin' })).status).toBe(400);
  });
});

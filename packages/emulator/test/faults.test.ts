import { GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { messages } from '../src/index.js';
import { poolId, rawRequest, rejectionOf, sdkClient, startTestEmulator } from './support.js';

function httpStatusOf(error: Record<string, unknown>): number | undefined {
  return (error.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fault injection', () => {
  it('throttle: the SDK sees TooManyRequestsException "Rate exceeded" (400 on the wire)', async () => {
    const { emulator, client } = await startTestEmulator();
    emulator.faults.inject({ kind: 'throttle' });
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(error.name).toBe('TooManyRequestsException');
    expect(error.message).toBe(messages.rateExceeded);
    expect(httpStatusOf(error)).toBe(400);
    expect(emulator.calls).toMatchObject([
      {
        operation: 'GetId',
        status: 400,
        errorType: 'TooManyRequestsException',
        fault: 'throttle',
        identityPoolId: poolId(),
      },
    ]);
    expect(emulator.faults.pending()).toEqual([]);
  });

  it('throttle is retried by the SDK; the attempts are recorded', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0); // no jittered backoff wait
    const { emulator } = await startTestEmulator();
    const client = sdkClient(emulator, { maxAttempts: 3 });
    emulator.faults.inject({ kind: 'throttle', operation: 'GetId', count: 2 });
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    expect(IdentityId).toBeDefined();
    expect(emulator.calls.map((call) => [call.status, call.attempt])).toEqual([
      [400, 'attempt=1; max=3'],
      [400, 'attempt=2; max=3'],
      [200, 'attempt=3; max=3'],
    ]);
    expect(emulator.callCount('GetId')).toBe(3);
  });

  it('throttle uses 429 with statusCodes "model" and can send Retry-After', async () => {
    const { emulator } = await startTestEmulator({ statusCodes: 'model' });
    emulator.faults.inject({ kind: 'throttle', retryAfterSeconds: 2 });
    const response = await rawRequest(emulator, 'GetId', { IdentityPoolId: poolId() });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ __type: 'TooManyRequestsException', message: 'Rate exceeded' });
  });

  it('internal: 500 InternalErrorException', async () => {
    const { emulator, client } = await startTestEmulator();
    emulator.faults.inject({ kind: 'internal', operation: 'GetId' });
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(error.name).toBe('InternalErrorException');
    expect(error.$fault).toBe('server');
    expect(httpStatusOf(error)).toBe(500);
  });

  it('status: a raw 503 HTML page', async () => {
    const { emulator, client } = await startTestEmulator();
    emulator.faults.inject({ kind: 'status', status: 503 });
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(httpStatusOf(error)).toBe(503);
    expect(emulator.calls[0]).toMatchObject({ status: 503, fault: 'status' });
    expect(emulator.calls[0]?.errorType).toBeUndefined();
  });

  it('status: a malformed 200 body makes the SDK fail to parse', async () => {
    const { emulator, client } = await startTestEmulator();
    emulator.faults.inject({ kind: 'status', status: 200, body: '{"IdentityId":' });
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(error).toBeInstanceOf(Error);
    expect(emulator.calls[0]).toMatchObject({ status: 200, fault: 'status' });
  });

  it('latency delays the real response', async () => {
    const { emulator, client } = await startTestEmulator();
    emulator.faults.inject({ kind: 'latency', ms: 150 });
    const started = performance.now();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(IdentityId).toMatch(/^us-east-1:/);
    expect(emulator.calls[0]).toMatchObject({ status: 200 });
  });

  it('latency combines with an answering fault', async () => {
    const { emulator, client } = await startTestEmulator();
    emulator.faults.inject({ kind: 'latency', ms: 100 });
    emulator.faults.inject({ kind: 'internal' });
    const started = performance.now();
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(error.name).toBe('InternalErrorException');
  });

  it('close() during a latency wait ends the request at once', async () => {
    const { emulator } = await startTestEmulator();
    emulator.faults.inject({ kind: 'latency', ms: 5000 });
    const pending = rawRequest(emulator, 'GetId', { IdentityPoolId: poolId() });
    await vi.waitFor(() => expect(emulator.calls).toHaveLength(1));
    const started = performance.now();
    await emulator.close();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(emulator.calls[0]?.status).toBe(0);
  });

  it('drop: the SDK gets a network error', async () => {
    const { emulator, client } = await startTestEmulator();
    emulator.faults.inject({ kind: 'drop' });
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: poolId() })));
    expect(httpStatusOf(error)).toBeUndefined();
    expect(`${String(error.code)} ${error.message}`).toMatch(/ECONNRESET|socket hang up/);
    expect(emulator.calls[0]).toMatchObject({ operation: 'GetId', status: 0, fault: 'drop' });
    // The emulator keeps serving after a dropped connection.
    await expect(client.send(new GetIdCommand({ IdentityPoolId: poolId() }))).resolves.toHaveProperty(
      'IdentityId',
    );
  });

  it('matches faults by operation and counts them down', async () => {
    const { emulator, client } = await startTestEmulator();
    emulator.faults.inject({ kind: 'internal', operation: 'GetCredentialsForIdentity', count: 2 });
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    await rejectionOf(client.send(new GetCredentialsForIdentityCommand({ IdentityId })));
    expect(emulator.faults.pending()).toEqual([
      { kind: 'internal', operation: 'GetCredentialsForIdentity', count: 1 },
    ]);
    emulator.faults.clear();
    await expect(client.send(new GetCredentialsForIdentityCommand({ IdentityId }))).resolves.toHaveProperty(
      'Credentials',
    );
  });

  it('refuses malformed faults', async () => {
    const { emulator } = await startTestEmulator();
    // @ts-expect-error an unknown kind, as the admin API could receive it
    expect(() => emulator.faults.inject({ kind: 'meteor' })).toThrow(/Unknown fault kind/);
    expect(() => emulator.faults.inject({ kind: 'latency', ms: -1 })).toThrow(/ms >= 0/);
    expect(() => emulator.faults.inject({ kind: 'status', status: 42 })).toThrow(/between 100 and 599/);
    expect(() => emulator.faults.inject({ kind: 'drop', count: 0 })).toThrow(/positive integer/);
  });
});

describe('credential lifetime', () => {
  it('setCredentialsTtlSeconds changes the lifetime of the credentials issued from then on', async () => {
    const { startEmulator } = await import('../src/index.js');
    const { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } = await import(
      '@aws-sdk/client-cognito-identity'
    );
    let now = Date.UTC(2026, 0, 1);
    const emu = await startEmulator({ clock: { now: () => now }, pools: [{}] });
    try {
      const client = new CognitoIdentityClient({
        region: 'us-east-1',
        endpoint: emu.endpoint,
        maxAttempts: 1,
      });
      const pool = emu.pools()[0]!.identityPoolId;
      const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: pool }));
      emu.setCredentialsTtlSeconds(45 * 60);
      const short = await client.send(new GetCredentialsForIdentityCommand({ IdentityId }));
      expect(short.Credentials?.Expiration?.getTime()).toBe(now + 45 * 60_000);
      expect(() => emu.setCredentialsTtlSeconds(0)).toThrow(RangeError);
      emu.setCredentialsTtlSeconds(3600);
      now += 1000;
      const full = await client.send(new GetCredentialsForIdentityCommand({ IdentityId }));
      expect(full.Credentials?.Expiration?.getTime()).toBe(now + 3600_000);
    } finally {
      await emu.close();
    }
  });
});

import { createPublicKey, verify } from 'node:crypto';
import { GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { describe, expect, it } from 'vitest';
import { decodeJwt, exposedHeaders, jwksPath, messages } from '../src/index.js';
import { poolId, rawRequest, rejectionOf, startTestEmulator } from './support.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP framing', () => {
  it('sends errors with the headers of the real service', async () => {
    const { emulator, clock } = await startTestEmulator({
      pools: [{ identityPoolId: poolId(), allowUnauthenticatedIdentities: false }],
    });
    const response = await rawRequest(emulator, 'GetId', { IdentityPoolId: poolId() });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('NotAuthorizedException:');
    expect(response.headers.get('x-amzn-errormessage')).toBe(messages.unauthenticatedNotSupported);
    expect(response.headers.get('x-amzn-requestid')).toMatch(uuidPattern);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('date')).toBe(new Date(clock.now()).toUTCString());
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe(exposedHeaders);
    expect(await response.json()).toEqual({
      __type: 'NotAuthorizedException',
      message: messages.unauthenticatedNotSupported,
    });
    expect(emulator.calls[0]?.requestId).toBe(response.headers.get('x-amzn-requestid'));
  });

  it('sends successes as 200 with the request ID, and Expiration as epoch seconds', async () => {
    const { emulator, clock } = await startTestEmulator();
    emulator.setClockOffset(5000);
    const getId = await rawRequest(emulator, 'GetId', { IdentityPoolId: poolId() });
    expect(getId.status).toBe(200);
    expect(getId.headers.get('x-amzn-requestid')).toMatch(uuidPattern);
    expect(getId.headers.get('date')).toBe(new Date(clock.now() + 5000).toUTCString());
    const { IdentityId } = (await getId.json()) as { IdentityId: string };
    const credentials = await rawRequest(emulator, 'GetCredentialsForIdentity', { IdentityId });
    const body = (await credentials.json()) as { Credentials: { Expiration: unknown } };
    expect(body.Credentials.Expiration).toBe((clock.now() + 5000) / 1000 + 3600);
  });

  it('answers CORS preflights', async () => {
    const { emulator } = await startTestEmulator();
    const preflight = await fetch(`${emulator.endpoint}/`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-target,x-amz-user-agent',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'content-type,x-amz-target,x-amz-user-agent',
    );
    expect(Number(preflight.headers.get('access-control-max-age'))).toBeGreaterThan(0);

    const bare = await fetch(`${emulator.endpoint}/`, { method: 'OPTIONS' });
    expect(bare.headers.get('access-control-allow-headers')).toBe('*');
    expect(emulator.calls).toEqual([]);
  });

  it('answers other methods with UnknownOperationException without recording them', async () => {
    const { emulator } = await startTestEmulator();
    const response = await fetch(`${emulator.endpoint}/`);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException:');
    expect(emulator.calls).toEqual([]);
  });

  it('uses the Smithy status codes with statusCodes "model"', async () => {
    const { emulator, client } = await startTestEmulator({
      statusCodes: 'model',
      pools: [{ identityPoolId: poolId(), allowUnauthenticatedIdentities: false }],
    });
    const status = async (promise: Promise<unknown>): Promise<[string, number | undefined]> => {
      const error = await rejectionOf(promise);
      return [error.name, (error.$metadata as { httpStatusCode?: number }).httpStatusCode];
    };
    expect(await status(client.send(new GetIdCommand({ IdentityPoolId: poolId() })))).toEqual([
      'NotAuthorizedException',
      403,
    ]);
    expect(await status(client.send(new GetIdCommand({ IdentityPoolId: poolId('eu-west-1') })))).toEqual([
      'ResourceNotFoundException',
      404,
    ]);
    const alice = emulator.idp.mintToken('graph.facebook.com', { subject: 'alice' });
    const bob = emulator.idp.mintToken('graph.facebook.com', { subject: 'bob' });
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { 'graph.facebook.com': alice } }),
    );
    expect(
      await status(
        client.send(
          new GetCredentialsForIdentityCommand({ IdentityId, Logins: { 'graph.facebook.com': bob } }),
        ),
      ),
    ).toEqual(['ResourceConflictException', 409]);
    expect(await status(client.send(new GetIdCommand({ IdentityPoolId: 'bad' })))).toEqual([
      'ValidationException',
      400,
    ]);
  });

  it('serves the OpenID signing key; GetOpenIdToken tokens verify with it', async () => {
    const { emulator } = await startTestEmulator();
    const jwks = (await (await fetch(`${emulator.endpoint}${jwksPath}`)).json()) as {
      keys: Array<{ kid: string; n: string; e: string; kty: string }>;
    };
    const key = jwks.keys.find((candidate) => candidate.kid === 'us-east-11');
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS512' });

    const { IdentityId } = (await (
      await rawRequest(emulator, 'GetId', { IdentityPoolId: poolId() })
    ).json()) as {
      IdentityId: string;
    };
    const { Token } = (await (await rawRequest(emulator, 'GetOpenIdToken', { IdentityId })).json()) as {
      Token: string;
    };
    const decoded = decodeJwt(Token);
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: key?.n, e: key?.e }, format: 'jwk' });
    expect(
      verify(
        'sha512',
        Buffer.from(decoded?.signingInput ?? ''),
        publicKey,
        decoded?.signature ?? Buffer.alloc(0),
      ),
    ).toBe(true);
  });

  it('logs one line per request', async () => {
    const lines: string[] = [];
    const { emulator } = await startTestEmulator({ log: (line) => lines.push(line) });
    emulator.faults.inject({ kind: 'throttle', operation: 'GetCredentialsForIdentity' });
    await rawRequest(emulator, 'GetId', { IdentityPoolId: poolId() });
    await rawRequest(emulator, 'GetCredentialsForIdentity', {
      IdentityId: 'us-east-1:00000000-0000-0000-0000-000000000000',
    });
    await rawRequest(emulator, 'GetId', { IdentityPoolId: 'x' });
    expect(lines).toEqual([
      'POST GetId -> 200',
      'POST GetCredentialsForIdentity -> 400 TooManyRequestsException [fault: throttle]',
      'POST GetId -> 400 ValidationException',
    ]);
  });

  it('refuses a body over 2 MiB with the AWS error shape (413), on the service and the admin API', async () => {
    const { emulator } = await startTestEmulator();
    const oversized = 'x'.repeat(2 * 1024 * 1024 + 1);
    const responses = [
      await rawRequest(emulator, 'GetId', { IdentityPoolId: poolId(), padding: oversized }),
      await fetch(`${emulator.endpoint}/__admin/pools`, { method: 'POST', body: oversized }),
    ];
    for (const response of responses) {
      expect(response.status).toBe(413);
      expect(response.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException:');
      expect(response.headers.get('x-amzn-requestid')).toMatch(uuidPattern);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await response.json()).toEqual({
        __type: 'RequestEntityTooLargeException',
        message: messages.requestEntityTooLarge(2 * 1024 * 1024),
      });
    }
  });

  it('close() ends keep-alive connections and is idempotent', async () => {
    const { emulator } = await startTestEmulator();
    await rawRequest(emulator, 'GetId', { IdentityPoolId: poolId() });
    await Promise.all([emulator.close(), emulator.close()]);
    await expect(fetch(`${emulator.endpoint}/`)).rejects.toThrow();
  });
});

import { GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { describe, expect, it } from 'vitest';
import { messages } from '../src/index.js';
import { poolId, rawRequest, rejectionOf, startTestEmulator } from './support.js';

const idPattern = '[\\w-]+:[0-9a-f-]+';

describe('input validation', () => {
  it('reports a malformed pool ID in the Coral format, before looking the pool up', async () => {
    const { client } = await startTestEmulator();
    const error = await rejectionOf(client.send(new GetIdCommand({ IdentityPoolId: 'x' })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      `1 validation error detected: Value 'x' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${idPattern}`,
    );
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
  });

  it('reports a missing required member', async () => {
    const { client } = await startTestEmulator();
    const error = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: undefined })),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'identityId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('refuses identity IDs with uppercase hex', async () => {
    const { client } = await startTestEmulator();
    const error = await rejectionOf(
      client.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: 'us-east-1:ABCDEF00-0000-0000-0000-000000000000',
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain(
      `at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern`,
    );
  });

  it('allows at most 10 logins', async () => {
    const { client } = await startTestEmulator();
    const logins = Object.fromEntries(
      Array.from({ length: 11 }, (_, index) => [`p${index}.example.com`, 't']),
    );
    const error = await rejectionOf(
      client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: logins })),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(
      /^1 validation error detected: Value '\{p0\.example\.com=t, .*p10\.example\.com=t\}' at 'logins' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
  });

  it('lists several failures, joined by "; "', async () => {
    const { client } = await startTestEmulator();
    const error = await rejectionOf(
      client.send(
        new GetCredentialsForIdentityCommand({ IdentityId: '', Logins: { 'graph.facebook.com': '' } }),
      ),
    );
    expect(error.message).toBe(
      '3 validation errors detected: ' +
        "Value '' at 'identityId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        `Value '' at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${idPattern}; ` +
        "Value '{graph.facebook.com=}' at 'logins' failed to satisfy constraint: Map value must satisfy constraint: " +
        '[Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]',
    );
  });

  it('checks map keys and optional members', async () => {
    const { client } = await startTestEmulator();
    const error = await rejectionOf(
      client.send(
        new GetIdCommand({ IdentityPoolId: poolId(), AccountId: 'abc', Logins: { ['x'.repeat(129)]: 't' } }),
      ),
    );
    expect(error.message).toBe(
      '2 validation errors detected: ' +
        "Value 'abc' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d+; " +
        `Value '{${'x'.repeat(129)}=t}' at 'logins' failed to satisfy constraint: Map keys must satisfy constraint: ` +
        '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]',
    );
  });
});

describe('request framing errors', () => {
  it('answers a body that is not JSON with SerializationException', async () => {
    const { emulator } = await startTestEmulator();
    const response = await rawRequest(emulator, 'GetId', '{"IdentityPoolId":');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'SerializationException',
      message: messages.invalidJson,
    });
  });

  it('answers a member of the wrong JSON type with SerializationException', async () => {
    const { emulator } = await startTestEmulator();
    const response = await rawRequest(emulator, 'GetId', { IdentityPoolId: 42 });
    expect(response.headers.get('x-amzn-errortype')).toBe('SerializationException:');
  });

  it('accepts application/json and refuses other content types', async () => {
    const { emulator } = await startTestEmulator();
    const asJson = await rawRequest(
      emulator,
      'GetId',
      { IdentityPoolId: poolId() },
      { 'content-type': 'application/json' },
    );
    expect(asJson.status).toBe(200);
    const asText = await rawRequest(
      emulator,
      'GetId',
      { IdentityPoolId: poolId() },
      { 'content-type': 'text/plain' },
    );
    expect(asText.headers.get('x-amzn-errortype')).toBe('SerializationException:');
  });

  it('answers an unknown target with UnknownOperationException', async () => {
    const { emulator } = await startTestEmulator();
    const unknown = await rawRequest(emulator, 'FlyToTheMoon', {});
    expect(await unknown.json()).toEqual({
      __type: 'UnknownOperationException',
      message: messages.unknownOperation('AWSCognitoIdentityService.FlyToTheMoon'),
    });
    const missing = await fetch(`${emulator.endpoint}/`, { method: 'POST', body: '{}' });
    expect(missing.headers.get('x-amzn-errortype')).toBe('UnknownOperationException:');
    const notYet = await rawRequest(emulator, 'ListIdentities', {});
    expect(await notYet.json()).toMatchObject({ message: messages.notImplemented('ListIdentities') });
    expect(emulator.calls.map((call) => call.operation)).toEqual(['FlyToTheMoon', '', 'ListIdentities']);
  });
});

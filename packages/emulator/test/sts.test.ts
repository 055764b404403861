import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetIdCommand, GetOpenIdTokenCommand } from '@aws-sdk/client-cognito-identity';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
import { describe, expect, it } from 'vitest';
import { decodeJwt, defaultRoles, type Emulator, stsMessages } from '../src/index.js';
import { poolId, rejectionOf, startTestEmulator, stsClient } from './support.js';

const facebook = 'graph.facebook.com';
const authRole = defaultRoles.authenticated;
const guestRole = defaultRoles.unauthenticated;

async function guestToken(
  emulator: Emulator,
  client: Awaited<ReturnType<typeof startTestEmulator>>['client'],
): Promise<{ identityId: string; token: string }> {
  const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
  const { Token } = await client.send(new GetOpenIdTokenCommand({ IdentityId }));
  expect(emulator.identity(IdentityId as string)?.authenticated).toBe(false);
  return { identityId: IdentityId as string, token: Token as string };
}

function postForm(emulator: Emulator, form: Record<string, string>): Promise<Response> {
  return fetch(`${emulator.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(form).toString(),
  });
}

describe('STS AssumeRoleWithWebIdentity (basic flow)', () => {
  it('exchanges a guest OpenID token for credentials of the unauthenticated role', async () => {
    const { emulator, client, clock } = await startTestEmulator();
    const { identityId, token } = await guestToken(emulator, client);
    const sts = stsClient(emulator);
    const result = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: guestRole,
        RoleSessionName: 'web',
        WebIdentityToken: token,
      }),
    );
    expect(result.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(result.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(result.Credentials?.SessionToken).toBeTruthy();
    expect(result.Credentials?.Expiration?.getTime()).toBe(clock.now() + 3600_000);
    expect(result.SubjectFromWebIdentityToken).toBe(identityId);
    expect(result.Audience).toBe(poolId());
    expect(result.Provider).toBe('cognito-identity.amazonaws.com');
    expect(result.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/Cognito_EmulatorUnauth_Role/web',
    );
    expect(result.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:web$/);
    expect(result.$metadata.requestId).toBe(emulator.calls.at(-1)?.requestId);
    expect(emulator.calls.at(-1)).toMatchObject({
      operation: 'AssumeRoleWithWebIdentity',
      identityId,
      identityPoolId: poolId(),
      status: 200,
    });
  });

  it('exchanges an authenticated token for the authenticated role, with DurationSeconds', async () => {
    const { emulator, client, clock } = await startTestEmulator();
    const { identityId } = await guestToken(emulator, client);
    const { Token } = await client.send(
      new GetOpenIdTokenCommand({
        IdentityId: identityId,
        Logins: { [facebook]: emulator.idp.mintToken(facebook, { subject: 'alice' }) },
      }),
    );
    expect(decodeJwt(Token as string)?.payload.amr).toContain('authenticated');
    const result = await stsClient(emulator).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: authRole,
        RoleSessionName: 'alice@example.com',
        WebIdentityToken: Token,
        DurationSeconds: 900,
      }),
    );
    expect(result.SubjectFromWebIdentityToken).toBe(identityId);
    expect(result.Credentials?.Expiration?.getTime()).toBe(clock.now() + 900_000);
    expect(result.AssumedRoleUser?.Arn).toContain('assumed-role/Cognito_EmulatorAuth_Role/alice@example.com');
  });

  it('refuses tokens it did not issue, expired tokens, and non-JWTs', async () => {
    const { emulator, client, clock } = await startTestEmulator();
    const { token } = await guestToken(emulator, client);
    const sts = stsClient(emulator);
    const assume = (webIdentityToken: string) =>
      rejectionOf(
        sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: guestRole,
            RoleSessionName: 'web',
            WebIdentityToken: webIdentityToken,
          }),
        ),
      );

    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'us-east-1:00000000-0000-0000-0000-000000000000' })).toString('base64url')}.${signature}`;
    const badSignature = await assume(forged);
    expect(badSignature.name).toBe('InvalidIdentityTokenException');
    expect(badSignature.message).toBe(stsMessages.badSignature);
    expect((badSignature.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);

    const notJwt = await assume('not-a-token');
    expect(notJwt.name).toBe('InvalidIdentityTokenException');
    expect(notJwt.message).toBe(
      'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    );

    const otherIssuer = await assume(emulator.idp.mintToken(facebook));
    expect(otherIssuer.name).toBe('InvalidIdentityTokenException');
    expect(otherIssuer.message).toBe(`No OpenIDConnect provider found in your account for ${facebook}`);

    clock.advance(600_000);
    const expired = await assume(token);
    expect(expired.name).toBe('ExpiredTokenException');
    const nowSeconds = Math.floor(clock.now() / 1000);
    expect(expired.message).toBe(
      `Token expired: current date/time ${nowSeconds} must be before the expiration date/time${claims.exp}`,
    );
    expect(emulator.calls.at(-1)).toMatchObject({ errorType: 'ExpiredTokenException', status: 400 });
  });

  it('denies roles that do not trust the pool, and the wrong role for the amr', async () => {
    const { emulator, client } = await startTestEmulator();
    const { identityId, token: guest } = await guestToken(emulator, client);
    const { Token: authenticated } = await client.send(
      new GetOpenIdTokenCommand({
        IdentityId: identityId,
        Logins: { [facebook]: emulator.idp.mintToken(facebook) },
      }),
    );
    const sts = stsClient(emulator);
    const deny = async (roleArn: string, webIdentityToken: string) => {
      const error = await rejectionOf(
        sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: roleArn,
            RoleSessionName: 'web',
            WebIdentityToken: webIdentityToken,
          }),
        ),
      );
      expect(error.name).toBe('AccessDenied');
      expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity');
      expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
    };
    await deny('arn:aws:iam::123456789012:role/SomeOtherRole', guest);
    await deny(authRole, guest);
    await deny(guestRole, authenticated as string);

    emulator.updatePool(poolId(), {
      trustedRoleArns: [guestRole, 'arn:aws:iam::123456789012:role/path/Custom'],
    });
    const custom = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: 'arn:aws:iam::123456789012:role/path/Custom',
        RoleSessionName: 'web',
        WebIdentityToken: guest,
      }),
    );
    expect(custom.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/Custom/web');
    await deny(authRole, authenticated as string);

    emulator.deletePool(poolId());
    await deny(guestRole, guest);
  });

  it('validates parameters like STS', async () => {
    const { emulator, client } = await startTestEmulator();
    const { token } = await guestToken(emulator, client);
    const sts = stsClient(emulator);
    const tooShort = await rejectionOf(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: guestRole,
          RoleSessionName: 'web',
          WebIdentityToken: token,
          DurationSeconds: 899,
        }),
      ),
    );
    expect(tooShort.name).toBe('ValidationError');
    expect(tooShort.message).toBe(
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    const tooLong = await rejectionOf(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: guestRole,
          RoleSessionName: 'web',
          WebIdentityToken: token,
          DurationSeconds: 43201,
        }),
      ),
    );
    expect(tooLong.message).toContain('Member must have value less than or equal to 43200');
    const badArn = await rejectionOf(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: 'arn:aws:iam::123:not-a-role',
          RoleSessionName: 'web',
          WebIdentityToken: token,
        }),
      ),
    );
    expect(badArn).toMatchObject({ name: 'ValidationError', message: 'Request ARN is invalid' });

    const missing = await postForm(emulator, {
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      WebIdentityToken: token,
      RoleSessionName: 'bad name',
    });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toBe('text/xml');
    const requestId = missing.headers.get('x-amzn-requestid');
    expect(await missing.text()).toBe(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
        '<Code>ValidationError</Code><Message>2 validation errors detected: ' +
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
        "Value 'bad name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*" +
        `</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`,
    );

    const unknown = await postForm(emulator, { Action: 'GetCallerIdentity', Version: '2011-06-15' });
    expect(await unknown.text()).toContain(
      '<Code>InvalidAction</Code><Message>Could not find operation GetCallerIdentity for version 2011-06-15</Message>',
    );
    expect(emulator.calls.at(-1)).toMatchObject({
      operation: 'GetCallerIdentity',
      errorType: 'InvalidAction',
    });
  });

  it('applies injected faults by operation name, in STS XML', async () => {
    const { emulator, client } = await startTestEmulator();
    const { token } = await guestToken(emulator, client);
    emulator.faults.inject({ kind: 'throttle', operation: 'AssumeRoleWithWebIdentity' });
    const error = await rejectionOf(
      stsClient(emulator).send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: guestRole,
          RoleSessionName: 'web',
          WebIdentityToken: token,
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'Throttling', message: 'Rate exceeded' });
    expect(emulator.calls.at(-1)).toMatchObject({
      operation: 'AssumeRoleWithWebIdentity',
      fault: 'throttle',
      errorType: 'Throttling',
    });
    emulator.faults.inject({ kind: 'internal', operation: 'AssumeRoleWithWebIdentity' });
    const internal = await postForm(emulator, {
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: guestRole,
      RoleSessionName: 'web',
      WebIdentityToken: token,
    });
    expect(internal.status).toBe(500);
    expect(await internal.text()).toContain('<Type>Receiver</Type><Code>InternalFailure</Code>');
  });

  it('works with the AWS SDK web identity token file provider', async () => {
    const { emulator, client } = await startTestEmulator();
    const { identityId, token } = await guestToken(emulator, client);
    const directory = await mkdtemp(join(tmpdir(), 'emulator-web-identity-'));
    try {
      const webIdentityTokenFile = join(directory, 'token');
      await writeFile(webIdentityTokenFile, token, { mode: 0o600 });
      const provider = fromTokenFile({
        roleArn: guestRole,
        webIdentityTokenFile,
        roleSessionName: 'token-file',
        clientConfig: { region: emulator.region, endpoint: emulator.endpoint },
      });
      const credentials = await provider();
      expect(credentials.accessKeyId).toMatch(/^ASIA/);
      expect(credentials.secretAccessKey).toHaveLength(40);
      expect(credentials.sessionToken).toBeTruthy();
      expect(credentials.expiration?.getTime()).toBeGreaterThan(Date.now());
      expect(emulator.calls.at(-1)).toMatchObject({
        operation: 'AssumeRoleWithWebIdentity',
        identityId,
        status: 200,
      });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

import {
  DescribeIdentityCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { createEmulatorCore, decodeJwt, defaultRoles, messages, type PoolOptions } from '../src/index.js';
import {
  developerClient,
  poolId,
  rawRequest,
  rejectionOf,
  SimulatedClock,
  startTestEmulator,
  stsClient,
} from './support.js';

const developerProvider = 'login.example.com';
const facebook = 'graph.facebook.com';
const cognito = 'cognito-identity.amazonaws.com';
const developerPool: PoolOptions = { identityPoolId: poolId(), developerProviderName: developerProvider };

async function startDeveloperEmulator(options: { pools?: PoolOptions[] } = {}) {
  const started = await startTestEmulator({ pools: options.pools ?? [developerPool] });
  return { ...started, developer: developerClient(started.emulator) };
}

describe('GetOpenIdTokenForDeveloperIdentity', () => {
  it('creates an identity for a new developer user and returns it again', async () => {
    const { emulator, developer, clock } = await startDeveloperEmulator();
    const first = await developer.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: poolId(),
        Logins: { [developerProvider]: 'alice' },
      }),
    );
    const token = decodeJwt(first.Token as string);
    expect(token?.header).toEqual({ kid: 'us-east-11', typ: 'JWS', alg: 'RS512' });
    expect(token?.payload).toMatchObject({
      sub: first.IdentityId,
      aud: poolId(),
      iss: 'https://cognito-identity.amazonaws.com',
      amr: ['authenticated', developerProvider, `${developerProvider}:${poolId()}:alice`],
      iat: Math.floor(clock.now() / 1000),
      exp: Math.floor(clock.now() / 1000) + 900,
    });
    expect(emulator.identity(first.IdentityId as string)).toMatchObject({
      authenticated: true,
      logins: { [developerProvider]: 'alice' },
    });

    const again = await developer.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: poolId(),
        Logins: { [developerProvider]: 'alice' },
        TokenDuration: 60,
      }),
    );
    expect(again.IdentityId).toBe(first.IdentityId);
    const payload = decodeJwt(again.Token as string)?.payload;
    expect((payload?.exp as number) - (payload?.iat as number)).toBe(60);

    const bob = await developer.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: poolId(),
        Logins: { [developerProvider]: 'bob' },
      }),
    );
    expect(bob.IdentityId).not.toBe(first.IdentityId);
    expect(emulator.calls.at(-1)).toMatchObject({
      operation: 'GetOpenIdTokenForDeveloperIdentity',
      identityId: bob.IdentityId,
      identityPoolId: poolId(),
      loginProviders: [developerProvider],
      status: 200,
    });
  });

  it('validates TokenDuration (1–86400)', async () => {
    const { developer } = await startDeveloperEmulator();
    for (const [duration, constraint] of [
      [0, 'greater than or equal to 1'],
      [86401, 'less than or equal to 86400'],
    ] as const) {
      const error = await rejectionOf(
        developer.send(
          new GetOpenIdTokenForDeveloperIdentityCommand({
            IdentityPoolId: poolId(),
            Logins: { [developerProvider]: 'alice' },
            TokenDuration: duration,
          }),
        ),
      );
      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe(
        `1 validation error detected: Value '${duration}' at 'tokenDuration' failed to satisfy constraint: Member must have value ${constraint}`,
      );
    }
  });

  it('verifies the SigV4 signature against the developer credentials', async () => {
    const { emulator, developer } = await startDeveloperEmulator();
    const input = { IdentityPoolId: poolId(), Logins: { [developerProvider]: 'alice' } };

    const unknownKey = await rejectionOf(
      developerClient(emulator, {
        accessKeyId: 'AKIAUNKNOWNUNKNOWN00',
        secretAccessKey: emulator.developerCredentials.secretAccessKey,
      }).send(new GetOpenIdTokenForDeveloperIdentityCommand(input)),
    );
    expect(unknownKey).toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });

    const wrongSecret = await rejectionOf(
      developerClient(emulator, {
        accessKeyId: emulator.developerCredentials.accessKeyId,
        secretAccessKey: 'x'.repeat(40),
      }).send(new GetOpenIdTokenForDeveloperIdentityCommand(input)),
    );
    expect(wrongSecret.name).toBe('InvalidSignatureException');
    expect(wrongSecret.message).toBe(messages.signatureMismatch);

    const tampered = developerClient(emulator);
    type Args = { request: unknown };
    const tamper = (next: (args: Args) => Promise<unknown>) => async (args: Args) => {
      const request = args.request as { body: string | Uint8Array };
      const text = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString();
      request.body = text.replace('alice', 'malic'); // same length, so only the signature is wrong
      return next(args);
    };
    tampered.middlewareStack.addRelativeTo(tamper as never, {
      relation: 'after',
      toMiddleware: 'httpSigningMiddleware',
      name: 'tamperAfterSigning',
    });
    const tamperedError = await rejectionOf(
      tampered.send(new GetOpenIdTokenForDeveloperIdentityCommand(input)),
    );
    expect(tamperedError.name).toBe('InvalidSignatureException');

    const unsigned = await rawRequest(emulator, 'GetOpenIdTokenForDeveloperIdentity', input);
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });

    const forged = await rawRequest(emulator, 'GetOpenIdTokenForDeveloperIdentity', input, {
      authorization: `AWS4-HMAC-SHA256 Credential=${emulator.developerCredentials.accessKeyId}/20300115/us-east-1/cognito-identity/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      'x-amz-date': '20300115T120000Z',
    });
    expect(((await forged.json()) as { __type: string }).__type).toBe('InvalidSignatureException');
    expect(emulator.identities()).toEqual([]);

    await expect(developer.send(new GetOpenIdTokenForDeveloperIdentityCommand(input))).resolves.toMatchObject(
      {
        IdentityId: expect.any(String),
      },
    );
  });

  it('cannot verify a signature in the in-process core without the HTTP request', async () => {
    const core = await createEmulatorCore({ clock: new SimulatedClock(), pools: [developerPool] });
    const outcome = core.invoke({
      target: 'AWSCognitoIdentityService.GetOpenIdTokenForDeveloperIdentity',
      contentType: 'application/x-amz-json-1.1',
      body: JSON.stringify({ IdentityPoolId: poolId(), Logins: { [developerProvider]: 'alice' } }),
      signed: true,
    });
    expect(outcome).toMatchObject({ ok: false, error: { type: 'InvalidSignatureException' } });
  });

  it('refuses a provider name that is not the pool developer provider', async () => {
    const { emulator, developer } = await startDeveloperEmulator({
      pools: [developerPool, { identityPoolId: poolId('us-east-1', '22222222-2222-3333-4444-555555555555') }],
    });
    const wrongName = await rejectionOf(
      developer.send(
        new GetOpenIdTokenForDeveloperIdentityCommand({
          IdentityPoolId: poolId(),
          Logins: { 'other.example.com': 'alice' },
        }),
      ),
    );
    expect(wrongName).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'This identity pool does not support the specified developer provider',
    });
    const noDeveloperProvider = await rejectionOf(
      developer.send(
        new GetOpenIdTokenForDeveloperIdentityCommand({
          IdentityPoolId: poolId('us-east-1', '22222222-2222-3333-4444-555555555555'),
          Logins: { [developerProvider]: 'alice' },
        }),
      ),
    );
    expect(noDeveloperProvider.name).toBe('NotAuthorizedException');
    expect(emulator.identities()).toEqual([]);
  });

  it('links a developer user to a given identity, and refuses one registered elsewhere', async () => {
    const { emulator, client, developer } = await startDeveloperEmulator();
    const { IdentityId: guestId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const linked = await developer.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: poolId(),
        IdentityId: guestId,
        Logins: {
          [developerProvider]: 'alice',
          [facebook]: emulator.idp.mintToken(facebook, { subject: 'alice-fb' }),
        },
      }),
    );
    expect(linked.IdentityId).toBe(guestId);
    expect(emulator.identity(guestId as string)).toMatchObject({
      authenticated: true,
      logins: { [developerProvider]: 'alice', [facebook]: 'alice-fb' },
    });
    expect(decodeJwt(linked.Token as string)?.payload.amr).toEqual([
      'authenticated',
      developerProvider,
      `${developerProvider}:${poolId()}:alice`,
      facebook,
      `${facebook}:emulator:alice-fb`,
    ]);

    const { IdentityId: otherGuest } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const registered = await rejectionOf(
      developer.send(
        new GetOpenIdTokenForDeveloperIdentityCommand({
          IdentityPoolId: poolId(),
          IdentityId: otherGuest,
          Logins: { [developerProvider]: 'alice' },
        }),
      ),
    );
    expect(registered).toMatchObject({
      name: 'DeveloperUserAlreadyRegisteredException',
      message: messages.developerUserAlreadyRegistered,
    });

    const notOwned = await rejectionOf(
      developer.send(
        new GetOpenIdTokenForDeveloperIdentityCommand({
          IdentityPoolId: poolId(),
          IdentityId: guestId,
          Logins: { [developerProvider]: 'bob' },
        }),
      ),
    );
    expect(notOwned).toMatchObject({ name: 'NotAuthorizedException', message: messages.loginsDontMatch });
  });

  it('exposes the developer credentials in the admin state', async () => {
    const { emulator } = await startDeveloperEmulator();
    const state = (await (await fetch(`${emulator.endpoint}/__admin/state`)).json()) as {
      developerCredentials: unknown;
    };
    expect(state.developerCredentials).toEqual(emulator.developerCredentials);
    expect(emulator.developerCredentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
  });
});

describe('developer-authenticated flows', () => {
  it('enhanced: GetId and GetCredentialsForIdentity accept the Cognito token as a login', async () => {
    const { emulator, client, developer, clock } = await startDeveloperEmulator();
    const { IdentityId, Token } = await developer.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: poolId(),
        Logins: { [developerProvider]: 'alice' },
      }),
    );
    const logins = { [cognito]: Token as string };
    const found = await client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: logins }));
    expect(found.IdentityId).toBe(IdentityId);
    const credentials = await client.send(
      new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }),
    );
    expect(credentials.IdentityId).toBe(IdentityId);
    expect(credentials.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const described = await developer.send(new DescribeIdentityCommand({ IdentityId }));
    expect(described.Logins).toEqual([developerProvider]);

    const { IdentityId: someoneElse } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const wrongIdentity = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: someoneElse, Logins: logins })),
    );
    expect(wrongIdentity).toMatchObject({
      name: 'NotAuthorizedException',
      message: messages.loginsDontMatch,
    });

    const withOthers = await rejectionOf(
      client.send(
        new GetCredentialsForIdentityCommand({
          IdentityId,
          Logins: { ...logins, [facebook]: emulator.idp.mintToken(facebook) },
        }),
      ),
    );
    expect(withOthers.name).toBe('NotAuthorizedException');

    const inClassicFlow = await rejectionOf(
      client.send(new GetOpenIdTokenCommand({ IdentityId, Logins: logins })),
    );
    expect(inClassicFlow.message).toBe("Invalid login token. Can't pass in a Cognito token.");

    const forged = `${(Token as string).slice(0, -4)}AAAA`;
    const badSignature = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [cognito]: forged } })),
    );
    expect(badSignature.message).toBe("Invalid login token. Couldn't verify signed token.");

    clock.advance(900_000);
    const expired = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins })),
    );
    expect(expired.message).toMatch(/^Invalid login token\. Token expired: \d+ >= \d+$/);
  });

  it('enhanced: refuses a guest token and a token of another pool', async () => {
    const otherPool = poolId('us-east-1', '33333333-2222-3333-4444-555555555555');
    const { client, developer } = await startDeveloperEmulator({
      pools: [developerPool, { identityPoolId: otherPool, developerProviderName: developerProvider }],
    });
    const { IdentityId: guestId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const { Token: guestToken } = await client.send(new GetOpenIdTokenCommand({ IdentityId: guestId }));
    const guest = await rejectionOf(
      client.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: guestId,
          Logins: { [cognito]: guestToken as string },
        }),
      ),
    );
    expect(guest.message).toBe(messages.cognitoTokenUnauthenticated);

    const { Token: otherToken } = await developer.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: otherPool,
        Logins: { [developerProvider]: 'alice' },
      }),
    );
    const wrongPool = await rejectionOf(
      client.send(
        new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [cognito]: otherToken as string } }),
      ),
    );
    expect(wrongPool.message).toBe('Invalid login token. Incorrect token audience.');
  });

  it('basic: the developer token is accepted by STS for the authenticated role', async () => {
    const { emulator, developer } = await startDeveloperEmulator();
    const { IdentityId, Token } = await developer.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: poolId(),
        Logins: { [developerProvider]: 'alice' },
      }),
    );
    const result = await stsClient(emulator).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: defaultRoles.authenticated,
        RoleSessionName: 'alice',
        WebIdentityToken: Token,
      }),
    );
    expect(result.SubjectFromWebIdentityToken).toBe(IdentityId);
  });
});

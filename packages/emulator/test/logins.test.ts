import {
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  UnlinkIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import { describe, expect, it } from 'vitest';
import { decodeJwt, messages, startEmulator } from '../src/index.js';
import { poolId, rejectionOf, startTestEmulator } from './support.js';

const facebook = 'graph.facebook.com';
const google = 'accounts.google.com';

describe('login tokens', () => {
  it('GetId with a login creates an authenticated identity and finds it again', async () => {
    const { emulator, client } = await startTestEmulator();
    const token = emulator.idp.mintToken(facebook, { subject: 'alice' });
    const first = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: token } }),
    );
    const again = await client.send(
      new GetIdCommand({
        IdentityPoolId: poolId(),
        Logins: { [facebook]: emulator.idp.mintToken(facebook, { subject: 'alice' }) },
      }),
    );
    expect(again.IdentityId).toBe(first.IdentityId);
    expect(emulator.identity(first.IdentityId as string)).toMatchObject({
      authenticated: true,
      logins: { [facebook]: 'alice' },
    });
    const { IdentityId, Credentials } = await client.send(
      new GetCredentialsForIdentityCommand({ IdentityId: first.IdentityId, Logins: { [facebook]: token } }),
    );
    expect(IdentityId).toBe(first.IdentityId);
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(emulator.calls.at(-1)?.loginProviders).toEqual([facebook]);
  });

  it('the same subject at another provider is another user', async () => {
    const { emulator, client } = await startTestEmulator();
    const viaFacebook = await client.send(
      new GetIdCommand({
        IdentityPoolId: poolId(),
        Logins: { [facebook]: emulator.idp.mintToken(facebook, { subject: 'u1' }) },
      }),
    );
    const viaGoogle = await client.send(
      new GetIdCommand({
        IdentityPoolId: poolId(),
        Logins: { [google]: emulator.idp.mintToken(google, { subject: 'u1' }) },
      }),
    );
    expect(viaGoogle.IdentityId).not.toBe(viaFacebook.IdentityId);
  });

  it('rejects an expired token with the service clock in the message', async () => {
    const { emulator, client, clock } = await startTestEmulator();
    const token = emulator.idp.mintToken(facebook, { expiresInSeconds: 60 });
    clock.advance(61_000);
    const error = await rejectionOf(
      client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: token } })),
    );
    const nowSeconds = Math.floor(clock.now() / 1000);
    const exp = decodeJwt(token)?.payload.exp as number;
    expect(error.name).toBe('NotAuthorizedException');
    expect(error.message).toBe(`Invalid login token. Token expired: ${nowSeconds} >= ${exp}`);
  });

  it('judges expiry by the service clock, offset included', async () => {
    const { emulator, client } = await startTestEmulator();
    const token = emulator.idp.mintToken(google, { expiresInSeconds: 600 });
    emulator.setClockOffset(600_000);
    const error = await rejectionOf(
      client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [google]: token } })),
    );
    expect(error.message).toMatch(/^Invalid login token\. Token expired: \d+ >= \d+$/);
    emulator.setClockOffset(599_000);
    await expect(
      client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [google]: token } })),
    ).resolves.toHaveProperty('IdentityId');
  });

  it('rejects tokens from another IdP, forged tokens and garbage', async () => {
    const { emulator, client, clock } = await startTestEmulator();
    const other = await startEmulator({ clock });
    try {
      const foreign = other.idp.mintToken(facebook);
      const genuine = emulator.idp.mintToken(facebook, { subject: 'alice' });
      const [header, , signature] = genuine.split('.');
      const claims = { ...decodeJwt(genuine)?.payload, sub: 'mallory' };
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      for (const token of [foreign, forged, 'not-a-jwt', `${header}..`]) {
        const error = await rejectionOf(
          client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: token } })),
        );
        expect(error.name).toBe('NotAuthorizedException');
        expect(error.message).toBe("Invalid login token. Couldn't verify signed token.");
      }
    } finally {
      await other.close();
    }
  });

  it('rejects a provider the pool does not support, before looking at the token', async () => {
    const { client } = await startTestEmulator();
    const error = await rejectionOf(
      client.send(
        new GetIdCommand({ IdentityPoolId: poolId(), Logins: { 'login.example.com': 'whatever' } }),
      ),
    );
    expect(error.name).toBe('NotAuthorizedException');
    expect(error.message).toBe(messages.unsupportedProvider);
  });

  it('rejects a token whose issuer is not the Logins key', async () => {
    const { emulator, client } = await startTestEmulator();
    const error = await rejectionOf(
      client.send(
        new GetIdCommand({
          IdentityPoolId: poolId(),
          Logins: { [google]: emulator.idp.mintToken(facebook) },
        }),
      ),
    );
    expect(error.message).toBe("Invalid login token. Issuer doesn't match providerName");
  });

  it('checks the audience against the app id of a custom provider', async () => {
    const { emulator, client } = await startTestEmulator({
      pools: [{ identityPoolId: poolId(), supportedLoginProviders: { 'login.example.com': 'my-app' } }],
    });
    const wrongAudience = emulator.idp.mintToken('login.example.com', { audience: 'other-app' });
    const error = await rejectionOf(
      client.send(
        new GetIdCommand({ IdentityPoolId: poolId(), Logins: { 'login.example.com': wrongAudience } }),
      ),
    );
    expect(error.message).toBe(messages.incorrectAudience);

    const rightAudience = emulator.idp.mintToken('login.example.com', { audience: 'my-app' });
    await expect(
      client.send(
        new GetIdCommand({ IdentityPoolId: poolId(), Logins: { 'login.example.com': rightAudience } }),
      ),
    ).resolves.toHaveProperty('IdentityId');
  });
});

describe('linking and merging', () => {
  it('links a new login to a guest: same ID, now authenticated', async () => {
    const { emulator, client } = await startTestEmulator();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const token = emulator.idp.mintToken(facebook, { subject: 'alice' });

    const linked = await client.send(
      new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [facebook]: token } }),
    );
    expect(linked.IdentityId).toBe(IdentityId);
    expect(emulator.identity(IdentityId as string)).toMatchObject({
      status: 'active',
      authenticated: true,
      logins: { [facebook]: 'alice' },
    });

    const byLogin = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: token } }),
    );
    expect(byLogin.IdentityId).toBe(IdentityId);
  });

  it('an authenticated identity without its logins gets "Logins don\'t match"', async () => {
    const { emulator, client } = await startTestEmulator();
    const alice = emulator.idp.mintToken(facebook, { subject: 'alice' });
    const bob = emulator.idp.mintToken(google, { subject: 'bob' });
    const { IdentityId: aliceId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: alice } }),
    );
    await client.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [google]: bob } }));

    const withoutLogins = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: aliceId })),
    );
    expect(withoutLogins.name).toBe('NotAuthorizedException');
    expect(withoutLogins.message).toBe(
      "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    );

    const withOthersLogin = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: aliceId, Logins: { [google]: bob } })),
    );
    expect(withOthersLogin.message).toBe(messages.loginsDontMatch);
  });

  it('merges a guest into the identity that owns the login; the guest becomes disabled', async () => {
    const { emulator, client } = await startTestEmulator();
    const token = emulator.idp.mintToken(facebook, { subject: 'alice' });
    const { IdentityId: ownerId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: token } }),
    );
    const { IdentityId: guestId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId() }));

    const merged = await client.send(
      new GetCredentialsForIdentityCommand({ IdentityId: guestId, Logins: { [facebook]: token } }),
    );
    expect(merged.IdentityId).toBe(ownerId);
    expect(merged.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(emulator.identity(guestId as string)).toMatchObject({ status: 'disabled', mergedInto: ownerId });

    const later = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId: guestId })),
    );
    expect(later.name).toBe('NotAuthorizedException');
    expect(later.message).toBe(`Access to Identity '${guestId}' is forbidden.`);
  });

  it('GetId with logins of two identities merges the second into the first, logins included', async () => {
    const { emulator, client } = await startTestEmulator();
    const alice = emulator.idp.mintToken(facebook, { subject: 'alice' });
    const aliceAtGoogle = emulator.idp.mintToken(google, { subject: 'alice@example.com' });
    const { IdentityId: first } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: alice } }),
    );
    const { IdentityId: second } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [google]: aliceAtGoogle } }),
    );
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: alice, [google]: aliceAtGoogle } }),
    );
    expect(IdentityId).toBe(first);
    expect(emulator.identity(first as string)?.logins).toEqual({
      [facebook]: 'alice',
      [google]: 'alice@example.com',
    });
    expect(emulator.identity(second as string)).toMatchObject({
      status: 'disabled',
      mergedInto: first,
      logins: {},
    });
  });

  it('refuses a second login of a linked provider with ResourceConflictException', async () => {
    const { emulator, client } = await startTestEmulator();
    const alice = emulator.idp.mintToken(facebook, { subject: 'alice' });
    const bob = emulator.idp.mintToken(facebook, { subject: 'bob' });
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: alice } }),
    );
    const error = await rejectionOf(
      client.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [facebook]: bob } })),
    );
    expect(error.name).toBe('ResourceConflictException');
    expect(emulator.identity(IdentityId as string)?.logins).toEqual({ [facebook]: 'alice' });
  });

  it('an authenticated identity links a login of a new provider', async () => {
    const { emulator, client } = await startTestEmulator();
    const alice = emulator.idp.mintToken(facebook, { subject: 'alice' });
    const aliceAtGoogle = emulator.idp.mintToken(google, { subject: 'alice-g' });
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: alice } }),
    );
    const result = await client.send(
      new GetCredentialsForIdentityCommand({
        IdentityId,
        Logins: { [facebook]: alice, [google]: aliceAtGoogle },
      }),
    );
    expect(result.IdentityId).toBe(IdentityId);
    expect(Object.keys(emulator.identity(IdentityId as string)?.logins ?? {})).toEqual([facebook, google]);
  });

  it('GetOpenIdToken for a login carries the authenticated amr', async () => {
    const { emulator, client } = await startTestEmulator();
    const token = emulator.idp.mintToken(facebook, { subject: 'alice' });
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: token } }),
    );
    const result = await client.send(
      new GetOpenIdTokenCommand({ IdentityId, Logins: { [facebook]: token } }),
    );
    const amr = decodeJwt(result.Token as string)?.payload.amr;
    expect(amr).toEqual(['authenticated', facebook, `${facebook}:emulator:alice`]);

    const withoutLogins = await rejectionOf(client.send(new GetOpenIdTokenCommand({ IdentityId })));
    expect(withoutLogins.message).toBe(messages.loginsDontMatch);
  });

  it('UnlinkIdentity removes a login; it is a new user the next time it is seen', async () => {
    const { emulator, client } = await startTestEmulator();
    const token = emulator.idp.mintToken(facebook, { subject: 'alice' });
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: token } }),
    );
    await client.send(
      new UnlinkIdentityCommand({ IdentityId, Logins: { [facebook]: token }, LoginsToRemove: [facebook] }),
    );
    expect(emulator.identity(IdentityId as string)).toMatchObject({ authenticated: true, logins: {} });
    const again = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId(), Logins: { [facebook]: token } }),
    );
    expect(again.IdentityId).not.toBe(IdentityId);
  });
});

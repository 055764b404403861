import { describe, expect, it } from 'vitest';
import { createEmulatorCore, decodeJwt, type ServiceRequest } from '../src/index.js';
import { poolId, SimulatedClock } from './support.js';

function request(operation: string, body: unknown, signed = false): ServiceRequest {
  return {
    target: `AWSCognitoIdentityService.${operation}`,
    contentType: 'application/x-amz-json-1.1',
    body: JSON.stringify(body),
    signed,
  };
}

describe('in-process core', () => {
  it('answers requests without HTTP', async () => {
    const core = await createEmulatorCore({
      clock: new SimulatedClock(),
      pools: [{ identityPoolId: poolId() }],
    });
    const getId = core.invoke(request('GetId', { IdentityPoolId: poolId() }));
    expect(getId).toMatchObject({ ok: true, operation: 'GetId', output: { IdentityId: expect.any(String) } });
    const missing = core.invoke(request('GetId', { IdentityPoolId: poolId('eu-west-1') }));
    expect(missing).toMatchObject({ ok: false, error: { type: 'ResourceNotFoundException' } });
  });

  it('mints login tokens on the base clock, without the service offset', async () => {
    const clock = new SimulatedClock();
    const core = await createEmulatorCore({ clock });
    core.setClockOffset(3_600_000);
    const token = core.idp.mintToken('graph.facebook.com', { expiresInSeconds: 120 });
    expect(decodeJwt(token)?.payload).toMatchObject({
      iss: 'graph.facebook.com',
      sub: 'emulator-user',
      aud: 'emulator',
      iat: Math.floor(clock.now() / 1000),
      exp: Math.floor(clock.now() / 1000) + 120,
    });
    expect(decodeJwt(token)?.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'emulator' });
    expect(core.now()).toBe(clock.now() + 3_600_000);
  });

  it('refuses bad pool IDs and duplicate pools', async () => {
    const core = await createEmulatorCore({ pools: [{ identityPoolId: poolId() }] });
    expect(() => core.store.createPool({ identityPoolId: poolId() })).toThrow(/already exists/);
    expect(() => core.store.createPool({ identityPoolId: 'us-east-1:XYZ' })).toThrow(
      /Invalid identity pool ID/,
    );
  });

  it('keeps the 20-login limit when merging', async () => {
    const providers = Object.fromEntries(
      Array.from({ length: 21 }, (_, index) => [`idp${index}.example.com`, '*']),
    );
    const core = await createEmulatorCore({
      clock: new SimulatedClock(),
      pools: [{ identityPoolId: poolId(), supportedLoginProviders: providers }],
    });
    const names = Object.keys(providers);
    const logins = (slice: string[]): Record<string, string> =>
      Object.fromEntries(slice.map((name) => [name, core.idp.mintToken(name)]));
    const first = core.invoke(
      request('GetId', { IdentityPoolId: poolId(), Logins: logins(names.slice(0, 10)) }),
    );
    const second = core.invoke(
      request('GetId', { IdentityPoolId: poolId(), Logins: logins(names.slice(10, 20)) }),
    );
    expect(first.ok && second.ok).toBe(true);
    const both = [names[0] as string, names[10] as string, names[20] as string];
    const merged = core.invoke(request('GetId', { IdentityPoolId: poolId(), Logins: logins(both) }));
    expect(merged).toMatchObject({ ok: false, error: { type: 'LimitExceededException' } });
    // Refused requests change nothing.
    expect(core.store.identities().map((identity) => identity.status)).toEqual(['active', 'active']);
  });
});

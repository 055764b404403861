/**
 * Both flows pass the same behaviour tests against the emulator: the enhanced flow
 * (GetCredentialsForIdentity) and the basic one (GetOpenIdToken + STS AssumeRoleWithWebIdentity,
 * through `basicFlowTransport`), with the session and the machine unchanged.
 */
import { defaultRoles } from '@identity-pool/emulator';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createIdentityPoolAuth,
  type IdentityPoolAuth,
  type IdentityPoolAuthOptions,
  memoryStorage,
  ServiceError,
} from '../../src/index.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { recordEvents, useEmulator } from '../support/emulator.js';

const clock = new ControlledClock(Date.now());
const env = useEmulator({ clock });
const FACEBOOK = 'graph.facebook.com';
const MINUTE = 60_000;

const flows = {
  enhanced: {
    options: {} as Partial<IdentityPoolAuthOptions>,
    fetchOps: ['GetCredentialsForIdentity'],
  },
  basic: {
    options: {
      flow: 'basic',
      unauthRoleArn: defaultRoles.unauthenticated,
      authRoleArn: defaultRoles.authenticated,
    } as Partial<IdentityPoolAuthOptions>,
    fetchOps: ['GetOpenIdToken', 'AssumeRoleWithWebIdentity'],
  },
};

const nextCredentials = (auth: IdentityPoolAuth) =>
  new Promise<{ identityId: string; expiration: Date }>((resolve) => {
    const off = auth.on('credentials', (event) => {
      off();
      resolve(event);
    });
  });

describe.each(Object.entries(flows))('flow %s', (flow, { options, fetchOps }) => {
  const auth = (pool: string, more: Partial<IdentityPoolAuthOptions> = {}) =>
    env.auth({ identityPoolId: pool, ...options, ...more });
  const ops = (pool: string) => env.calls(pool).map((c) => c.operation);

  it('cold start: GetId, then the credentials of the guest', async () => {
    const pool = env.pool();
    const credentials = await auth(pool).getCredentials();
    expect(credentials.identityId).toMatch(/^us-east-1:[0-9a-f-]+$/);
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    // STS sends ISO 8601 with whole seconds.
    expect(Math.abs(credentials.expiration.getTime() - (clock.now() + 60 * MINUTE))).toBeLessThan(1000);
    expect(ops(pool)).toEqual(['GetId', ...fetchOps]);
  });

  it('warm start: a new session over the same storage reuses the identity (no GetId)', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const before = auth(pool, { storage });
    const first = await before.getCredentials();
    before.stop(); // a restart: one live session per storage namespace
    env.emulator.resetCalls();
    const second = await auth(pool, { storage }).getCredentials();
    expect(second.identityId).toBe(first.identityId);
    expect(ops(pool)).toEqual(fetchOps);
  });

  it('login links the guest identity (same ID, authenticated)', async () => {
    const pool = env.pool();
    const session = auth(pool);
    const guest = await session.getCredentials();
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: `link-${flow}` });
    const linked = await session.login({ providerName: FACEBOOK, token });
    expect(linked.identityId).toBe(guest.identityId);
    expect(linked.accessKeyId).not.toBe(guest.accessKeyId);
    expect(env.emulator.identity(guest.identityId)).toMatchObject({ authenticated: true });
    expect(session.getState()).toMatchObject({ authenticated: true, providers: [FACEBOOK] });
  });

  it('login merges into the identity that owns the login', async () => {
    const pool = env.pool();
    const token = () => env.emulator.idp.mintToken(FACEBOOK, { subject: `merge-${flow}` });
    const owner = (await auth(pool).login({ providerName: FACEBOOK, token: token() })).identityId;
    const device = auth(pool);
    const events = recordEvents(device);
    const guest = (await device.getCredentials()).identityId;
    const merged = await device.login({ providerName: FACEBOOK, token: token() });
    expect(merged.identityId).toBe(owner);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'identityChanged', previousIdentityId: guest, reason: 'merged' }),
    );
    expect(env.emulator.identity(guest)).toMatchObject({ status: 'disabled' });
  });

  it('logout: the next call is a fresh guest', async () => {
    const pool = env.pool();
    const session = auth(pool);
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: `logout-${flow}` });
    const signedIn = await session.login({ providerName: FACEBOOK, token });
    await session.logout();
    const guest = await session.getCredentials();
    expect(guest.identityId).not.toBe(signedIn.identityId);
    expect(session.getState().authenticated).toBe(false);
  });

  it('a deleted identity is forgotten and replaced, once', async () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const before = auth(pool, { storage });
    const first = await before.getCredentials();
    before.stop();
    env.emulator.deleteIdentity(first.identityId);
    const session = auth(pool, { storage });
    const events = recordEvents(session);
    const second = await session.getCredentials();
    expect(second.identityId).not.toBe(first.identityId);
    expect(events).toContainEqual(expect.objectContaining({ type: 'identityChanged', reason: 'reset' }));
  });

  it('proactive refresh: new credentials before expiry, with no caller asking', async () => {
    const pool = env.pool();
    const session = auth(pool, { refreshWindowSeconds: 300 });
    const first = await session.getCredentials();
    const refreshed = nextCredentials(session);
    clock.advance(55 * MINUTE);
    const event = await refreshed;
    expect(Math.abs(event.expiration.getTime() - (clock.now() + 60 * MINUTE))).toBeLessThan(1000);
    const second = await session.getCredentials();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(second.identityId).toBe(first.identityId);
  });
});

describe('basic flow specifics', () => {
  it('a pool without the classic flow answers InvalidParameterException as a ServiceError, not retried', async () => {
    const pool = env.pool({ allowClassicFlow: false });
    const session = env.auth({ identityPoolId: pool, ...flows.basic.options });
    const error = await session.getCredentials().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      code: 'InvalidParameterException',
      serviceMessage: expect.stringMatching(/^Basic \(classic\) flow is not enabled/),
    });
    expect(env.calls(pool, 'GetOpenIdToken')).toHaveLength(1);
  });

  it('a role the pool does not trust: STS AccessDenied as a ServiceError', async () => {
    const pool = env.pool();
    const session = env.auth({
      identityPoolId: pool,
      flow: 'basic',
      roleArn: 'arn:aws:iam::123456789012:role/NotTrusted',
    });
    await expect(session.getCredentials()).rejects.toMatchObject({
      name: 'ServiceError',
      code: 'AccessDenied',
      operation: 'AssumeRoleWithWebIdentity',
      statusCode: 403,
    });
  });

  it('STS throttling is retried like Cognito throttling', async () => {
    const pool = env.pool();
    env.emulator.faults.inject({ kind: 'throttle', operation: 'AssumeRoleWithWebIdentity', count: 1 });
    // Back-off on real timers (a clock without setTimeout), so the retry is not parked.
    const session = env.auth({
      identityPoolId: pool,
      ...flows.basic.options,
      clock: { now: () => clock.now() },
    });
    await expect(session.getCredentials()).resolves.toMatchObject({ accessKeyId: expect.any(String) });
    expect(
      env.emulator.calls.filter(
        (c) => c.operation === 'AssumeRoleWithWebIdentity' && c.identityPoolId === pool,
      ),
    ).toHaveLength(2);
  });

  it.each([
    [{ flow: 'basic' }, 'roleArn'],
    [{ flow: 'basic', authRoleArn: defaultRoles.authenticated }, 'unauthRoleArn'],
    [
      { flow: 'basic', roleArn: defaultRoles.authenticated, authRoleArn: defaultRoles.authenticated },
      'authRoleArn',
    ],
    [{ roleArn: defaultRoles.authenticated }, 'roleArn'],
    [{ flow: 'classic' }, 'flow'],
    [{ flow: 'basic', roleArn: 'not-an-arn-at-all-xxxxx' }, 'roleArn'],
  ])('options %j → ConfigurationError naming %s', (extra, field) => {
    expect(() =>
      createIdentityPoolAuth({
        identityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000',
        ...extra,
      } as IdentityPoolAuthOptions),
    ).toThrow(expect.objectContaining({ name: 'ConfigurationError', field }));
    expect(ConfigurationError).toBeDefined();
  });

  it('guest-free basic flow needs only authRoleArn', async () => {
    const pool = env.pool();
    const session = env.auth({
      identityPoolId: pool,
      flow: 'basic',
      allowGuest: false,
      authRoleArn: defaultRoles.authenticated,
    });
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'auth-only' });
    await expect(session.login({ providerName: FACEBOOK, token })).resolves.toMatchObject({
      identityId: expect.any(String),
    });
  });
});

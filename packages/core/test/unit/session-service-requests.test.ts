/**
 * The two requests of session.ts, as the service sees them and as the session reads the answers:
 * `sendGetId` and `sendGetCredentials` (nothing stored). What is sent (pool, account, Logins only
 * when there are some, the role, the identity a developer token was issued for), what is checked
 * (the identity ID, the credentials, their minute of life on the service's clock), the identity
 * the answer makes (guest or not, its providers after a merge), and what the session learns as
 * secrets. Mutation testing of session.ts (issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import { ExternalError, InvalidResponseError, NetworkError } from '../../src/errors.js';
import { MIN_CREDENTIAL_LIFETIME_MS, sendGetCredentials, sendGetId, unlinkLogin } from '../../src/session.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B } from '../support/fixtures.js';
import { FACEBOOK, GOOGLE, guest, HOUR, linked, NOW, sessionDeps } from '../support/session-deps.js';

const none = { map: {}, logins: {} };

describe('GetId asks for the pool’s guest identity without Logins, the login’s identity with them', () => {
  it('without logins: no Logins field, a guest identity', async () => {
    const { deps, service } = sessionDeps({ accountId: '123456789012' });
    const identity = await sendGetId(deps, {}, undefined);
    expect(service.calls.getId).toEqual([
      expect.objectContaining({
        identityPoolId: deps.options.identityPoolId,
        accountId: '123456789012',
        logins: undefined,
      }),
    ]);
    expect(identity).toEqual(guest(IDENTITY_A));
  });

  it('with logins: sends them, an authenticated identity linked to their keys, sorted', async () => {
    const { deps, service } = sessionDeps();
    const map = { [FACEBOOK]: 'f-token', [GOOGLE]: 'g-token' };
    const identity = await sendGetId(deps, map, undefined);
    expect(service.calls.getId[0]?.logins).toEqual(map);
    expect(identity.providers).toEqual([GOOGLE, FACEBOOK]);
    expect(identity).toEqual(linked(IDENTITY_A, GOOGLE, FACEBOOK));
  });

  it.each([
    ['without a valid identity ID', { identityId: 'not-an-id' }],
    ['that is nothing at all', undefined],
  ])('an answer %s is an InvalidResponseError of GetId', async (_, answer) => {
    const { deps, service } = sessionDeps();
    service.answers.getId.push(async () => answer as never);
    const error = await sendGetId(deps, {}, undefined).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).operation).toBe('GetId');
  });

  it('notes the service’s clock from the answer’s Date', async () => {
    const { deps, service } = sessionDeps();
    service.answers.getId.push({ identityId: IDENTITY_A, serverTime: NOW + 10 * 60_000 });
    await sendGetId(deps, {}, undefined);
    expect(deps.skew.offsetMs).toBe(10 * 60_000 + 500);
  });
});

describe('GetCredentialsForIdentity is sent for the session’s identity, or the one a token was issued for', () => {
  it('a guest: its identity, no Logins, the custom role', async () => {
    const { deps, service } = sessionDeps({ customRoleArn: 'arn:aws:iam::123456789012:role/r' });
    await sendGetCredentials(deps, guest(IDENTITY_A), none, undefined);
    expect(service.calls.getCredentialsForIdentity).toEqual([
      expect.objectContaining({
        identityId: IDENTITY_A,
        logins: undefined,
        customRoleArn: 'arn:aws:iam::123456789012:role/r',
      }),
    ]);
  });

  it('a developer token is sent for the identity it was issued for', async () => {
    const { deps, service } = sessionDeps();
    await sendGetCredentials(
      deps,
      guest(IDENTITY_A),
      {
        map: { [FACEBOOK]: 'dev-token' },
        logins: {
          // An entry without a token does not choose the identity.
          [GOOGLE]: { identityId: IDENTITY_A },
          [FACEBOOK]: { token: 'dev-token', identityId: IDENTITY_B },
        },
      },
      undefined,
    );
    expect(service.calls.getCredentialsForIdentity[0]).toMatchObject({
      identityId: IDENTITY_B,
      logins: { [FACEBOOK]: 'dev-token' },
    });
  });

  it('a token with no identity of its own is sent for the session’s identity', async () => {
    const { deps, service } = sessionDeps();
    await sendGetCredentials(
      deps,
      guest(IDENTITY_A),
      { map: { [FACEBOOK]: 'f-token' }, logins: { [FACEBOOK]: { token: 'f-token' } } },
      undefined,
    );
    expect(service.calls.getCredentialsForIdentity[0]?.identityId).toBe(IDENTITY_A);
  });
});

describe('the answer’s identity is the session’s next one (a merge moves it, and drops the old links)', () => {
  it('same identity: its providers and the logins sent, sorted, authenticated', async () => {
    const { deps } = sessionDeps();
    const { next, credentials } = await sendGetCredentials(
      deps,
      linked(IDENTITY_A, FACEBOOK),
      { map: { [GOOGLE]: 'g-token', [FACEBOOK]: 'f-token' }, logins: {} },
      undefined,
    );
    expect(next.providers).toEqual([GOOGLE, FACEBOOK]);
    expect(next).toEqual(linked(IDENTITY_A, GOOGLE, FACEBOOK));
    expect(credentials.identityId).toBe(IDENTITY_A);
    expect(Object.isFrozen(credentials)).toBe(true);
  });

  it('merged into another identity: only the logins sent are its providers; credentials carry its ID', async () => {
    const { deps, service } = sessionDeps();
    service.answers.getCredentialsForIdentity.push({
      identityId: IDENTITY_B,
      credentials: credentialsFor(IDENTITY_A, NOW + HOUR),
    });
    const { next, credentials } = await sendGetCredentials(
      deps,
      linked(IDENTITY_A, GOOGLE),
      { map: { [FACEBOOK]: 'f-token' }, logins: {} },
      undefined,
    );
    expect(next).toEqual(linked(IDENTITY_B, FACEBOOK));
    expect(credentials.identityId).toBe(IDENTITY_B);
  });

  it('no logins sent: a guest identity, its stored providers kept', async () => {
    const { deps } = sessionDeps();
    const { next } = await sendGetCredentials(deps, guest(IDENTITY_A), none, undefined);
    expect(next).toEqual(guest(IDENTITY_A));
  });

  it.each([
    [
      'without a valid identity ID',
      { identityId: 'bad', credentials: credentialsFor(IDENTITY_A, NOW + HOUR) },
    ],
    ['without credentials', { identityId: IDENTITY_A }],
    ['that is nothing at all', undefined],
  ])('an answer %s is an InvalidResponseError of GetCredentialsForIdentity', async (_, answer) => {
    const { deps, service } = sessionDeps();
    service.answers.getCredentialsForIdentity.push(async () => answer as never);
    const error = await sendGetCredentials(deps, guest(IDENTITY_A), none, undefined).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).operation).toBe('GetCredentialsForIdentity');
  });

  it('same identity, only some of its logins sent: its other links are kept', async () => {
    const { deps } = sessionDeps();
    const { next } = await sendGetCredentials(
      deps,
      linked(IDENTITY_A, FACEBOOK, GOOGLE),
      { map: { [FACEBOOK]: 'f-token' }, logins: {} },
      undefined,
    );
    expect(next).toEqual(linked(IDENTITY_A, GOOGLE, FACEBOOK));
  });
});

describe('credentials with a minute of life or less, on the service’s clock, are refused', () => {
  const answering = (expiresAt: number, serverTime?: number) => {
    const setup = sessionDeps();
    setup.service.answers.getCredentialsForIdentity.push({
      identityId: IDENTITY_A,
      credentials: credentialsFor(IDENTITY_A, expiresAt),
      serverTime,
    });
    return sendGetCredentials(setup.deps, guest(IDENTITY_A), none, undefined);
  };

  it('exactly a minute left: an InvalidResponseError naming the expiry', async () => {
    const error = await answering(NOW + MIN_CREDENTIAL_LIFETIME_MS).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).operation).toBe('GetCredentialsForIdentity');
    expect((error as Error).message).toContain(new Date(NOW + MIN_CREDENTIAL_LIFETIME_MS).toISOString());
    expect((error as Error).message).toContain('under a minute from now');
  });

  it('a minute and a millisecond: taken', async () => {
    const { credentials } = await answering(NOW + MIN_CREDENTIAL_LIFETIME_MS + 1);
    expect(credentials.expiration.getTime()).toBe(NOW + MIN_CREDENTIAL_LIFETIME_MS + 1);
  });

  it('ten minutes by the local clock, but the service’s Date says it is 10 minutes later: refused', async () => {
    await expect(answering(NOW + 10 * 60_000, NOW + 10 * 60_000)).rejects.toBeInstanceOf(
      InvalidResponseError,
    );
  });

  it('credentials with more than an hour of life set the service’s clock ahead (no Date)', async () => {
    const setup = sessionDeps();
    setup.service.answers.getCredentialsForIdentity.push({
      identityId: IDENTITY_A,
      credentials: credentialsFor(IDENTITY_A, NOW + HOUR + 5 * 60_000),
    });
    await sendGetCredentials(setup.deps, guest(IDENTITY_A), none, undefined);
    expect(setup.deps.skew.offsetMs).toBe(5 * 60_000);
  });
});

describe('a request’s secrets: its tokens redacted from its errors, the credentials it answers known', () => {
  it('a transport error carries neither the tokens sent nor a secret the session knew', async () => {
    const { deps, service } = sessionDeps();
    deps.secrets.add('known-session-secret');
    service.answers.getCredentialsForIdentity.push(() => {
      throw new Error('refused f-token-123 after known-session-secret');
    });
    const error = await sendGetCredentials(
      deps,
      guest(IDENTITY_A),
      { map: { [FACEBOOK]: 'f-token-123' }, logins: {} },
      undefined,
    ).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ExternalError);
    expect(error).toMatchObject({ source: 'transport', operation: 'GetCredentialsForIdentity' });
    expect((error as Error).message).not.toMatch(/f-token-123|known-session-secret/);
    expect([...deps.secrets]).toContain('f-token-123');
  });

  it('GetId’s errors name GetId and carry none of its tokens', async () => {
    const { deps, service } = sessionDeps();
    service.answers.getId.push(() => {
      throw new Error('bad token g-token-456');
    });
    const error = await sendGetId(deps, { [GOOGLE]: 'g-token-456' }, undefined).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ source: 'transport', operation: 'GetId' });
    expect((error as Error).message).not.toContain('g-token-456');
  });

  it('a session that keeps no secrets still redacts the request’s own tokens', async () => {
    const { deps, service } = sessionDeps();
    const bare = { ...deps, secrets: undefined };
    expect(await sendGetId(bare, {}, undefined)).toEqual(guest(IDENTITY_A));
    expect((await sendGetCredentials(bare, guest(IDENTITY_A), none, undefined)).next).toEqual(
      guest(IDENTITY_A),
    );
    service.answers.getId.push(() => {
      throw new Error('bad token g-token-789');
    });
    const error = await sendGetId(bare, { [GOOGLE]: 'g-token-789' }, undefined).catch(
      (thrown: unknown) => thrown,
    );
    expect((error as Error).message).not.toContain('g-token-789');
  });

  it('the secret key and session token answered are secrets from then on', async () => {
    const { deps } = sessionDeps();
    const { credentials } = await sendGetCredentials(deps, guest(IDENTITY_A), none, undefined);
    expect([...deps.secrets]).toEqual(
      expect.arrayContaining([credentials.secretAccessKey, credentials.sessionToken]),
    );
  });
});

describe('each request has the session’s requestTimeoutMs', () => {
  it.each([
    ['GetId', (deps: ReturnType<typeof sessionDeps>['deps']) => sendGetId(deps, {}, undefined)],
    [
      'GetCredentialsForIdentity',
      (deps: ReturnType<typeof sessionDeps>['deps']) =>
        sendGetCredentials(deps, guest(IDENTITY_A), none, undefined),
    ],
    [
      'UnlinkIdentity',
      (deps: ReturnType<typeof sessionDeps>['deps']) =>
        unlinkLogin({ deps, identity: linked(IDENTITY_A, FACEBOOK), logins: {}, providerName: FACEBOOK }),
    ],
  ])(
    '%s with no answer: a NetworkError after requestTimeoutMs, the request’s signal aborted',
    async (operation, send) => {
      const { deps, service, clock } = sessionDeps({ requestTimeoutMs: 2_000, retry: { maxAttempts: 1 } });
      const signals: AbortSignal[] = [];
      const hang = (input: { signal?: AbortSignal }) => {
        if (input.signal) signals.push(input.signal);
        return new Promise<never>(() => {});
      };
      service.answers.getId.push(hang as never);
      service.answers.getCredentialsForIdentity.push(hang as never);
      service.answers.unlinkIdentity.push(hang as never);
      const pending = send(deps).catch((thrown: unknown) => thrown);
      // The request is sent after the session's awaits (unlinkLogin resolves the logins first);
      // bounded, so a session that never sends it fails here instead of spinning.
      for (let turn = 0; turn < 50 && signals.length === 0; turn++) await Promise.resolve();
      expect(signals).toHaveLength(1);
      clock.advance(1_999);
      expect(signals[0]?.aborted).toBe(false);
      clock.advance(1);
      const error = await pending;
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).operation).toBe(operation);
      expect(signals[0]?.aborted).toBe(true);
    },
  );
});

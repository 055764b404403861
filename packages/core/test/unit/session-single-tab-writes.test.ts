/**
 * What a session on its own (no tab coordination) writes to storage, and when it must not: the
 * identity is stored before the work resolves, under the sign-out record it was obtained under;
 * a sign-out recorded meanwhile by another session sharing the storage, a logout of this one
 * (its lease ended) or an abort leaves nothing written. `obtainIdentity`, `obtainCredentials`
 * and `unlinkLogin` of session.ts over real memory storage (issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, ExternalError, SignedOutError } from '../../src/errors.js';
import { obtainCredentials, obtainIdentity, unlinkLogin, verifyNotSignedOut } from '../../src/session.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B } from '../support/fixtures.js';
import {
  FACEBOOK,
  GOOGLE,
  guest,
  HOUR,
  linked,
  NOW,
  scriptedTabs,
  sessionDeps,
} from '../support/session-deps.js';

const RECORD = 'record-0001';
const LATER_RECORD = 'record-0002';

describe('GetId’s identity is stored before obtainIdentity resolves, under the record it was obtained under', () => {
  it('no record: stored without one, returned with the resolved logins', async () => {
    const { deps, stored } = sessionDeps();
    const result = await obtainIdentity({ deps, logins: {}, forceTokenRenewal: false });
    expect(result).toEqual({ ...guest(IDENTITY_A), logins: {} });
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, authenticated: false });
    expect(stored('identity')).not.toHaveProperty('m');
    expect(stored('identity')).not.toHaveProperty('s');
  });

  it('a record in storage: the identity is stored under it', async () => {
    const { deps, stored, signOutElsewhere, signOuts } = sessionDeps();
    await signOutElsewhere(RECORD);
    await obtainIdentity({ deps, logins: {}, forceTokenRenewal: false });
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, m: RECORD });
    expect(signOuts.seen).toBe(RECORD);
  });

  it('with a login: the token is sent, renewed first when the caller forces it', async () => {
    const { deps, service } = sessionDeps();
    const provider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({ token: 'unused' }),
      getToken: async () => ({ token: 'renewed-token', expiresAt: NOW + HOUR }),
    };
    const result = await obtainIdentity({
      deps,
      logins: { [FACEBOOK]: { token: 'held-token', expiresAt: NOW + HOUR, provider } },
      forceTokenRenewal: true,
    });
    expect(service.calls.getId[0]?.logins).toEqual({ [FACEBOOK]: 'renewed-token' });
    expect(result.logins[FACEBOOK]?.token).toBe('renewed-token');
  });
});

describe('a sign-out recorded by another session while GetId was asked: SignedOutError, nothing stored', () => {
  it('obtainIdentity', async () => {
    const { deps, service, stored, signOutElsewhere } = sessionDeps();
    await signOutElsewhere(RECORD);
    service.answers.getId.push(async () => {
      await signOutElsewhere(LATER_RECORD);
      return { identityId: IDENTITY_A };
    });
    await expect(obtainIdentity({ deps, logins: {}, forceTokenRenewal: false })).rejects.toBeInstanceOf(
      SignedOutError,
    );
    expect(stored('identity')).toBeUndefined();
  });
});

describe('a logout of this session while a request was in flight (its lease ended): nothing stored', () => {
  it('obtainIdentity', async () => {
    const { deps, service, store, stored } = sessionDeps();
    service.answers.getId.push(async () => {
      store.endLeases();
      return { identityId: IDENTITY_A };
    });
    await obtainIdentity({ deps, logins: {}, forceTokenRenewal: false });
    expect(stored('identity')).toBeUndefined();
  });

  it('obtainCredentials: neither the identity nor the credentials', async () => {
    const { deps, service, store, stored } = sessionDeps({ persistCredentials: true });
    service.answers.getCredentialsForIdentity.push(async (input: { identityId: string }) => {
      store.endLeases();
      return { identityId: input.identityId, credentials: credentialsFor(input.identityId, NOW + HOUR) };
    });
    await obtainCredentials({ deps, logins: {}, forceTokenRenewal: false, identity: guest(IDENTITY_A) });
    expect(stored('identity')).toBeUndefined();
    expect(stored('credentials')).toBeUndefined();
  });
});

describe('an abort after the service answered: the abort’s reason, nothing stored', () => {
  // Aborted as the session reads the answer: after the request settled, before anything is stored.
  const abortingDuring = (
    deps: ReturnType<typeof sessionDeps>,
    operation: 'getId' | 'getCredentialsForIdentity',
  ) => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    deps.service.answers[operation].push(async (input: { identityId?: string }) => ({
      identityId: input.identityId ?? IDENTITY_A,
      ...(operation === 'getCredentialsForIdentity' && {
        credentials: credentialsFor(IDENTITY_A, NOW + HOUR),
      }),
      get serverTime() {
        controller.abort(reason);
        return undefined;
      },
    }));
    return { signal: controller.signal, reason };
  };

  it('obtainIdentity', async () => {
    const setup = sessionDeps();
    const { signal, reason } = abortingDuring(setup, 'getId');
    await expect(
      obtainIdentity({ deps: setup.deps, logins: {}, forceTokenRenewal: false }, signal),
    ).rejects.toBe(reason);
    expect(setup.stored('identity')).toBeUndefined();
  });

  it('obtainCredentials', async () => {
    const setup = sessionDeps({ persistCredentials: true });
    const { signal, reason } = abortingDuring(setup, 'getCredentialsForIdentity');
    await expect(
      obtainCredentials(
        { deps: setup.deps, logins: {}, forceTokenRenewal: false, identity: guest(IDENTITY_A) },
        signal,
      ),
    ).rejects.toBe(reason);
    expect(setup.stored('identity')).toBeUndefined();
    expect(setup.stored('credentials')).toBeUndefined();
  });

  it('verifyNotSignedOut checks the signal before and after reading the record', async () => {
    const { deps } = sessionDeps();
    const before = new AbortController();
    before.abort(new Error('before'));
    await expect(verifyNotSignedOut(deps, null, before.signal)).rejects.toThrow('before');
    const during = new AbortController();
    const read = deps.signOuts.verify.bind(deps.signOuts);
    deps.signOuts.verify = async (since) => {
      const under = await read(since);
      during.abort(new Error('during'));
      return under;
    };
    await expect(verifyNotSignedOut(deps, null, during.signal)).rejects.toThrow('during');
  });
});

describe('obtainCredentials stores the identity the answer makes on every success, credentials only with persistCredentials', () => {
  it('persistCredentials: the merged identity and its credentials, under the record known', async () => {
    const { deps, service, stored, signOuts, signOutElsewhere } = sessionDeps({ persistCredentials: true });
    await signOutElsewhere(RECORD);
    await signOuts.baseline();
    service.answers.getCredentialsForIdentity.push({
      identityId: IDENTITY_B,
      credentials: credentialsFor(IDENTITY_A, NOW + HOUR),
    });
    const result = await obtainCredentials({
      deps,
      logins: { [FACEBOOK]: { token: 'f-token' } },
      forceTokenRenewal: false,
      identity: guest(IDENTITY_A),
    });
    expect(result).toMatchObject({
      ...linked(IDENTITY_B, FACEBOOK),
      logins: { [FACEBOOK]: { token: 'f-token' } },
    });
    expect(result.credentials.identityId).toBe(IDENTITY_B);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_B, providers: [FACEBOOK], m: RECORD });
    expect(stored('credentials')).toMatchObject({ identityId: IDENTITY_B });
  });

  it('without persistCredentials: the identity only', async () => {
    const { deps, stored } = sessionDeps();
    await obtainCredentials({ deps, logins: {}, forceTokenRenewal: false, identity: guest(IDENTITY_A) });
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A });
    expect(stored('credentials')).toBeUndefined();
  });

  it('a sign-out recorded since the identity was obtained: SignedOutError, nothing stored', async () => {
    const { deps, stored, signOuts, signOutElsewhere } = sessionDeps({ persistCredentials: true });
    await signOutElsewhere(RECORD);
    await signOuts.baseline();
    await signOutElsewhere(LATER_RECORD);
    await expect(
      obtainCredentials({ deps, logins: {}, forceTokenRenewal: false, identity: guest(IDENTITY_A) }),
    ).rejects.toBeInstanceOf(SignedOutError);
    expect(stored('identity')).toBeUndefined();
    expect(stored('credentials')).toBeUndefined();
  });

  it('renews a refused token first when the caller forces it', async () => {
    const { deps, service } = sessionDeps();
    const provider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => ({ token: 'unused' }),
      getToken: async () => ({ token: 'renewed-token' }),
    };
    await obtainCredentials({
      deps,
      logins: { [FACEBOOK]: { token: 'refused-token', provider } },
      forceTokenRenewal: true,
      identity: linked(IDENTITY_A, FACEBOOK),
    });
    expect(service.calls.getCredentialsForIdentity[0]?.logins).toEqual({ [FACEBOOK]: 'renewed-token' });
  });
});

describe('unlinkLogin removes one login from the identity and stores it without it', () => {
  const request = (deps: ReturnType<typeof sessionDeps>['deps'], current?: () => boolean) => ({
    deps,
    identity: linked(IDENTITY_A, FACEBOOK, GOOGLE),
    logins: { [FACEBOOK]: { token: 'f-token' }, [GOOGLE]: { token: 'g-token' } },
    providerName: GOOGLE,
    current,
  });

  it('sends UnlinkIdentity with the session’s logins as proof, called on the transport', async () => {
    const { deps, service, stored, signOutElsewhere, signOuts } = sessionDeps();
    await signOutElsewhere(RECORD);
    await signOuts.baseline();
    let self: unknown;
    const unlink = deps.transport.unlinkIdentity;
    deps.transport.unlinkIdentity = function (this: unknown, input) {
      self = this;
      return unlink?.call(deps.transport, input) as Promise<void>;
    };
    await unlinkLogin(request(deps));
    expect(self).toBe(deps.transport);
    expect(service.calls.unlinkIdentity).toEqual([
      expect.objectContaining({
        identityId: IDENTITY_A,
        logins: { [FACEBOOK]: 'f-token', [GOOGLE]: 'g-token' },
        loginsToRemove: [GOOGLE],
      }),
    ]);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, providers: [FACEBOOK], m: RECORD });
  });

  it('coordinating tabs: stored without a sign-out record (the lock manager carries sign-outs)', async () => {
    const { deps, stored, signOutElsewhere } = sessionDeps({}, { tabs: scriptedTabs({}) });
    await signOutElsewhere(RECORD);
    await unlinkLogin(request(deps));
    expect(stored('identity')).toMatchObject({ providers: [FACEBOOK] });
    expect(stored('identity')).not.toHaveProperty('m');
  });

  it('a transport without unlinkIdentity: a ConfigurationError naming the transport', async () => {
    const { deps } = sessionDeps();
    deps.transport.unlinkIdentity = undefined;
    const error = await unlinkLogin(request(deps)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({
      field: 'transport',
      rule: 'has no unlinkIdentity(), which removeLogin() needs',
    });
  });

  it('the session no longer holds the identity when the service answers: nothing stored', async () => {
    const { deps, stored } = sessionDeps();
    await unlinkLogin(request(deps, () => false));
    expect(stored('identity')).toBeUndefined();
    await unlinkLogin(request(deps, () => true));
    expect(stored('identity')).toMatchObject({ providers: [FACEBOOK] });
  });

  it('a sign-out recorded since the identity was obtained: SignedOutError, nothing stored', async () => {
    const { deps, stored, signOutElsewhere } = sessionDeps();
    await signOutElsewhere(RECORD);
    await expect(unlinkLogin(request(deps))).rejects.toBeInstanceOf(SignedOutError);
    expect(stored('identity')).toBeUndefined();
  });

  it('an abort as the service answers: the abort’s reason, nothing stored', async () => {
    const { deps, service, stored } = sessionDeps();
    const controller = new AbortController();
    // Aborted as the session reads the answer, after the request settled.
    service.answers.unlinkIdentity.push(
      async () =>
        ({
          get credentials() {
            controller.abort(new Error('gave up'));
            return undefined;
          },
        }) as never,
    );
    await expect(unlinkLogin(request(deps), controller.signal)).rejects.toThrow('gave up');
    expect(stored('identity')).toBeUndefined();
  });

  it('a logout meanwhile (lease ended): nothing stored', async () => {
    const { deps, service, store, stored } = sessionDeps();
    service.answers.unlinkIdentity.push(async () => store.endLeases());
    await unlinkLogin(request(deps));
    expect(stored('identity')).toBeUndefined();
  });

  it('its errors name UnlinkIdentity and carry none of the tokens', async () => {
    const { deps, service } = sessionDeps();
    service.answers.unlinkIdentity.push(() => {
      throw new Error('denied for f-token and g-token');
    });
    const error = await unlinkLogin(request(deps)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ExternalError);
    expect(error).toMatchObject({ source: 'transport', operation: 'UnlinkIdentity' });
    expect((error as Error).message).not.toMatch(/f-token|g-token/);
  });

  it('an expired token is renewed first, on the service’s clock', async () => {
    const { deps, service } = sessionDeps();
    deps.skew.offsetMs = 10 * 60_000;
    const provider = {
      id: 'google',
      loginsKey: GOOGLE,
      signIn: async () => ({ token: 'unused' }),
      getToken: async () => ({ token: 'renewed-g', expiresAt: NOW + HOUR }),
    };
    await unlinkLogin({
      ...request(deps),
      // Five minutes left by the local clock; five minutes ago by the service's.
      logins: {
        [FACEBOOK]: { token: 'f-token' },
        [GOOGLE]: { token: 'g-token', expiresAt: NOW + 5 * 60_000, provider },
      },
    });
    expect(service.calls.unlinkIdentity[0]).toMatchObject({ logins: { [GOOGLE]: 'renewed-g' } });
  });
});

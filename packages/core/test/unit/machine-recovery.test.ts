/**
 * Rule 5 of design.md §4, at the machine: recovery follows the error's cause, each recovery at
 * most once until a success (so it never loops), and every way a request ends tells its callers.
 * One `describe` per row of the recovery table, then the `failed` and `loginRequired` phases.
 */
import { describe, expect, it } from 'vitest';
import { GuestAccessDisabledError, LoginRequiredError, NetworkError } from '../../src/errors.js';
import type { Logins } from '../../src/session.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B, serviceErrors } from '../support/fixtures.js';
import {
  authenticated,
  credentialsOutput,
  guest,
  guestWithCredentials,
  HOUR,
  identityOutput,
  startMachine,
  T0,
} from '../support/machine-harness.js';

const GOOGLE = 'accounts.google.com';
const FACEBOOK = 'graph.facebook.com';
const networkDown = (operation = 'GetCredentialsForIdentity') => new NetworkError(operation, 'ECONNRESET');
const renewable = {
  id: 'fb',
  loginsKey: FACEBOOK,
  signIn: async () => ({ token: 'x' }),
  getToken: async () => ({ token: 'y' }),
};

/** A guest session waiting on GetCredentialsForIdentity for IDENTITY_A. */
async function guestFetching() {
  const h = startMachine();
  await h.restore({ identity: guest() });
  await h.send({ type: 'CREDENTIALS.NEEDED' });
  expect(h.value()).toBe('fetching');
  return h;
}

/** A signed-in session (IDENTITY_A linked to its logins) waiting on GetCredentialsForIdentity. */
async function authenticatedFetching(logins: Logins = { [GOOGLE]: { token: 'g' } }) {
  const h = startMachine({ logins });
  await h.restore({ identity: authenticated(IDENTITY_A, ...Object.keys(logins)) });
  await h.send({ type: 'CREDENTIALS.NEEDED' });
  expect(h.value()).toEqual({ authenticated: 'fetching' });
  return h;
}

describe('an identity that is gone or not ours: forgotten, replaced once, then the request fails', () => {
  it('ResourceNotFound for a guest: GetId again avoiding it, announced as a reset; a second time fails', async () => {
    const h = await guestFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    expect(h.value()).toBe('identifying');
    const c = h.context();
    expect(c.identity).toBeUndefined();
    expect(c.credentials).toBeUndefined();
    expect(c.replacedIdentityId).toBe(IDENTITY_A);
    expect(c.recoveries).toEqual(['resetIdentity']);
    expect(h.inputs.obtainIdentity).toEqual([
      { deps: h.deps, logins: {}, forceTokenRenewal: false, avoidIdentityId: IDENTITY_A },
    ]);
    await h.settle('obtainIdentity', { output: identityOutput(guest(IDENTITY_B)) });
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'reset' },
    ]);
    expect(h.context().replacedIdentityId).toBeUndefined();
    expect(h.value()).toBe('fetching');
    const before = h.emitted.length;
    const again = serviceErrors.identityNotFound(IDENTITY_B);
    await h.settle('obtainCredentials', { error: again });
    expect(h.value()).toBe('failed');
    expect(h.emitted.slice(before)).toEqual([
      { type: 'error', error: again },
      { type: 'requestFailed', error: again },
    ]);
    expect(h.context().error).toBe(again);
    expect(h.context().wanted).toBe('nothing');
  });

  it('"Access to Identity is forbidden" during a refresh: the held credentials are forgotten with it', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'CREDENTIALS.NEEDED', forceRefresh: true });
    await h.settle('obtainCredentials', { error: serviceErrors.identityForbidden(IDENTITY_A) });
    expect(h.value()).toBe('identifying');
    expect(h.context().credentials).toBeUndefined();
    expect(h.context().identity).toBeUndefined();
  });

  it('when the replacement never comes, the lost identity is announced, once', async () => {
    const h = await guestFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    const error = networkDown('GetId');
    await h.settle('obtainIdentity', { error });
    expect(h.value()).toBe('failed');
    expect(h.emitted).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: undefined, reason: 'reset' },
      { type: 'error', error },
      { type: 'requestFailed', error },
    ]);
    expect(h.context().replacedIdentityId).toBeUndefined();
  });

  it('an authenticated identity that is gone: GetId again with the logins', async () => {
    const h = await authenticatedFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    expect(h.value()).toEqual({ authenticated: 'identifying' });
    expect(h.context().replacedIdentityId).toBe(IDENTITY_A);
  });
});

describe('guest access disabled: GuestAccessDisabledError, no retry', () => {
  const MESSAGE = 'Unauthenticated access is not supported for this identity pool.';

  it('at GetId: failed with GuestAccessDisabledError, error and requestFailed emitted', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send({ type: 'IDENTITY.NEEDED' });
    await h.settle('obtainIdentity', { error: serviceErrors.guestDisabled() });
    expect(h.value()).toBe('failed');
    const error = h.context().error;
    expect(error).toBeInstanceOf(GuestAccessDisabledError);
    expect(error?.message).toBe(MESSAGE);
    expect(h.emitted).toEqual([
      { type: 'error', error },
      { type: 'requestFailed', error },
    ]);
    expect(h.context().wanted).toBe('nothing');
  });

  it('at GetCredentialsForIdentity: the same', async () => {
    const h = await guestFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.guestDisabled('GetCredentialsForIdentity') });
    expect(h.value()).toBe('failed');
    expect(h.context().error).toBeInstanceOf(GuestAccessDisabledError);
    expect(h.inputs.obtainIdentity).toEqual([]);
  });

  it('a GuestAccessDisabledError already made is passed on as it is', async () => {
    const h = await guestFetching();
    const error = new GuestAccessDisabledError('made by the transport');
    await h.settle('obtainCredentials', { error });
    expect(h.context().error).toBe(error);
  });

  it('after a reset, the identity lost on the way is announced', async () => {
    const h = await guestFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    await h.settle('obtainIdentity', { error: serviceErrors.guestDisabled() });
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: undefined, reason: 'reset' },
    ]);
  });
});

describe('a refused login token: renewed once through the provider, then loginRequired', () => {
  it('GetCredentialsForIdentity: again with forceTokenRenewal; refused again, loginRequired for each login', async () => {
    const h = await authenticatedFetching({ [FACEBOOK]: { token: 'f' }, [GOOGLE]: { token: 'g' } });
    await h.settle('obtainCredentials', { error: serviceErrors.tokenExpired() });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
    expect(h.context().recoveries).toEqual(['renewLogins']);
    expect(
      h.inputs.obtainCredentials.map((i) => (i as { forceTokenRenewal: boolean }).forceTokenRenewal),
    ).toEqual([false, true]);
    await h.settle('obtainCredentials', { error: serviceErrors.tokenExpired() });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    const error = h.context().error as LoginRequiredError;
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect(error.providerNames).toEqual([GOOGLE, FACEBOOK]);
    expect(h.emitted).toEqual([
      { type: 'loginRequired', providerName: GOOGLE },
      { type: 'loginRequired', providerName: FACEBOOK },
      { type: 'requestFailed', error },
    ]);
    const c = h.context();
    expect(c.credentials).toBeUndefined();
    expect(c.recoveries).toEqual([]);
    expect(c.forceTokenRenewal).toBe(false);
    expect(c.wanted).toBe('nothing');
    expect(c.identity).toEqual(authenticated(IDENTITY_A, FACEBOOK, GOOGLE));
  });

  it('renewed and then granted: credentials, the renewal over', async () => {
    const h = await authenticatedFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.tokenExpired() });
    expect(h.context().forceTokenRenewal).toBe(true);
    const logins = { [GOOGLE]: { token: 'renewed' } };
    await h.settle('obtainCredentials', {
      output: credentialsOutput(
        authenticated(IDENTITY_A, GOOGLE),
        credentialsFor(IDENTITY_A, T0 + HOUR),
        logins,
      ),
    });
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
    expect(h.context().forceTokenRenewal).toBe(false);
    expect(h.context().recoveries).toEqual([]);
  });

  it('an identity request of a signed-in user goes on to credentials; a refused token there is renewed in place', async () => {
    const logins = { [GOOGLE]: { token: 'g' } };
    const h = startMachine({ logins });
    await h.restore({});
    await h.send({ type: 'IDENTITY.NEEDED' });
    await h.settle('obtainIdentity', { output: identityOutput(authenticated(IDENTITY_A, GOOGLE), logins) });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
    expect(h.context().wanted).toBe('nothing');
    await h.settle('obtainCredentials', { error: serviceErrors.tokenExpired() });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
    expect(h.inputs.obtainCredentials).toHaveLength(2);
  });

  it('GetCredentialsForIdentity failing otherwise: failed', async () => {
    const h = await authenticatedFetching();
    const error = networkDown();
    await h.settle('obtainCredentials', { error });
    expect(h.value()).toBe('failed');
    expect(h.emitted).toEqual([
      { type: 'error', error },
      { type: 'requestFailed', error },
    ]);
  });

  it('GetId: again with forceTokenRenewal, which the identity’s adoption ends', async () => {
    const logins = { [GOOGLE]: { token: 'g' } };
    const h = startMachine({ logins });
    await h.restore({});
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'identifying' });
    expect(h.children()).toEqual(['obtainIdentity']);
    expect(h.inputs.obtainIdentity).toEqual([{ deps: h.deps, logins, forceTokenRenewal: false }]);
    await h.settle('obtainIdentity', { error: serviceErrors.tokenExpired('GetId') });
    expect(h.value()).toEqual({ authenticated: 'identifying' });
    expect(h.inputs.obtainIdentity[1]).toEqual({ deps: h.deps, logins, forceTokenRenewal: true });
    await h.settle('obtainIdentity', { output: identityOutput(authenticated(IDENTITY_A, GOOGLE), logins) });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
    expect(h.context().forceTokenRenewal).toBe(false);
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: undefined, identityId: IDENTITY_A, reason: 'created' },
    ]);
  });

  it('GetId refused twice: loginRequired', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({});
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainIdentity', { error: serviceErrors.tokenExpired('GetId') });
    await h.settle('obtainIdentity', { error: serviceErrors.tokenExpired('GetId') });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    expect(h.emittedOf('loginRequired')).toEqual([{ type: 'loginRequired', providerName: GOOGLE }]);
  });

  it('a LoginRequiredError from resolving the logins names its providers and is passed on as it is', async () => {
    const h = startMachine({ logins: { [GOOGLE]: {}, [FACEBOOK]: {} } });
    await h.restore({});
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    const error = new LoginRequiredError([FACEBOOK]);
    await h.settle('obtainIdentity', { error });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    expect(h.context().error).toBe(error);
    expect(h.emittedOf('loginRequired')).toEqual([{ type: 'loginRequired', providerName: FACEBOOK }]);
  });

  it('a LoginRequiredError naming nobody: the session’s logins are named', async () => {
    const h = await authenticatedFetching();
    await h.settle('obtainCredentials', { error: new LoginRequiredError([]) });
    expect(h.emittedOf('loginRequired')).toEqual([{ type: 'loginRequired', providerName: GOOGLE }]);
  });

  it('GetId failing otherwise: failed', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({});
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainIdentity', { error: networkDown('GetId') });
    expect(h.value()).toBe('failed');
  });

  it('a background refresh refused: renewed once in place', async () => {
    const logins = { [GOOGLE]: { token: 'g' } };
    const h = startMachine({ logins });
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    await h.advance(h.nextTimerIn()!);
    expect(h.value()).toEqual({ authenticated: 'refreshing' });
    await h.settle('obtainCredentials', { error: serviceErrors.tokenExpired() });
    expect(h.value()).toEqual({ authenticated: 'refreshing' });
    expect((h.inputs.obtainCredentials[1] as { forceTokenRenewal: boolean }).forceTokenRenewal).toBe(true);
    // Down now: the credentials still have life, so they keep being served.
    await h.settle('obtainCredentials', { error: networkDown() });
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
    expect(h.context().refreshFailures).toBe(1);
  });

  it('a background refresh whose credentials are past use fails the session', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    h.clock.jump(HOUR);
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: networkDown() });
    expect(h.value()).toBe('failed');
  });

  it('a background refresh: the identity gone, or a login required, as for a request', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    await h.advance(h.nextTimerIn()!);
    await h.settle('obtainCredentials', { error: new LoginRequiredError([GOOGLE]) });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });

    const k = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await k.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    await k.advance(k.nextTimerIn()!);
    await k.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    expect(k.value()).toEqual({ authenticated: 'identifying' });
  });

  it('a guest refresh: the identity gone, guest access off, or "Logins don’t match", as for a request', async () => {
    for (const [error, value] of [
      [serviceErrors.identityNotFound(IDENTITY_A), 'identifying'],
      [serviceErrors.guestDisabled('GetCredentialsForIdentity'), 'failed'],
      [serviceErrors.loginsDontMatch(), { authenticated: 'loginRequired' }],
    ] as const) {
      const h = await guestWithCredentials();
      await h.advance(h.nextTimerIn()!);
      await h.settle('obtainCredentials', { error });
      expect(h.value()).toEqual(value);
    }
  });
});

describe('"Logins don’t match" without logins: the stored identity is authenticated, a login is required', () => {
  it('a guest request: loginRequired for any provider, the identity now known as authenticated', async () => {
    const h = await guestFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.loginsDontMatch() });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    const error = h.context().error as LoginRequiredError;
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect(error.providerNames).toEqual([]);
    expect(h.emitted).toEqual([
      { type: 'loginRequired', providerName: '*' },
      { type: 'requestFailed', error },
    ]);
    expect(h.context().identity).toEqual({ ...guest(), authenticated: true });
  });

  it('a stored authenticated identity without logins: credentials need a login of its providers, sorted', async () => {
    const h = startMachine();
    await h.restore({ identity: authenticated(IDENTITY_A, FACEBOOK, GOOGLE, 'cognito-idp.example') });
    expect(h.value()).toEqual({ authenticated: 'identified' });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    expect(h.running()).toEqual([]);
    expect((h.context().error as LoginRequiredError).providerNames).toEqual([
      GOOGLE,
      'cognito-idp.example',
      FACEBOOK,
    ]);
    expect(h.emittedOf('loginRequired').map((e) => e.providerName)).toEqual([
      GOOGLE,
      'cognito-idp.example',
      FACEBOOK,
    ]);
  });

  it('an authenticated identity gone at a refresh, its replacement needing a login: loginRequired for any provider', async () => {
    const h = startMachine();
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    await h.advance(h.nextTimerIn()!);
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    expect(h.value()).toEqual({ authenticated: 'identifying' });
    expect(h.context().identity).toBeUndefined();
    await h.settle('obtainIdentity', { error: new LoginRequiredError([]) });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    expect(h.emitted).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: undefined, reason: 'reset' },
      { type: 'loginRequired', providerName: '*' },
      { type: 'requestFailed', error: h.context().error },
    ]);
  });

  it('an identity request of that identity is served without credentials', async () => {
    const h = startMachine();
    await h.restore({ identity: authenticated(IDENTITY_A, GOOGLE) });
    await h.send({ type: 'IDENTITY.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'identified' });
    expect(h.emitted).toEqual([]);
  });
});

describe('loginRequired: signed in without credentials until login() or logout()', () => {
  async function loginRequired(logins: Logins) {
    const h = await authenticatedFetching(logins);
    await h.settle('obtainCredentials', { error: new LoginRequiredError(Object.keys(logins)) });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    return h;
  }

  it('a request is refused at once with the error that required the login', async () => {
    const h = await loginRequired({ [GOOGLE]: {} });
    const error = h.context().error;
    const before = h.emitted.length;
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
    expect(h.emitted.slice(before)).toEqual([{ type: 'requestFailed', error }]);
    expect(h.context().wanted).toBe('nothing');
    expect(h.running()).toEqual([]);
  });

  it('a provider that can renew silently is asked again, the token renewed', async () => {
    const h = await loginRequired({ [FACEBOOK]: { provider: renewable } });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
    expect(h.context().forceTokenRenewal).toBe(true);
    expect(h.context().recoveries).toEqual(['renewLogins']);
    expect(h.context().wanted).toBe('credentials');
  });

  it('one login that can renew silently is enough', async () => {
    const h = await loginRequired({ [GOOGLE]: {}, [FACEBOOK]: { provider: renewable } });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
  });

  it('a provider without getToken cannot', async () => {
    const { getToken: _, ...interactive } = renewable;
    const h = await loginRequired({ [FACEBOOK]: { provider: interactive } });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'loginRequired' });
  });
});

describe('failed: the next request tries again from the start, its budget of recoveries renewed', () => {
  for (const request of ['CREDENTIALS.NEEDED', 'IDENTITY.NEEDED'] as const) {
    it(`${request} after a failure`, async () => {
      const h = await guestFetching();
      await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
      await h.settle('obtainIdentity', { output: identityOutput(guest(IDENTITY_B)) });
      await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_B) });
      expect(h.value()).toBe('failed');
      expect(h.context().recoveries).toEqual(['resetIdentity']);
      await h.send({ type: request });
      const c = h.context();
      expect(c.error).toBeUndefined();
      expect(c.recoveries).toEqual([]);
      expect(c.forceTokenRenewal).toBe(false);
      expect(h.value()).toBe(request === 'CREDENTIALS.NEEDED' ? 'fetching' : 'identified');
    });
  }

  it('a reset is available again after the retry', async () => {
    const h = await guestFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    await h.settle('obtainIdentity', { output: identityOutput(guest(IDENTITY_B)) });
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_B) });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_B) });
    expect(h.value()).toBe('identifying');
  });

  it('IDENTITY.NEEDED after a failed GetId asks again', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send({ type: 'IDENTITY.NEEDED' });
    await h.settle('obtainIdentity', { error: networkDown('GetId') });
    expect(h.value()).toBe('failed');
    await h.send({ type: 'IDENTITY.NEEDED' });
    expect(h.value()).toBe('identifying');
    expect(h.inputs.obtainIdentity).toHaveLength(2);
  });

  it('a non-Error failure is reported as an Error with its text', async () => {
    const h = await guestFetching();
    await h.settle('obtainCredentials', { error: 'socket hang up' });
    expect(h.value()).toBe('failed');
    expect(h.context().error).toBeInstanceOf(Error);
    expect(h.context().error?.message).toBe('socket hang up');
  });

  it('a success after a recovery clears the budget', async () => {
    const h = await guestFetching();
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    await h.settle('obtainIdentity', { output: identityOutput(guest(IDENTITY_B)) });
    await h.settle('obtainCredentials', {
      output: credentialsOutput(guest(IDENTITY_B), credentialsFor(IDENTITY_B, T0 + HOUR)),
    });
    expect(h.context().recoveries).toEqual([]);
  });
});

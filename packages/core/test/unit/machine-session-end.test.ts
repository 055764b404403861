/**
 * Ending and trimming a session, at the machine (design.md §4 rule 6, §7): `logout()` and
 * `clear()` forget everything of the session and tell every waiting login; `clearCredentials()`
 * drops only the credentials (remembering their expiry); an unlinked login is forgotten with its
 * provider. And the authenticated phase's routing: a login not linked yet is linked first.
 */
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B, serviceErrors } from '../support/fixtures.js';
import {
  authenticated,
  guest,
  guestWithCredentials,
  HOUR,
  startMachine,
  T0,
} from '../support/machine-harness.js';

const GOOGLE = 'accounts.google.com';
const FACEBOOK = 'graph.facebook.com';
const login = (ticket: number) =>
  ({ type: 'LOGIN', ticket, providerName: GOOGLE, token: `t${ticket}` }) as const;

describe('logout() and clear() forget the whole session', () => {
  for (const [type, reason, message] of [
    ['LOGOUT', 'logout', 'The session logged out'],
    ['CLEAR', 'reset', 'The session was cleared'],
  ] as const) {
    it(`${type}: the identity is announced gone ("${reason}"), the context emptied, the pause kept`, async () => {
      const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
      await h.restore({
        identity: authenticated(IDENTITY_A, GOOGLE),
        credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
      });
      await h.send({ type: 'PAUSE' });
      await h.send({ type: type });
      expect(h.value()).toBe('unauthenticated');
      expect(h.emitted).toEqual([
        { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: undefined, reason },
      ]);
      expect(h.context()).toEqual({
        deps: h.deps,
        identity: undefined,
        logins: {},
        credentials: undefined,
        error: undefined,
        wanted: 'nothing',
        recoveries: [],
        forceTokenRenewal: false,
        replacedIdentityId: undefined,
        refreshFailures: 0,
        paused: true,
        discardedExpiration: undefined,
        login: undefined,
        nextLogin: undefined,
        resumeIn: 'routing',
      });
      expect(h.clock.pending).toBe(0);
    });

    it(`${type} during a login: its caller and the one queued get AbortError("${message}")`, async () => {
      const h = await guestWithCredentials();
      await h.send(login(1));
      await h.settle('requestLogin', {
        output: {
          ...authenticated(IDENTITY_A, GOOGLE),
          logins: {},
          credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
          reset: false,
        },
      });
      await h.send(login(2));
      await h.send({ type });
      const settled = h.emittedOf('loginSettled');
      expect(settled.map((s) => s.ticket)).toEqual([1, 2]);
      for (const { error } of settled) {
        expect(error).toBeInstanceOf(AbortError);
        expect(error?.message).toBe(message);
      }
      expect(h.value()).toBe('unauthenticated');
      expect(h.aborted).toEqual(['saveLogin']);
    });

    it(`${type} mid-reset: the identity the reset forgot is announced gone, once`, async () => {
      const h = startMachine();
      await h.restore({ identity: guest() });
      await h.send({ type: 'CREDENTIALS.NEEDED' });
      await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
      await h.send({ type });
      expect(h.emitted).toEqual([
        { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: undefined, reason },
      ]);
    });
  }

  it('a login whose caller already gave up is not told again', async () => {
    const h = await guestWithCredentials();
    await h.send(login(1));
    await h.settle('requestLogin', {
      output: {
        ...guest(IDENTITY_B),
        logins: {},
        credentials: credentialsFor(IDENTITY_B, T0 + HOUR),
        reset: false,
      },
    });
    await h.send({ type: 'LOGIN.CANCEL', ticket: 1 });
    await h.send({ type: 'LOGOUT' });
    expect(h.emittedOf('loginSettled')).toHaveLength(1);
  });

  it('without an identity, nothing is announced', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send({ type: 'LOGOUT' });
    expect(h.emitted).toEqual([]);
  });
});

describe('clearCredentials(): only the credentials go, their expiry remembered', () => {
  it('dropped, the next request fetches new ones, told which expiry it dropped', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'CREDENTIALS.CLEAR' });
    expect(h.value()).toBe('identified');
    expect(h.context().credentials).toBeUndefined();
    expect(h.context().identity).toEqual(guest());
    expect(h.context().discardedExpiration).toBe(T0 + HOUR);
    expect(h.clock.pending).toBe(0);
    await h.send({ type: 'CREDENTIALS.CLEAR' });
    expect(h.context().discardedExpiration).toBe(T0 + HOUR);
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect((h.inputs.obtainCredentials[0] as { discardedExpiration: number }).discardedExpiration).toBe(
      T0 + HOUR,
    );
  });

  it('nothing held, nothing dropped: no expiry to remember', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send({ type: 'CREDENTIALS.CLEAR' });
    expect(h.context().discardedExpiration).toBeUndefined();
  });
});

describe('an unlinked login is forgotten with its provider', () => {
  it('LOGIN.REMOVED: the login and the identity’s provider go, the rest stays', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' }, [FACEBOOK]: { token: 'f' } } });
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE, FACEBOOK),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    await h.send({ type: 'LOGIN.REMOVED', providerName: GOOGLE });
    expect(h.context().logins).toEqual({ [FACEBOOK]: { token: 'f' } });
    expect(h.context().identity).toEqual(authenticated(IDENTITY_A, FACEBOOK));
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
  });

  it('without an identity, only the login goes', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.send({ type: 'LOGIN.REMOVED', providerName: GOOGLE });
    expect(h.context().logins).toEqual({});
    expect(h.context().identity).toBeUndefined();
  });
});

describe('the authenticated phase links a login the identity does not have yet before serving', () => {
  it('a guest identity with logins: GetCredentialsForIdentity at once, even with usable credentials', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({ identity: guest(), credentials: credentialsFor(IDENTITY_A, T0 + HOUR) });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
  });

  it('a second provider not linked yet: the same', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' }, [FACEBOOK]: { token: 'f' } } });
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
  });

  it('every login linked: served from the credentials held', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
    expect(h.running()).toEqual([]);
  });

  it('logins without an identity: GetId first', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({});
    expect(h.value()).toEqual({ authenticated: 'identifying' });
  });

  it('logins, all linked, no credentials: identified until credentials are wanted, then fetched', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await h.restore({ identity: authenticated(IDENTITY_A, GOOGLE) });
    expect(h.value()).toEqual({ authenticated: 'identified' });
    await h.send({ type: 'IDENTITY.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'identified' });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toEqual({ authenticated: 'fetching' });
  });
});

/**
 * What another tab obtained (`SYNC`, from `tabs.ts`), at the machine: which SYNC a session takes
 * (`canAdoptSync`) and what taking it changes and announces (`adoptSync`). One `describe` per case
 * of the guard: a user signed in elsewhere, a session without identity, a guest following the
 * origin's newest guest identity, fresher credentials for the same identity.
 */
import { describe, expect, it } from 'vitest';
import { NetworkError } from '../../src/errors.js';
import type { IdentityPoolEvent } from '../../src/machine.js';
import type { Logins } from '../../src/session.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B, serviceErrors } from '../support/fixtures.js';
import {
  authenticated,
  guest,
  guestWithCredentials,
  HOUR,
  MINUTE,
  startMachine,
  T0,
} from '../support/machine-harness.js';

const GOOGLE = 'accounts.google.com';
const FACEBOOK = 'graph.facebook.com';
const provider = { id: 'g', loginsKey: GOOGLE, signIn: async () => ({ token: 'x' }) };

type Sync = Extract<IdentityPoolEvent, { type: 'SYNC' }>;
const sync = (
  identity: Sync['identity'],
  credentials?: Sync['credentials'],
  logins?: Sync['logins'],
): Sync => ({
  type: 'SYNC',
  identity,
  ...(credentials ? { credentials } : {}),
  ...(logins ? { logins } : {}),
});

describe('a user signed in in another tab: every tab serves them', () => {
  const signedIn = authenticated(IDENTITY_B, GOOGLE);
  const theirs = () => credentialsFor(IDENTITY_B, T0 + HOUR, 'theirs');
  const shared = { [GOOGLE]: { token: 'their-token' } };

  it('a guest tab takes their identity, credentials and tokens (its own provider kept): "merged"', async () => {
    const h = await guestWithCredentials({ logins: {} });
    const credentials = theirs();
    await h.send(sync(signedIn, credentials, shared));
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
    const c = h.context();
    expect(c.identity).toEqual(signedIn);
    expect(c.credentials).toBe(credentials);
    expect(c.logins).toEqual({ [GOOGLE]: { token: 'their-token', provider: undefined } });
    expect(c.wanted).toBe('nothing');
    expect(h.emitted).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'merged' },
      { type: 'credentials', credentials },
    ]);
  });

  it('a tab of another signed-in user: "reset"; a tab without identity: "created"', async () => {
    const h = startMachine({ logins: { [FACEBOOK]: { token: 'f' } } });
    await h.restore({
      identity: authenticated(IDENTITY_A, FACEBOOK),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    await h.send(sync(signedIn, theirs(), shared));
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'reset' },
    ]);
    // Another identity's logins are not kept.
    expect(Object.keys(h.context().logins)).toEqual([GOOGLE]);

    const k = startMachine();
    await k.restore({});
    await k.send(sync(signedIn, theirs(), shared));
    expect(k.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: undefined, identityId: IDENTITY_B, reason: 'created' },
    ]);
  });

  it('the same identity, linked there: "linked", this tab’s logins and providers kept beside theirs', async () => {
    const own: Logins = { [GOOGLE]: { token: 'mine', provider }, [FACEBOOK]: { token: 'f' } };
    const h = startMachine({ logins: own });
    await h.restore({
      identity: { ...authenticated(IDENTITY_B, GOOGLE, FACEBOOK), authenticated: true },
      credentials: credentialsFor(IDENTITY_B, T0 + HOUR),
    });
    const linked = authenticated(IDENTITY_B, FACEBOOK, GOOGLE, 'cognito-idp.example');
    await h.send(sync(linked, theirs(), shared));
    expect(h.context().logins).toEqual({
      [GOOGLE]: { token: 'their-token', provider },
      [FACEBOOK]: { token: 'f' },
    });
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_B, identityId: IDENTITY_B, reason: 'linked' },
    ]);
  });

  it('the identity a reset forgot is named as the previous one', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send({ type: 'IDENTITY.NEEDED' });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    expect(h.value()).toBe('identifying');
    await h.send(sync(signedIn, theirs(), shared));
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'created' },
    ]);
    expect(h.context().replacedIdentityId).toBeUndefined();
  });

  it('failure bookkeeping is cleared: their credentials are good', async () => {
    const h = await guestWithCredentials({}, 2 * MINUTE);
    await h.advance(h.nextTimerIn()!);
    await h.settle('obtainCredentials', { error: new NetworkError('GetCredentialsForIdentity', 'x') });
    expect(h.context().refreshFailures).toBe(1);
    await h.send({ type: 'CREDENTIALS.NEEDED', forceRefresh: true });
    await h.settle('obtainCredentials', { error: serviceErrors.tokenExpired() });
    await h.send(sync(signedIn, theirs(), shared));
    const c = h.context();
    expect(c.refreshFailures).toBe(0);
    expect(c.error).toBeUndefined();
    expect(c.recoveries).toEqual([]);
    expect(c.forceTokenRenewal).toBe(false);
  });

  it('not taken: while this tab’s own login is being linked, for a guest identity, or with spent credentials', async () => {
    const pending = startMachine({ logins: { [FACEBOOK]: { token: 'f' } } });
    await pending.restore({ identity: guest() });
    await pending.send(sync(signedIn, theirs(), shared));
    expect(pending.context().identity).toEqual(guest());

    for (const event of [
      sync(guest(IDENTITY_B), theirs(), shared),
      sync(signedIn, credentialsFor(IDENTITY_B, T0 + MINUTE), shared),
    ]) {
      const h = await guestWithCredentials({}, HOUR);
      await h.send(event);
      expect(h.context().identity).toEqual(guest());
      expect(h.emitted).toEqual([]);
    }
  });
});

describe('a session without identity takes the origin’s guest identity', () => {
  it('an identity alone: identified, "created"; a caller wanting only an identity is served', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send({ type: 'IDENTITY.NEEDED' });
    await h.send(sync(guest()));
    expect(h.aborted).toEqual(['obtainIdentity']);
    expect(h.value()).toBe('identified');
    expect(h.context().identity).toEqual(guest());
    expect(h.context().wanted).toBe('nothing');
    expect(h.emitted).toEqual([
      { type: 'identityChanged', previousIdentityId: undefined, identityId: IDENTITY_A, reason: 'created' },
    ]);
  });

  it('a caller wanting credentials still wants them: GetCredentialsForIdentity for that identity', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.send(sync(guest()));
    expect(h.value()).toBe('fetching');
    expect(h.context().wanted).toBe('credentials');
  });

  it('with credentials for it: credentialed, both announced', async () => {
    const h = startMachine();
    await h.restore({});
    const credentials = credentialsFor(IDENTITY_A, T0 + HOUR);
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.send(sync(guest(), credentials));
    expect(h.value()).toBe('credentialed');
    expect(h.context().wanted).toBe('nothing');
    expect(h.emitted).toEqual([
      { type: 'identityChanged', previousIdentityId: undefined, identityId: IDENTITY_A, reason: 'created' },
      { type: 'credentials', credentials },
    ]);
  });

  it('credentials of another identity are not taken with it', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send(sync(guest(), credentialsFor(IDENTITY_B, T0 + HOUR)));
    expect(h.context().identity).toEqual(guest());
    expect(h.context().credentials).toBeUndefined();
    expect(h.emittedOf('credentials')).toEqual([]);
  });

  it('not taken: with logins of its own, an authenticated identity, or the identity a reset just forgot', async () => {
    const withLogins = startMachine({ logins: { [GOOGLE]: {} } });
    await withLogins.restore({});
    await withLogins.send(sync(guest()));
    expect(withLogins.context().identity).toBeUndefined();

    const h = startMachine();
    await h.restore({});
    await h.send(sync(authenticated(IDENTITY_A, GOOGLE)));
    expect(h.context().identity).toBeUndefined();

    const reset = startMachine();
    await reset.restore({ identity: guest() });
    await reset.send({ type: 'CREDENTIALS.NEEDED' });
    await reset.settle('obtainCredentials', { error: serviceErrors.identityNotFound(IDENTITY_A) });
    await reset.send(sync(guest(IDENTITY_A)));
    expect(reset.context().identity).toBeUndefined();
    expect(reset.value()).toBe('identifying');
    await reset.send(sync(guest(IDENTITY_B)));
    expect(reset.context().identity).toEqual(guest(IDENTITY_B));
    expect(reset.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'reset' },
    ]);
  });
});

describe('a guest session follows the origin’s newest guest identity', () => {
  it('another guest identity replaces its own, and the credentials of the old one are dropped', async () => {
    const h = await guestWithCredentials();
    await h.send(sync(guest(IDENTITY_B)));
    expect(h.context().identity).toEqual(guest(IDENTITY_B));
    expect(h.context().credentials).toBeUndefined();
    expect(h.value()).toBe('identified');
    expect(h.emitted).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'reset' },
    ]);
  });

  it('with its credentials: credentialed for the new identity', async () => {
    const h = await guestWithCredentials();
    const credentials = credentialsFor(IDENTITY_B, T0 + HOUR);
    await h.send(sync(guest(IDENTITY_B), credentials));
    expect(h.context().credentials).toBe(credentials);
    expect(h.value()).toBe('credentialed');
  });

  it('not followed: by a session with logins, or to an authenticated identity without them', async () => {
    const h = await guestWithCredentials();
    await h.send(sync(authenticated(IDENTITY_B, GOOGLE)));
    expect(h.context().identity).toEqual(guest());

    const k = startMachine();
    await k.restore({ identity: authenticated(IDENTITY_A, GOOGLE) });
    await k.send(sync(guest(IDENTITY_B)));
    expect(k.context().identity).toEqual(authenticated(IDENTITY_A, GOOGLE));

    const withLogins = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await withLogins.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    await withLogins.send(sync(guest(IDENTITY_B)));
    expect(withLogins.context().identity).toEqual(authenticated(IDENTITY_A, GOOGLE));
  });
});

describe('fresher credentials for the same identity, in the same standing', () => {
  it('newer ones are taken, the identity kept as it is, only the credentials announced', async () => {
    const h = startMachine({ logins: { [GOOGLE]: { token: 'g' }, [FACEBOOK]: { token: 'f' } } });
    const identity = authenticated(IDENTITY_A, GOOGLE, FACEBOOK);
    await h.restore({ identity, credentials: credentialsFor(IDENTITY_A, T0 + HOUR) });
    const newer = credentialsFor(IDENTITY_A, T0 + HOUR + 1000, 'newer');
    await h.send(sync(authenticated(IDENTITY_A, FACEBOOK, GOOGLE), newer));
    expect(h.context().credentials).toBe(newer);
    expect(h.context().identity?.providers).toEqual([GOOGLE, FACEBOOK]);
    expect(h.emitted).toEqual([{ type: 'credentials', credentials: newer }]);
  });

  it('the same signed-in user with fresher credentials: only the credentials are announced', async () => {
    const logins = { [GOOGLE]: { token: 'mine', provider } };
    const h = startMachine({ logins });
    await h.restore({
      identity: authenticated(IDENTITY_A, GOOGLE),
      credentials: credentialsFor(IDENTITY_A, T0 + HOUR),
    });
    const newer = credentialsFor(IDENTITY_A, T0 + HOUR + 1000, 'newer');
    await h.send(sync(authenticated(IDENTITY_A, GOOGLE), newer, { [GOOGLE]: { token: 'theirs' } }));
    expect(h.context().credentials).toBe(newer);
    expect(h.context().logins).toEqual({ [GOOGLE]: { token: 'theirs', provider } });
    expect(h.emitted).toEqual([{ type: 'credentials', credentials: newer }]);
  });

  it('taking them ends a renewal or a reset under way: their credentials are good', async () => {
    const logins = { [GOOGLE]: { token: 'g' } };
    const h = startMachine({ logins });
    await h.restore({ identity: authenticated(IDENTITY_A, GOOGLE) });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: serviceErrors.tokenExpired() });
    expect(h.context().forceTokenRenewal).toBe(true);
    expect(h.context().recoveries).toEqual(['renewLogins']);
    await h.send(sync(authenticated(IDENTITY_A, GOOGLE), credentialsFor(IDENTITY_A, T0 + HOUR)));
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
    expect(h.context().forceTokenRenewal).toBe(false);
    expect(h.context().recoveries).toEqual([]);
    expect(h.context().refreshFailures).toBe(0);
  });

  it('as old but other keys: taken; older, or the same keys: not', async () => {
    const cases = [
      [credentialsFor(IDENTITY_A, T0 + HOUR, 'other'), true],
      [credentialsFor(IDENTITY_A, T0 + HOUR - 1000, 'older'), false],
      [credentialsFor(IDENTITY_A, T0 + 2 * HOUR), false], // the same access key id as the held ones
    ] as const;
    for (const [credentials, taken] of cases) {
      const h = await guestWithCredentials();
      await h.send(sync(guest(), credentials));
      expect(h.context().credentials === credentials).toBe(taken);
    }
  });

  it('without credentials held: newer than those clearCredentials() dropped, not as old', async () => {
    const h = await guestWithCredentials();
    await h.send({ type: 'CREDENTIALS.CLEAR' });
    expect(h.value()).toBe('identified');
    await h.send(sync(guest(), credentialsFor(IDENTITY_A, T0 + HOUR, 'same-expiry')));
    expect(h.context().credentials).toBeUndefined();
    const newer = credentialsFor(IDENTITY_A, T0 + HOUR + 1000, 'newer');
    await h.send(sync(guest(), newer));
    expect(h.context().credentials).toBe(newer);
    expect(h.value()).toBe('credentialed');
  });

  it('none held, none dropped: any with life are taken; spent ones are not', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send(sync(guest(), credentialsFor(IDENTITY_A, T0 + MINUTE)));
    expect(h.context().credentials).toBeUndefined();
    const good = credentialsFor(IDENTITY_A, T0 + MINUTE + 1);
    await h.send(sync(guest(), good));
    expect(h.context().credentials).toBe(good);
  });

  it('not taken: the identity alone, another standing, or while this tab’s own login is linked', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send(sync(guest()));
    await h.send(sync({ ...guest(), authenticated: true }, credentialsFor(IDENTITY_A, T0 + HOUR)));
    expect(h.context().credentials).toBeUndefined();
    expect(h.emitted).toEqual([]);

    const linking = startMachine({ logins: { [GOOGLE]: { token: 'g' } } });
    await linking.restore({ identity: authenticated(IDENTITY_A, FACEBOOK) });
    expect(linking.value()).toEqual({ authenticated: 'fetching' });
    await linking.send(sync(authenticated(IDENTITY_A, FACEBOOK), credentialsFor(IDENTITY_A, T0 + HOUR)));
    expect(linking.value()).toEqual({ authenticated: 'fetching' });
    expect(linking.aborted).toEqual([]);
  });

  it('a failed session with fresh credentials from another tab serves them', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    await h.settle('obtainCredentials', { error: new NetworkError('GetCredentialsForIdentity', 'x') });
    await h.send(sync(guest(), credentialsFor(IDENTITY_A, T0 + HOUR)));
    expect(h.value()).toBe('credentialed');
    expect(h.context().error).toBeUndefined();
  });
});

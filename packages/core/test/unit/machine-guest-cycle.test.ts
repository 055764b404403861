/**
 * The machine's guest cycle, one rule per `describe` (design.md §4 rules 1–3): restoring picks the
 * phase from what storage held; a request makes at most one GetId and one
 * GetCredentialsForIdentity; what each answer brings is adopted and announced. Fast unit tests of
 * a real actor whose network actors the test settles (mutation testing of machine.ts: issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import { LoginRequiredError } from '../../src/errors.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B } from '../support/fixtures.js';
import {
  authenticated,
  credentialsOutput,
  guest,
  HOUR,
  identityOutput,
  MINUTE,
  startMachine,
  T0,
} from '../support/machine-harness.js';

describe('restoring picks the phase from what storage held', () => {
  it('nothing stored: unauthenticated, and nothing is requested until a caller asks', async () => {
    const h = startMachine();
    expect(h.value()).toBe('restoring');
    expect(h.children()).toEqual(['restoreSession']);
    expect(h.inputs.restoreSession).toEqual([{ deps: h.deps }]);
    await h.restore({});
    expect(h.value()).toBe('unauthenticated');
    expect(h.running()).toEqual([]);
    expect(h.context().identity).toBeUndefined();
  });

  it('a guest identity without credentials: identified', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    expect(h.value()).toBe('identified');
    expect(h.context().identity).toEqual(guest());
    expect(h.running()).toEqual([]);
  });

  it('a guest identity with credentials of more than a minute: credentialed, served without a request', async () => {
    const h = startMachine();
    const credentials = credentialsFor(IDENTITY_A, T0 + MINUTE + 1);
    await h.restore({ identity: guest(), credentials });
    expect(h.value()).toBe('credentialed');
    expect(h.context().credentials).toBe(credentials);
  });

  it('credentials with a minute or less of life are not usable: identified', async () => {
    const h = startMachine();
    await h.restore({ identity: guest(), credentials: credentialsFor(IDENTITY_A, T0 + MINUTE) });
    expect(h.value()).toBe('identified');
  });

  it('an authenticated identity goes to the authenticated phase, before its credentials are looked at', async () => {
    const h = startMachine();
    const credentials = credentialsFor(IDENTITY_A, T0 + HOUR);
    await h.restore({ identity: authenticated(IDENTITY_A, 'accounts.google.com'), credentials });
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
  });

  it('an authenticated identity without credentials: authenticated.identified', async () => {
    const h = startMachine();
    await h.restore({ identity: authenticated(IDENTITY_A, 'accounts.google.com') });
    expect(h.value()).toEqual({ authenticated: 'identified' });
  });

  it('the logins of a user another tab signed in are taken; otherwise the session keeps its own', async () => {
    const shared = { 'accounts.google.com': { token: 'shared-token' } };
    const h = startMachine({ logins: { 'graph.facebook.com': { token: 'own' } } });
    await h.restore({ identity: authenticated(IDENTITY_A, 'accounts.google.com'), logins: shared });
    expect(h.context().logins).toEqual(shared);

    const own = { 'graph.facebook.com': { token: 'own' } };
    const k = startMachine({ logins: own });
    await k.restore({});
    expect(k.context().logins).toEqual(own);
  });

  it('a restore that fails anyway starts empty', async () => {
    const h = startMachine();
    await h.settle('restoreSession', { error: new Error('storage exploded') });
    expect(h.value()).toBe('unauthenticated');
    expect(h.context().identity).toBeUndefined();
  });

  it('CREDENTIALS.CLEAR while restoring does not stop the restore', async () => {
    const h = startMachine();
    await h.send({ type: 'CREDENTIALS.CLEAR' });
    expect(h.value()).toBe('restoring');
    expect(h.aborted).toEqual([]);
    await h.restore({ identity: guest(), credentials: credentialsFor(IDENTITY_A, T0 + HOUR) });
    expect(h.value()).toBe('credentialed');
  });

  it('a request while restoring is served once restored', async () => {
    const h = startMachine();
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toBe('restoring');
    expect(h.context().wanted).toBe('credentials');
    await h.restore({ identity: guest() });
    expect(h.value()).toBe('fetching');
  });
});

describe('what callers want: a credentials request is never downgraded to an identity request', () => {
  it('IDENTITY.NEEDED wants an identity; CREDENTIALS.NEEDED credentials; an identity request after a credentials one still wants credentials', async () => {
    const h = startMachine();
    await h.send({ type: 'IDENTITY.NEEDED' });
    expect(h.context().wanted).toBe('identity');
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.context().wanted).toBe('credentials');
    await h.send({ type: 'IDENTITY.NEEDED' });
    expect(h.context().wanted).toBe('credentials');
  });
});

describe('rule 2: concurrent requests make at most one GetId and one GetCredentialsForIdentity', () => {
  it('a guest request: GetId without logins, then GetCredentialsForIdentity for the identity it gave', async () => {
    const h = startMachine();
    await h.restore({});
    for (let i = 0; i < 5; i++) await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toBe('identifying');
    expect(h.children()).toEqual(['obtainIdentity']);
    expect(h.inputs.obtainIdentity).toEqual([
      { deps: h.deps, logins: {}, forceTokenRenewal: false, avoidIdentityId: undefined },
    ]);
    await h.settle('obtainIdentity', { output: identityOutput(guest()) });
    expect(h.value()).toBe('fetching');
    expect(h.children()).toEqual(['obtainCredentials']);
    for (let i = 0; i < 5; i++) await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.inputs.obtainCredentials).toEqual([
      {
        deps: h.deps,
        identity: guest(),
        logins: {},
        forceTokenRenewal: false,
        current: undefined,
        discardedExpiration: undefined,
      },
    ]);
    const credentials = credentialsFor(IDENTITY_A, T0 + HOUR);
    await h.settle('obtainCredentials', { output: credentialsOutput(guest(), credentials) });
    expect(h.value()).toBe('credentialed');
    expect(h.inputs.obtainIdentity).toHaveLength(1);
    expect(h.inputs.obtainCredentials).toHaveLength(1);
  });

  it('an identity request stops at the identity: no GetCredentialsForIdentity', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send({ type: 'IDENTITY.NEEDED' });
    await h.settle('obtainIdentity', { output: identityOutput(guest()) });
    expect(h.value()).toBe('identified');
    expect(h.context().wanted).toBe('nothing');
    expect(h.running()).toEqual([]);
  });

  it('nothing wanted: unauthenticated and identified stay where they are', async () => {
    const h = startMachine();
    await h.restore({ identity: guest() });
    await h.send({ type: 'PAUSE' });
    expect(h.value()).toBe('identified');
    expect(h.running()).toEqual([]);
  });
});

describe('adopting GetId: the identity, its logins, and an identityChanged "created"', () => {
  it('a first identity is announced as created, with what the request used', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send({ type: 'IDENTITY.NEEDED' });
    const logins = { 'accounts.google.com': { token: 'used' } };
    await h.settle('obtainIdentity', { output: identityOutput(guest(), logins) });
    expect(h.context().identity).toEqual(guest());
    expect(h.context().logins).toEqual(logins);
    expect(h.context().forceTokenRenewal).toBe(false);
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: undefined, identityId: IDENTITY_A, reason: 'created' },
    ]);
  });

  it('the stored identity is only what is stored: the result’s logins are not part of it', async () => {
    const h = startMachine();
    await h.restore({});
    await h.send({ type: 'IDENTITY.NEEDED' });
    await h.settle('obtainIdentity', { output: { ...identityOutput(guest()), extra: 'not stored' } });
    expect(Object.keys(h.context().identity ?? {}).sort()).toEqual([
      'authenticated',
      'identityId',
      'providers',
    ]);
  });
});

describe('adopting GetCredentialsForIdentity: credentials handed out, the request ends, a merge or link announced', () => {
  async function fetchingFor(identity = guest(), logins = {}) {
    const h = startMachine({ logins });
    await h.restore({ identity });
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    return h;
  }

  it('credentials: stored in the context, emitted, every failure bookkeeping reset', async () => {
    const h = await fetchingFor();
    const credentials = credentialsFor(IDENTITY_A, T0 + HOUR);
    await h.settle('obtainCredentials', { output: credentialsOutput(guest(), credentials) });
    const c = h.context();
    expect(c.credentials).toBe(credentials);
    expect(c.wanted).toBe('nothing');
    expect(c.error).toBeUndefined();
    expect(c.recoveries).toEqual([]);
    expect(c.refreshFailures).toBe(0);
    expect(h.emittedOf('credentials')).toEqual([{ type: 'credentials', credentials }]);
    expect(h.emittedOf('identityChanged')).toEqual([]);
  });

  it('an answer for another identity (merged into the login’s owner) is adopted and announced as merged', async () => {
    const logins = { 'accounts.google.com': { token: 't' } };
    const h = await fetchingFor(guest(), logins);
    expect(h.value()).toEqual({ authenticated: 'fetching' });
    const merged = authenticated(IDENTITY_B, 'accounts.google.com');
    const credentials = credentialsFor(IDENTITY_B, T0 + HOUR);
    await h.settle('obtainCredentials', { output: credentialsOutput(merged, credentials, logins) });
    expect(h.context().identity).toEqual(merged);
    expect(h.context().logins).toEqual(logins);
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_B, reason: 'merged' },
    ]);
    expect(h.value()).toEqual({ authenticated: 'credentialed' });
  });

  it('the same identity, now authenticated: announced as linked', async () => {
    const logins = { 'accounts.google.com': { token: 't' } };
    const h = await fetchingFor(guest(), logins);
    const linked = authenticated(IDENTITY_A, 'accounts.google.com');
    const credentials = credentialsFor(IDENTITY_A, T0 + HOUR);
    await h.settle('obtainCredentials', { output: credentialsOutput(linked, credentials, logins) });
    expect(h.emittedOf('identityChanged')).toEqual([
      { type: 'identityChanged', previousIdentityId: IDENTITY_A, identityId: IDENTITY_A, reason: 'linked' },
    ]);
  });

  it('an authenticated identity refreshed: no identityChanged', async () => {
    const logins = { 'accounts.google.com': { token: 't' } };
    const identity = authenticated(IDENTITY_A, 'accounts.google.com');
    const h = await fetchingFor(identity, logins);
    await h.settle('obtainCredentials', {
      output: credentialsOutput(identity, credentialsFor(IDENTITY_A, T0 + HOUR), logins),
    });
    expect(h.emittedOf('identityChanged')).toEqual([]);
  });

  it('a guest answer for a guest identity: no identityChanged', async () => {
    const h = await fetchingFor();
    await h.settle('obtainCredentials', {
      output: credentialsOutput(guest(), credentialsFor(IDENTITY_A, T0 + HOUR)),
    });
    expect(h.emittedOf('identityChanged')).toEqual([]);
  });
});

describe('allowGuest: false — no login, nothing is sent', () => {
  it('a request fails at once with LoginRequiredError, without an error event', async () => {
    const h = startMachine({ allowGuest: false });
    await h.restore({});
    await h.send({ type: 'CREDENTIALS.NEEDED' });
    expect(h.value()).toBe('failed');
    expect(h.running()).toEqual([]);
    const [failed] = h.emittedOf('requestFailed');
    expect(failed?.error).toBeInstanceOf(LoginRequiredError);
    expect(failed?.error.message).toBe('Guest access is off (allowGuest: false): call login() first');
    expect((failed!.error as LoginRequiredError).providerNames).toEqual([]);
    expect(h.emittedOf('error')).toEqual([]);
    expect(h.context().error).toBe(failed?.error);
    expect(h.context().wanted).toBe('nothing');
  });

  it('nothing wanted: nothing fails', async () => {
    const h = startMachine({ allowGuest: false });
    await h.restore({});
    expect(h.value()).toBe('unauthenticated');
    expect(h.emitted).toEqual([]);
  });
});

/**
 * `restoreSession` (session.ts): what a session starting up takes from storage and from the other
 * tabs, and when it starts empty instead. Single-tab, the sign-out record decides (an identity
 * written back under an older record is signed out); coordinating, the tabs' newest record does
 * (a later state, a sign-out heard while reading), and a session without logins of its own serves
 * the user another tab signed in. Mutation testing of session.ts (issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import { loadStampedIdentity, restoreSession } from '../../src/session.js';
import { UNREAD_RECORD } from '../../src/storage/sign-out-record.js';
import { MAX_SEQ_AHEAD_MS } from '../../src/tabs.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B } from '../support/fixtures.js';
import { FACEBOOK, guest, HOUR, linked, NOW, scriptedTabs, sessionDeps } from '../support/session-deps.js';

const RECORD = 'record-0001';
const LATER_RECORD = 'record-0002';

describe('single-tab: the stored identity is restored, with its credentials when they are persisted', () => {
  it('nothing stored: an empty session', async () => {
    const { deps } = sessionDeps();
    expect(await restoreSession(deps)).toEqual({});
  });

  it('an identity: restored, no credentials read without persistCredentials', async () => {
    const { deps, store } = sessionDeps();
    await store.saveIdentity(guest(IDENTITY_A));
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR));
    expect(await restoreSession(deps)).toEqual({ identity: guest(IDENTITY_A), credentials: undefined });
  });

  it('persistCredentials: the identity’s credentials too', async () => {
    const { deps, store } = sessionDeps({ persistCredentials: true });
    const credentials = credentialsFor(IDENTITY_A, NOW + HOUR);
    await store.saveIdentity(guest(IDENTITY_A));
    await store.saveCredentials(credentials);
    const restored = await restoreSession(deps);
    expect(restored.identity).toEqual(guest(IDENTITY_A));
    expect(restored.credentials).toEqual(credentials);
  });
});

describe('single-tab: an identity stored under an older sign-out record than storage holds is signed out', () => {
  it('stored under the record storage holds: restored, the record kept as seen', async () => {
    const { deps, store, signOutElsewhere, signOuts } = sessionDeps();
    await signOutElsewhere(RECORD);
    await store.saveIdentity(guest(IDENTITY_A), undefined, undefined, RECORD);
    expect((await restoreSession(deps)).identity).toEqual(guest(IDENTITY_A));
    expect(signOuts.seen).toBe(RECORD);
  });

  it.each([
    ['an older record', RECORD],
    ['no record (written before any sign-out)', undefined],
  ])('stored under %s: an empty session', async (_, under) => {
    const { deps, store, signOutElsewhere } = sessionDeps();
    await store.saveIdentity(guest(IDENTITY_A), undefined, undefined, under);
    await signOutElsewhere(LATER_RECORD);
    expect(await restoreSession(deps)).toEqual({});
  });

  it('no record in storage: restored whatever it was stored under, nothing adopted', async () => {
    const { deps, store, signOuts } = sessionDeps();
    await store.saveIdentity(guest(IDENTITY_A), undefined, undefined, RECORD);
    expect((await restoreSession(deps)).identity).toEqual(guest(IDENTITY_A));
    expect(signOuts.seen).toBeNull();
  });

  it('the record unreadable: restored under the record it names, which becomes the one seen', async () => {
    const { deps, store, signOuts, unreadable } = sessionDeps();
    await store.saveIdentity(guest(IDENTITY_A), undefined, undefined, RECORD);
    unreadable.add(store.keys.signedOut);
    expect((await restoreSession(deps)).identity).toEqual(guest(IDENTITY_A));
    expect(signOuts.seen).toBe(RECORD);
  });

  it('the record unreadable and the identity names none: still not known', async () => {
    const { deps, store, signOuts, unreadable } = sessionDeps();
    await store.saveIdentity(guest(IDENTITY_A));
    unreadable.add(store.keys.signedOut);
    expect((await restoreSession(deps)).identity).toEqual(guest(IDENTITY_A));
    expect(signOuts.seen).toBe(UNREAD_RECORD);
  });

  it('coordinating tabs ignore the record (sign-outs travel through the lock manager)', async () => {
    const tabs = scriptedTabs({});
    const { deps, store, signOutElsewhere } = sessionDeps({}, { tabs });
    await store.saveIdentity(guest(IDENTITY_A), undefined, undefined, RECORD);
    await signOutElsewhere(LATER_RECORD);
    expect((await restoreSession(deps)).identity).toEqual(guest(IDENTITY_A));
  });
});

describe('a stored stamp no tab could have made is dropped, the identity kept', () => {
  it('a sequence number a day and more ahead', async () => {
    const { store } = sessionDeps();
    await store.saveIdentity(
      guest(IDENTITY_A),
      { seq: Date.now() + MAX_SEQ_AHEAD_MS + HOUR, signedOutAt: 0 },
      undefined,
      RECORD,
    );
    expect(await loadStampedIdentity(store)).toEqual({ identity: guest(IDENTITY_A), signOutId: RECORD });
  });

  it('a plausible stamp is kept', async () => {
    const { store } = sessionDeps();
    await store.saveIdentity(guest(IDENTITY_A), { seq: 5, signedOutAt: 3 });
    expect(await loadStampedIdentity(store)).toEqual({
      identity: guest(IDENTITY_A),
      stamp: { seq: 5, signedOutAt: 3 },
      signOutId: undefined,
    });
  });
});

describe('coordinating: the stored identity is not restored when the tabs’ newest record is a later state', () => {
  const restoring = async (
    latest: Parameters<typeof scriptedTabs>[0]['latest'],
    stamp?: { seq: number; signedOutAt: number },
  ) => {
    const tabs = scriptedTabs({ latest });
    const { deps, store } = sessionDeps({}, { tabs });
    await store.saveIdentity(guest(IDENTITY_A), stamp);
    return restoreSession(deps);
  };

  it('no record: restored', async () => {
    expect((await restoring(undefined)).identity).toEqual(guest(IDENTITY_A));
  });

  it('a record of the same identity: restored', async () => {
    expect((await restoring({ seq: 10, signedOutAt: 0, identity: guest(IDENTITY_A) })).identity).toEqual(
      guest(IDENTITY_A),
    );
  });

  it.each([
    ['another identity', guest(IDENTITY_B)],
    ['a sign-out', undefined],
  ])('a record of %s, storage not newer: empty', async (_, identity) => {
    expect(await restoring({ seq: 10, signedOutAt: 0, identity }, { seq: 10, signedOutAt: 0 })).toEqual({});
  });

  it('a record of another identity, storage written later: restored', async () => {
    const restored = await restoring(
      { seq: 10, signedOutAt: 0, identity: guest(IDENTITY_B) },
      { seq: 11, signedOutAt: 0 },
    );
    expect(restored.identity).toEqual(guest(IDENTITY_A));
  });

  it('a record of another identity, storage unstamped: empty', async () => {
    expect(await restoring({ seq: 10, signedOutAt: 0, identity: guest(IDENTITY_B) })).toEqual({});
  });
});

describe('coordinating: a sign-out heard while storage was read ends what was read', () => {
  it('heard while the record was read: empty', async () => {
    const tabs = scriptedTabs({ latest: { seq: 10, signedOutAt: 0, identity: guest(IDENTITY_A) } });
    const { deps, store } = sessionDeps({}, { tabs });
    await store.saveIdentity(guest(IDENTITY_A));
    tabs.peek = async () => {
      tabs.signedOutAt = 20;
      return tabs.latest;
    };
    expect(await restoreSession(deps)).toEqual({});
  });

  it('heard while the record was read: not even the credentials are read', async () => {
    const tabs = scriptedTabs({});
    const { deps, store } = sessionDeps({ persistCredentials: true }, { tabs });
    await store.saveIdentity(guest(IDENTITY_A));
    let reads = 0;
    store.loadCredentials = async () => {
      reads++;
      return undefined;
    };
    tabs.peek = async () => {
      tabs.signedOutAt = 20;
      return undefined;
    };
    expect(await restoreSession(deps)).toEqual({});
    expect(reads).toBe(0);
  });

  it('heard while the credentials were read: empty', async () => {
    const tabs = scriptedTabs({});
    const { deps, store } = sessionDeps({ persistCredentials: true }, { tabs });
    await store.saveIdentity(guest(IDENTITY_A));
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR));
    const load = store.loadCredentials.bind(store);
    store.loadCredentials = async (identityId) => {
      tabs.signedOutAt = 20;
      return load(identityId);
    };
    expect(await restoreSession(deps)).toEqual({});
  });

  it('sign-outs heard before (by this tab, or in the record) do not end it', async () => {
    const tabs = scriptedTabs({
      signedOutAt: 7,
      latest: { seq: 10, signedOutAt: 4, identity: guest(IDENTITY_A) },
    });
    const { deps, store } = sessionDeps({}, { tabs });
    await store.saveIdentity(guest(IDENTITY_A));
    expect((await restoreSession(deps)).identity).toEqual(guest(IDENTITY_A));
  });

  it('a sign-out the record holds, delivered to this tab while it read: not news, restored', async () => {
    const tabs = scriptedTabs({ latest: { seq: 10, signedOutAt: 9, identity: guest(IDENTITY_A) } });
    const { deps, store } = sessionDeps({}, { tabs });
    await store.saveIdentity(guest(IDENTITY_A), { seq: 10, signedOutAt: 9 });
    tabs.peek = async () => {
      tabs.signedOutAt = 9;
      return tabs.latest;
    };
    expect((await restoreSession(deps)).identity).toEqual(guest(IDENTITY_A));
  });
});

describe('coordinating, no logins of its own: the user another tab signed in is served', () => {
  const user = linked(IDENTITY_B, FACEBOOK);
  const signedIn = { seq: 10, signedOutAt: 0, identity: user, expiration: NOW + HOUR };
  const lent = { [FACEBOOK]: { token: 'lent-token', expiresAt: NOW + HOUR, identityId: undefined } };

  it('their identity, the credentials broadcast with it, their login tokens (no provider here)', async () => {
    const credentials = credentialsFor(IDENTITY_B, NOW + HOUR);
    const tabs = scriptedTabs({ latest: signedIn, shared: { credentials, logins: lent } });
    const { deps, store } = sessionDeps({}, { tabs });
    await store.saveIdentity(guest(IDENTITY_A));
    expect(await restoreSession(deps)).toEqual({
      identity: user,
      credentials,
      logins: { [FACEBOOK]: { ...lent[FACEBOOK], provider: undefined } },
    });
    expect(tabs.log.credentialsOf).toEqual([{ record: signedIn, timeoutMs: 1_000 }]);
  });

  it.each([
    ['the record is a guest’s', { ...signedIn, identity: guest(IDENTITY_B) }, {}, true],
    ['the record has no credentials', { ...signedIn, expiration: undefined }, {}, true],
    ['the session has logins of its own', signedIn, { logins: { [FACEBOOK]: 'own-token' } }, true],
    ['the credentials came without login tokens', signedIn, {}, false],
  ])('not when %s', async (_, latest, options, withLogins) => {
    const credentials = credentialsFor(IDENTITY_B, NOW + HOUR);
    const tabs = scriptedTabs({ latest, shared: { credentials, logins: withLogins ? lent : undefined } });
    const { deps } = sessionDeps(options, { tabs });
    expect(await restoreSession(deps)).toEqual({});
  });

  it('their credentials do not come: the stored identity, no error', async () => {
    const tabs = scriptedTabs({ latest: { ...signedIn, identity: linked(IDENTITY_A, FACEBOOK) } });
    const { deps, store } = sessionDeps({}, { tabs });
    await store.saveIdentity(linked(IDENTITY_A, FACEBOOK));
    expect(await restoreSession(deps)).toEqual({
      identity: linked(IDENTITY_A, FACEBOOK),
      credentials: undefined,
    });
    expect(tabs.log.credentialsOf).toHaveLength(1);
  });

  it('not when the credentials have a minute of life or less', async () => {
    const tabs = scriptedTabs({
      latest: signedIn,
      shared: { credentials: credentialsFor(IDENTITY_B, NOW + 60_000), logins: lent },
    });
    const { deps } = sessionDeps({}, { tabs });
    expect(await restoreSession(deps)).toEqual({});
  });

  it('a minute and a millisecond of life: served', async () => {
    const tabs = scriptedTabs({
      latest: signedIn,
      shared: { credentials: credentialsFor(IDENTITY_B, NOW + 60_001), logins: lent },
    });
    const { deps } = sessionDeps({}, { tabs });
    expect((await restoreSession(deps)).identity).toEqual(user);
  });

  it('not when a sign-out was heard while their credentials were asked for', async () => {
    const tabs = scriptedTabs({ latest: signedIn });
    const { deps } = sessionDeps({}, { tabs });
    tabs.credentialsOf = async () => {
      tabs.signedOutAt = 20;
      return { credentials: credentialsFor(IDENTITY_B, NOW + HOUR), logins: lent };
    };
    expect(await restoreSession(deps)).toEqual({});
  });

  it('what it serves is stored too, under the lock, with the record’s stamp', async () => {
    const credentials = credentialsFor(IDENTITY_B, NOW + HOUR);
    const tabs = scriptedTabs({ latest: signedIn, shared: { credentials, logins: lent } });
    const { deps, stored } = sessionDeps({ persistCredentials: true }, { tabs });
    await restoreSession(deps);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tabs.log.locks).toBe(1);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_B, s: 10, o: 0 });
    expect(stored('credentials')).toMatchObject({ identityId: IDENTITY_B });
  });
});

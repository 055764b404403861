/**
 * `obtainIdentity` with tab coordination (session.ts): under the pool's lock, a guest identity
 * another tab holds is used instead of a GetId (the newest record's, or storage's when written
 * later; never an authenticated one, nor the one the service just said is gone, nor after a
 * sign-out heard meanwhile); otherwise GetId, asked again when a sign-out arrives during it (twice
 * at most), published and stored with the stamp of the hold. Mutation testing (issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import { obtainIdentity } from '../../src/session.js';
import { IDENTITY_A, IDENTITY_B, IDENTITY_C } from '../support/fixtures.js';
import { FACEBOOK, guest, linked, scriptedTabs, sessionDeps } from '../support/session-deps.js';

type Script = Parameters<typeof scriptedTabs>[0];

function coordinating(script: Script = {}, options = {}) {
  const tabs = scriptedTabs(script);
  const setup = sessionDeps(options, { tabs });
  const obtain = (request: Partial<Parameters<typeof obtainIdentity>[0]> = {}, signal?: AbortSignal) =>
    obtainIdentity({ deps: setup.deps, logins: {}, forceTokenRenewal: false, ...request }, signal);
  return { ...setup, tabs, obtain };
}

describe('a guest identity another tab holds is used, under the lock, instead of a GetId', () => {
  it('the newest record’s, storage empty: used, and stored here with the record’s stamp', async () => {
    const { tabs, obtain, service, stored } = coordinating({
      latest: { seq: 10, signedOutAt: 2, identity: guest(IDENTITY_B) },
    });
    expect(await obtain()).toEqual({ ...guest(IDENTITY_B), logins: {} });
    expect(tabs.log.locks).toBe(1);
    expect(service.calls.getId).toHaveLength(0);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_B, s: 10, o: 2 });
  });

  it('the record’s, storage holding it already: not written again', async () => {
    const { obtain, service, store, stored } = coordinating({
      latest: { seq: 10, signedOutAt: 0, identity: guest(IDENTITY_B) },
    });
    await store.saveIdentity(guest(IDENTITY_B), { seq: 4, signedOutAt: 0 });
    expect(await obtain()).toEqual({ ...guest(IDENTITY_B), logins: {} });
    expect(service.calls.getId).toHaveLength(0);
    expect(stored('identity')).toMatchObject({ s: 4 });
  });

  it('storage’s, written later than the record: used, not written again', async () => {
    const { obtain, store, stored } = coordinating({
      latest: { seq: 10, signedOutAt: 0, identity: guest(IDENTITY_B) },
    });
    await store.saveIdentity(guest(IDENTITY_C), { seq: 11, signedOutAt: 0 });
    expect(await obtain()).toEqual({ ...guest(IDENTITY_C), logins: {} });
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_C, s: 11 });
  });

  it('storage’s when no tab keeps a record', async () => {
    const { obtain, store, service } = coordinating({});
    await store.saveIdentity(guest(IDENTITY_C));
    expect(await obtain()).toEqual({ ...guest(IDENTITY_C), logins: {} });
    expect(service.calls.getId).toHaveLength(0);
  });

  it.each([
    ['an authenticated identity', linked(IDENTITY_B, FACEBOOK), undefined],
    ['the identity the service said is gone', guest(IDENTITY_B), IDENTITY_B],
  ])('not %s: GetId', async (_, identity, avoidIdentityId) => {
    const { obtain, service } = coordinating({ latest: { seq: 10, signedOutAt: 0, identity } });
    expect(await obtain({ avoidIdentityId })).toMatchObject(guest(IDENTITY_A));
    expect(service.calls.getId).toHaveLength(1);
  });

  it('not for a session with logins: GetId with them', async () => {
    const { obtain, service } = coordinating({
      latest: { seq: 10, signedOutAt: 0, identity: guest(IDENTITY_B) },
    });
    const result = await obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } });
    expect(result).toMatchObject(linked(IDENTITY_A, FACEBOOK));
    expect(service.calls.getId).toHaveLength(1);
  });

  it('not when a sign-out was heard while storage was read: GetId', async () => {
    const { tabs, obtain, store, service } = coordinating({
      latest: { seq: 10, signedOutAt: 0, identity: guest(IDENTITY_B) },
    });
    const load = store.loadStampedIdentity.bind(store);
    store.loadStampedIdentity = async () => {
      tabs.signedOutAt = 12;
      return load();
    };
    expect(await obtain()).toMatchObject(guest(IDENTITY_A));
    expect(service.calls.getId).toHaveLength(1);
  });

  it('a hold without a stamp counts no sign-out: the record is used', async () => {
    const { obtain, service } = coordinating({
      unstamped: true,
      latest: { seq: 10, signedOutAt: 0, identity: guest(IDENTITY_B) },
    });
    expect(await obtain()).toMatchObject(guest(IDENTITY_B));
    expect(service.calls.getId).toHaveLength(0);
  });

  it('an abort while storage was read: the abort’s reason', async () => {
    const { obtain, store, service } = coordinating({});
    const controller = new AbortController();
    store.loadStampedIdentity = async () => {
      controller.abort(new Error('gave up'));
      return undefined;
    };
    await expect(obtain({}, controller.signal)).rejects.toThrow('gave up');
    expect(service.calls.getId).toHaveLength(0);
  });

  it('an abort before the lock was granted: nothing asked', async () => {
    const { obtain, service, store } = coordinating({});
    await store.saveIdentity(guest(IDENTITY_C));
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(obtain({}, controller.signal)).rejects.toThrow('gave up');
    expect(service.calls.getId).toHaveLength(0);
  });
});

describe('a GetId under the lock is published and stored with the hold’s stamp', () => {
  it('published as an identity message, stored with the stamp publish returned', async () => {
    const { tabs, obtain, stored } = coordinating({ stamp: { seq: 30, signedOutAt: 5 }, signedOutAt: 5 });
    const result = await obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } });
    expect(result).toEqual({ ...linked(IDENTITY_A, FACEBOOK), logins: { [FACEBOOK]: { token: 'f-token' } } });
    expect(tabs.log.published).toEqual([{ type: 'identity', identity: linked(IDENTITY_A, FACEBOOK) }]);
    expect(tabs.log.restamps).toBe(0);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, s: 30, o: 5 });
    // Coordinating tabs do not keep the storage's sign-out record with the identity.
    expect(stored('identity')).not.toHaveProperty('m');
  });

  it('a sign-out heard before GetId (after the lock was granted): restamped first, asked once', async () => {
    const { tabs, obtain, service, store } = coordinating({
      latest: { seq: 10, signedOutAt: 0, identity: guest(IDENTITY_B) },
    });
    const load = store.loadStampedIdentity.bind(store);
    store.loadStampedIdentity = async () => {
      tabs.signedOutAt = 12;
      return load();
    };
    await obtain();
    expect(tabs.log.restamps).toBe(1);
    expect(service.calls.getId).toHaveLength(1);
    expect(tabs.log.published).toHaveLength(1);
  });

  it('a sign-out heard after the hold was stamped, before the lock was granted: restamped', async () => {
    const { tabs, obtain, stored } = coordinating({ stamp: { seq: 30, signedOutAt: 5 }, signedOutAt: 8 });
    await obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } });
    expect(tabs.log.restamps).toBe(1);
    expect(stored('identity')).toMatchObject({ o: 8 });
  });

  it('a hold without a stamp is not restamped', async () => {
    const { tabs, obtain } = coordinating({ unstamped: true, signedOutAt: 3 });
    await obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } });
    expect(tabs.log.restamps).toBe(0);
  });
});

describe('a sign-out heard while GetId was asked ends that answer: asked again, twice at most', () => {
  it('one sign-out during the first GetId: the second answer is published and stored', async () => {
    const { tabs, obtain, service, stored } = coordinating({});
    service.answers.getId.push(
      async () => {
        tabs.signedOutAt = 8;
        return { identityId: IDENTITY_B };
      },
      { identityId: IDENTITY_C },
    );
    expect(await obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } })).toMatchObject({
      identityId: IDENTITY_C,
    });
    expect(service.calls.getId).toHaveLength(2);
    expect(tabs.log.published).toEqual([{ type: 'identity', identity: linked(IDENTITY_C, FACEBOOK) }]);
    // Restamped after the sign-out before the second GetId, and as the last one's answer stands.
    expect(tabs.log.restamps).toBe(2);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_C, o: 8 });
  });

  it('sign-outs during both: the second answer stands, restamped above them', async () => {
    const { tabs, obtain, service, stored } = coordinating({});
    let signOuts = 0;
    service.answers.getId.push(async () => {
      tabs.signedOutAt = ++signOuts * 10;
      return { identityId: signOuts === 1 ? IDENTITY_B : IDENTITY_C };
    });
    expect(await obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } })).toMatchObject({
      identityId: IDENTITY_C,
    });
    expect(service.calls.getId).toHaveLength(2);
    expect(tabs.log.published).toHaveLength(1);
    expect(tabs.log.restamps).toBe(2);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_C, o: 20 });
  });

  it('an answer a sign-out ended is never stored, even when asking again fails', async () => {
    const { tabs, obtain, service, stored } = coordinating({});
    service.answers.getId.push(async () => {
      tabs.signedOutAt = 8;
      return { identityId: IDENTITY_B };
    }, new Error('down'));
    await expect(obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } })).rejects.toThrow('down');
    expect(tabs.log.published).toHaveLength(0);
    expect(stored('identity')).toBeUndefined();
  });

  it('a sign-out heard while the first answer was published: asked again', async () => {
    const { tabs, obtain, service } = coordinating({});
    service.answers.getId.push({ identityId: IDENTITY_B }, { identityId: IDENTITY_C });
    tabs.onPublish = () => {
      tabs.onPublish = undefined;
      tabs.signedOutAt = 9;
    };
    expect(await obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } })).toMatchObject({
      identityId: IDENTITY_C,
    });
    expect(service.calls.getId).toHaveLength(2);
    expect(tabs.log.published).toHaveLength(2);
  });

  it('an abort during GetId’s answer: the abort’s reason, nothing published', async () => {
    const { tabs, obtain, service, stored } = coordinating({});
    const controller = new AbortController();
    service.answers.getId.push(async () => ({
      identityId: IDENTITY_B,
      get serverTime() {
        controller.abort(new Error('gave up'));
        return undefined;
      },
    }));
    await expect(obtain({}, controller.signal)).rejects.toThrow('gave up');
    expect(tabs.log.published).toHaveLength(0);
    expect(stored('identity')).toBeUndefined();
  });
});

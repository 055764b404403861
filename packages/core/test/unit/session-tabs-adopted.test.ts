/**
 * `storeAdoptedFromMessage` (session.ts): what a coordinating session adopted from another tab's
 * message is stored where it would store what it obtained itself — with the message's stamp,
 * under the lock — unless storage has it already, storage or the tabs hold a later state by then,
 * the session no longer holds it, or a logout ended the lease it was adopted under. It never
 * throws. Mutation testing (issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import { storeAdoptedFromMessage } from '../../src/session.js';
import type { IdentityStamp } from '../../src/storage/session-store.js';
import { createTabCoordinator } from '../../src/tabs.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B } from '../support/fixtures.js';
import { guest, HOUR, NOW, scriptedTabs, sessionDeps } from '../support/session-deps.js';

type Script = Parameters<typeof scriptedTabs>[0];
const STAMP: IdentityStamp = { seq: 20, signedOutAt: 3 };
const credentials = credentialsFor(IDENTITY_A, NOW + HOUR, 'adopted');
const adopted = { identity: guest(IDENTITY_A), credentials };

function coordinating(
  script: Script = {},
  options: { persistCredentials?: boolean } = { persistCredentials: true },
) {
  const tabs = scriptedTabs({ signedOutAt: 3, ...script });
  const setup = sessionDeps(options, { tabs });
  const adopt = (stamp = STAMP, stillHeld = () => true) =>
    storeAdoptedFromMessage(setup.deps, adopted, stamp, stillHeld);
  return { ...setup, tabs, adopt };
}

describe('an adopted identity is stored with the message’s stamp, under the lock', () => {
  it('storage empty: the identity and (persistCredentials) its credentials', async () => {
    const { adopt, tabs, stored } = coordinating();
    await adopt();
    expect(tabs.log.locks).toBe(1);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, s: 20, o: 3 });
    expect(stored('credentials')).toMatchObject({ secretAccessKey: credentials.secretAccessKey });
  });

  it('without persistCredentials: the identity only', async () => {
    const { adopt, stored } = coordinating({}, {});
    await adopt();
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, s: 20 });
    expect(stored('credentials')).toBeUndefined();
  });

  it('an identity without credentials: the identity only', async () => {
    const { deps, stored } = coordinating();
    await storeAdoptedFromMessage(deps, { identity: guest(IDENTITY_A) }, STAMP, () => true);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A });
    expect(stored('credentials')).toBeUndefined();
  });

  it('single-tab: nothing (the session stores what it obtains itself)', async () => {
    const { deps, stored } = sessionDeps({ persistCredentials: true });
    await storeAdoptedFromMessage(deps, adopted, STAMP, () => true);
    // The coordinator a session gets when tabs are off: its lock runs work at once.
    const single = createTabCoordinator({ name: 'single', enabled: false, onMessage: () => {} });
    expect(single.mode).toBe('single');
    await storeAdoptedFromMessage({ ...deps, tabs: single }, adopted, STAMP, () => true);
    expect(stored('identity')).toBeUndefined();
  });
});

describe('storage that has it already, as stamped and with credentials as new, is left alone (no lock)', () => {
  it('same identity, same stamp, same credentials: no lock, nothing written', async () => {
    const { adopt, tabs, store, storage } = coordinating();
    await store.saveIdentity(guest(IDENTITY_A), STAMP);
    await store.saveCredentials(credentials);
    const before = storage.keys().map((key) => storage.getItem(key));
    await adopt();
    expect(tabs.log.locks).toBe(0);
    expect(storage.keys().map((key) => storage.getItem(key))).toEqual(before);
  });

  it('a stamp later than storage’s: written', async () => {
    const { adopt, tabs, store, stored } = coordinating();
    await store.saveIdentity(guest(IDENTITY_A), { seq: 19, signedOutAt: 3 });
    await store.saveCredentials(credentials);
    await adopt();
    expect(tabs.log.locks).toBe(1);
    expect(stored('identity')).toMatchObject({ s: 20 });
  });

  it('storage unstamped: written', async () => {
    const { adopt, store, stored } = coordinating();
    await store.saveIdentity(guest(IDENTITY_A));
    await store.saveCredentials(credentials);
    await adopt();
    expect(stored('identity')).toMatchObject({ s: 20, o: 3 });
  });

  it('another identity stored with the same stamp: written', async () => {
    const { adopt, tabs, store, stored } = coordinating({}, {});
    await store.saveIdentity(guest(IDENTITY_B), STAMP);
    await adopt();
    expect(tabs.log.locks).toBe(1);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, s: 20 });
  });

  it('older credentials in storage: the adopted ones written', async () => {
    const { adopt, tabs, store, stored } = coordinating();
    await store.saveIdentity(guest(IDENTITY_A), STAMP);
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR - 1, 'older'));
    await adopt();
    expect(tabs.log.locks).toBe(1);
    expect(stored('credentials')).toMatchObject({ secretAccessKey: credentials.secretAccessKey });
  });

  it('no credentials in storage: written', async () => {
    const { adopt, store, stored } = coordinating();
    await store.saveIdentity(guest(IDENTITY_A), STAMP);
    await adopt();
    expect(stored('credentials')).toMatchObject({ secretAccessKey: credentials.secretAccessKey });
  });

  it('without persistCredentials, storage’s credentials do not matter', async () => {
    const { adopt, tabs, store } = coordinating({}, {});
    await store.saveIdentity(guest(IDENTITY_A), STAMP);
    await adopt();
    expect(tabs.log.locks).toBe(0);
  });

  it('written by another tab while this one waited for the lock: not written again', async () => {
    const { adopt, tabs, elsewhere, stored } = coordinating();
    const lock = tabs.withLock.bind(tabs);
    tabs.withLock = async (work) => {
      await elsewhere.saveIdentity(guest(IDENTITY_A), STAMP);
      await elsewhere.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR, 'same-expiry'));
      return lock(work);
    };
    await adopt();
    expect(stored('credentials')).toMatchObject({
      secretAccessKey: credentialsFor(IDENTITY_A, NOW + HOUR, 'same-expiry').secretAccessKey,
    });
  });
});

describe('a later state by the time the lock is held: nothing written', () => {
  it('the tabs’ newest record is a later one of another identity', async () => {
    const { adopt, stored } = coordinating({
      latest: { seq: 21, signedOutAt: 3, identity: guest(IDENTITY_B) },
    });
    await adopt();
    expect(stored('identity')).toBeUndefined();
  });

  it('a later record of the same identity does not stop it', async () => {
    const { adopt, stored } = coordinating({
      latest: { seq: 21, signedOutAt: 3, identity: guest(IDENTITY_A) },
    });
    await adopt();
    expect(stored('identity')).toMatchObject({ s: 20 });
  });

  it('an earlier record of another identity does not stop it', async () => {
    const { adopt, stored } = coordinating({
      latest: { seq: 19, signedOutAt: 3, identity: guest(IDENTITY_B) },
    });
    await adopt();
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, s: 20 });
  });

  it('storage holds a later stamp', async () => {
    const { adopt, store, stored } = coordinating();
    await store.saveIdentity(guest(IDENTITY_B), { seq: 21, signedOutAt: 3 });
    await adopt();
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_B });
  });

  it('storage holds an earlier stamp of another identity: overwritten', async () => {
    const { adopt, store, stored } = coordinating();
    await store.saveIdentity(guest(IDENTITY_B), { seq: 19, signedOutAt: 3 });
    await adopt();
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A });
  });

  it('this tab heard a sign-out after the message', async () => {
    const { adopt, stored } = coordinating({ signedOutAt: 4 });
    await adopt();
    expect(stored('identity')).toBeUndefined();
  });

  it('the session no longer holds it', async () => {
    const { adopt, stored } = coordinating();
    await adopt(STAMP, () => false);
    expect(stored('identity')).toBeUndefined();
  });

  it('a logout of this session while it waited for the lock (its lease ended)', async () => {
    const { adopt, tabs, store, stored } = coordinating();
    const lock = tabs.withLock.bind(tabs);
    tabs.withLock = async (work) => {
      store.endLeases();
      return lock(work);
    };
    await adopt();
    expect(stored('identity')).toBeUndefined();
  });
});

describe('it never throws', () => {
  it('a refused lock', async () => {
    const { adopt, stored } = coordinating({ lockRefused: new Error('SecurityError') });
    await expect(adopt()).resolves.toBeUndefined();
    expect(stored('identity')).toBeUndefined();
  });
});

/**
 * `obtainCredentials` with tab coordination (session.ts): under the pool's lock, credentials
 * another tab fetched for the same identity are taken instead of a request — only newer than the
 * session's (or than the ones it discarded) and outside the refresh window, never while a login is
 * still to be linked; otherwise GetCredentialsForIdentity, published with the login tokens and
 * stored with the hold's stamp. A tab holding only another tab's tokens waits for that tab's
 * renewal when its own request needs a login. Mutation testing (issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import { LoginRequiredError } from '../../src/errors.js';
import {
  borrowLogins,
  type CredentialsRequest,
  obtainCredentials,
  sharedLoginsOf,
} from '../../src/session.js';
import type { TabRecord } from '../../src/tabs.js';
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

type Script = Parameters<typeof scriptedTabs>[0];
const MINUTE = 60_000;
/** The default refresh window (300 s): credentials inside it are not worth taking. */
const WINDOW = 5 * MINUTE;

function coordinating(script: Script = {}, options = {}) {
  const tabs = scriptedTabs(script);
  const setup = sessionDeps(options, { tabs });
  const obtain = (request: Partial<CredentialsRequest> = {}, signal?: AbortSignal) =>
    obtainCredentials(
      { deps: setup.deps, logins: {}, forceTokenRenewal: false, identity: guest(IDENTITY_A), ...request },
      signal,
    );
  return { ...setup, tabs, obtain };
}

const recordOf = (identity = guest(IDENTITY_A), expiration: number | undefined = NOW + HOUR): TabRecord => ({
  seq: 10,
  signedOutAt: 0,
  identity,
  expiration,
});

describe('credentials another tab broadcast for this identity are taken instead of a request', () => {
  it('the record’s, asked of the tab that has them (a second at most): taken, stored with the record’s stamp', async () => {
    const credentials = credentialsFor(IDENTITY_A, NOW + HOUR, 'theirs');
    const { obtain, tabs, service, stored } = coordinating(
      { latest: recordOf(), shared: { credentials } },
      { persistCredentials: true },
    );
    const result = await obtain({ logins: {} });
    expect(result).toEqual({ ...guest(IDENTITY_A), logins: {}, credentials });
    expect(service.calls.getCredentialsForIdentity).toHaveLength(0);
    expect(tabs.log.credentialsOf).toEqual([{ record: recordOf(), timeoutMs: 1_000 }]);
    expect(tabs.log.published).toHaveLength(0);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, s: 10, o: 0 });
    expect(stored('credentials')).toMatchObject({ secretAccessKey: credentials.secretAccessKey });
  });

  it('the other tab’s login tokens come with them; this tab’s provider is kept for the key', async () => {
    const provider = { id: 'facebook', loginsKey: FACEBOOK, signIn: async () => ({ token: 'unused' }) };
    const credentials = credentialsFor(IDENTITY_A, NOW + HOUR);
    const { obtain } = coordinating({
      latest: recordOf(linked(IDENTITY_A, FACEBOOK, GOOGLE)),
      shared: { credentials, logins: { [FACEBOOK]: { token: 'their-f-token', expiresAt: NOW + HOUR } } },
    });
    const identity = linked(IDENTITY_A, FACEBOOK, GOOGLE);
    const result = await obtain({
      identity,
      logins: { [FACEBOOK]: { token: 'my-f-token', provider }, [GOOGLE]: { token: 'my-g-token' } },
    });
    expect(result.logins).toEqual({
      [FACEBOOK]: { token: 'their-f-token', expiresAt: NOW + HOUR, provider },
      [GOOGLE]: { token: 'my-g-token' },
    });
    expect(result.providers).toEqual([FACEBOOK, GOOGLE]);
    expect(result.providers).not.toBe(identity.providers);
  });

  it('no record: storage’s credentials for the identity as this session knows it', async () => {
    const credentials = credentialsFor(IDENTITY_A, NOW + HOUR, 'stored');
    const { obtain, store, service } = coordinating({}, { persistCredentials: true });
    await store.saveIdentity(guest(IDENTITY_A));
    await store.saveCredentials(credentials);
    expect((await obtain()).credentials).toEqual(credentials);
    expect(service.calls.getCredentialsForIdentity).toHaveLength(0);
  });

  it('the record’s credentials do not come: storage’s', async () => {
    const credentials = credentialsFor(IDENTITY_A, NOW + HOUR, 'stored');
    const { obtain, store, service } = coordinating({ latest: recordOf() }, { persistCredentials: true });
    await store.saveIdentity(guest(IDENTITY_A));
    await store.saveCredentials(credentials);
    expect((await obtain()).credentials).toEqual(credentials);
    expect(service.calls.getCredentialsForIdentity).toHaveLength(0);
  });

  it.each([
    ['without persistCredentials', {}, guest(IDENTITY_A)],
    [
      'when storage holds the identity linked to a login (a guest tab)',
      { persistCredentials: true },
      linked(IDENTITY_A, FACEBOOK),
    ],
  ])('not storage’s %s: a request', async (_, options, storedIdentity) => {
    const { obtain, store, service } = coordinating({}, options);
    await store.saveIdentity(storedIdentity);
    await store.saveCredentials(credentialsFor(IDENTITY_A, NOW + HOUR, 'stored'));
    await obtain();
    expect(service.calls.getCredentialsForIdentity).toHaveLength(1);
  });
});

describe('only credentials worth taking: newer than the session’s, outside the refresh window', () => {
  const taking = async (expiresAt: number, request: Partial<CredentialsRequest> = {}, options = {}) => {
    const credentials = credentialsFor(IDENTITY_A, expiresAt, 'theirs');
    const setup = coordinating(
      { latest: recordOf(guest(IDENTITY_A), expiresAt), shared: { credentials } },
      options,
    );
    await setup.obtain(request);
    return setup.service.calls.getCredentialsForIdentity.length === 0;
  };

  it('just outside the refresh window: taken; at its edge: a request', async () => {
    expect(await taking(NOW + WINDOW + 1)).toBe(true);
    expect(await taking(NOW + WINDOW)).toBe(false);
  });

  it('a shorter refresh window than a minute still needs more than a minute of life', async () => {
    expect(await taking(NOW + MINUTE, {}, { refreshWindowSeconds: 30 })).toBe(false);
    expect(await taking(NOW + MINUTE + 1, {}, { refreshWindowSeconds: 30 })).toBe(true);
  });

  it('on the service’s clock', async () => {
    const credentials = credentialsFor(IDENTITY_A, NOW + WINDOW + MINUTE, 'theirs');
    const setup = coordinating({
      latest: recordOf(guest(IDENTITY_A), NOW + WINDOW + MINUTE),
      shared: { credentials },
    });
    setup.deps.skew.offsetMs = 2 * MINUTE;
    await setup.obtain();
    expect(setup.service.calls.getCredentialsForIdentity).toHaveLength(1);
  });

  it('strictly newer than the session’s own', async () => {
    const current = credentialsFor(IDENTITY_A, NOW + HOUR, 'mine');
    expect(await taking(NOW + HOUR, { current })).toBe(false);
    expect(await taking(NOW + HOUR + 1, { current })).toBe(true);
  });

  it('strictly newer than the ones clearCredentials() discarded', async () => {
    expect(await taking(NOW + HOUR, { discardedExpiration: NOW + HOUR })).toBe(false);
    expect(await taking(NOW + HOUR + 1, { discardedExpiration: NOW + HOUR })).toBe(true);
  });

  it('the record’s expiry is checked before asking, the credentials’ own after', async () => {
    const credentials = credentialsFor(IDENTITY_A, NOW + 2 * MINUTE, 'theirs');
    const setup = coordinating({ latest: recordOf(guest(IDENTITY_A), NOW + HOUR), shared: { credentials } });
    await setup.obtain();
    expect(setup.tabs.log.credentialsOf).toHaveLength(1);
    expect(setup.service.calls.getCredentialsForIdentity).toHaveLength(1);

    const early = coordinating({
      latest: recordOf(guest(IDENTITY_A), NOW + 2 * MINUTE),
      shared: { credentials },
    });
    await early.obtain();
    expect(early.tabs.log.credentialsOf).toHaveLength(0);
  });

  it.each([
    ['another identity', recordOf(guest(IDENTITY_B))],
    ['this identity linked to a login', recordOf(linked(IDENTITY_A, FACEBOOK))],
    ['no credentials', { ...recordOf(), expiration: undefined }],
  ])('not when the record is of %s', async (_, latest) => {
    const setup = coordinating({ latest, shared: { credentials: credentialsFor(IDENTITY_A, NOW + HOUR) } });
    await setup.obtain();
    expect(setup.tabs.log.credentialsOf).toHaveLength(0);
    expect(setup.service.calls.getCredentialsForIdentity).toHaveLength(1);
  });

  it('never while a login is still to be linked (that request is the link)', async () => {
    const setup = coordinating({
      latest: recordOf(),
      shared: { credentials: credentialsFor(IDENTITY_A, NOW + HOUR) },
    });
    const result = await setup.obtain({ logins: { [FACEBOOK]: { token: 'f-token' } } });
    expect(setup.service.calls.getCredentialsForIdentity).toHaveLength(1);
    expect(result).toMatchObject(linked(IDENTITY_A, FACEBOOK));
  });
});

describe('a request under the lock is published with the login tokens and stored with the hold’s stamp', () => {
  it('published as a credentials message', async () => {
    const { obtain, tabs, stored } = coordinating(
      { stamp: { seq: 40, signedOutAt: 6 } },
      { persistCredentials: true },
    );
    const identity = linked(IDENTITY_A, FACEBOOK);
    const result = await obtain({
      identity,
      logins: { [FACEBOOK]: { token: 'f-token', expiresAt: NOW + HOUR } },
    });
    expect(tabs.log.published).toEqual([
      {
        type: 'credentials',
        identity,
        credentials: result.credentials,
        logins: { [FACEBOOK]: { token: 'f-token', expiresAt: NOW + HOUR, identityId: undefined } },
      },
    ]);
    expect(stored('identity')).toMatchObject({ identityId: IDENTITY_A, s: 40, o: 6 });
    expect(stored('credentials')).toMatchObject({ secretAccessKey: result.credentials.secretAccessKey });
  });

  it('an abort while the other tab’s credentials were awaited: the abort’s reason, nothing asked', async () => {
    const { obtain, tabs, service } = coordinating({ latest: recordOf() });
    const controller = new AbortController();
    tabs.shared = undefined;
    const held = tabs.withLock.bind(tabs);
    tabs.withLock = (work) =>
      held((lock) =>
        work({
          ...lock,
          latest: lock.latest,
          stamp: lock.stamp,
          credentialsOf: async () => {
            controller.abort(new Error('gave up'));
            return undefined;
          },
        }),
      );
    await expect(obtain({}, controller.signal)).rejects.toThrow('gave up');
    expect(service.calls.getCredentialsForIdentity).toHaveLength(0);
  });

  it('an abort while the answer was stored: the abort’s reason, nothing published', async () => {
    const { obtain, tabs, store } = coordinating({});
    const controller = new AbortController();
    const save = store.saveIdentity.bind(store);
    store.saveIdentity = async (...args) => {
      controller.abort(new Error('gave up'));
      return save(...args);
    };
    await expect(obtain({}, controller.signal)).rejects.toThrow('gave up');
    expect(tabs.log.published).toHaveLength(0);
  });

  it('an abort before the lock was granted: nothing asked', async () => {
    const { obtain, service } = coordinating({});
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(obtain({}, controller.signal)).rejects.toThrow('gave up');
    expect(service.calls.getCredentialsForIdentity).toHaveLength(0);
  });
});

describe('a tab holding only another tab’s login tokens waits for that tab’s renewal', () => {
  const user = linked(IDENTITY_A, FACEBOOK);
  const lentExpired = { [FACEBOOK]: { token: 'lent-token', expiresAt: NOW - 1 } };
  const renewed = { [FACEBOOK]: { token: 'renewed-token', expiresAt: NOW + HOUR } };

  it('the other tab’s next credentials, after the session’s, awaited up to 5 s', async () => {
    const credentials = credentialsFor(IDENTITY_A, NOW + HOUR, 'renewed');
    const current = credentialsFor(IDENTITY_A, NOW + 30_000, 'old');
    const { obtain, tabs } = coordinating({ next: { credentials, logins: renewed } });
    const result = await obtain({ identity: user, logins: lentExpired, current });
    expect(result).toEqual({
      ...user,
      logins: { [FACEBOOK]: { ...renewed[FACEBOOK], provider: undefined } },
      credentials,
    });
    expect(result.providers).not.toBe(user.providers);
    expect(tabs.log.nextCredentials).toEqual([
      { identityId: IDENTITY_A, after: NOW + 30_000, timeoutMs: 5_000 },
    ]);
  });

  it('no credentials held: any after the epoch', async () => {
    const { obtain, tabs } = coordinating({
      next: { credentials: credentialsFor(IDENTITY_A, NOW + HOUR), logins: renewed },
    });
    await obtain({ identity: user, logins: lentExpired });
    expect(tabs.log.nextCredentials[0]?.after).toBe(0);
  });

  it.each([
    ['none come', undefined],
    ['they come without login tokens', { credentials: credentialsFor(IDENTITY_A, NOW + HOUR) }],
    [
      'they have a minute of life or less',
      { credentials: credentialsFor(IDENTITY_A, NOW + MINUTE), logins: renewed },
    ],
  ])('the LoginRequiredError stands when %s', async (_, next) => {
    const { obtain } = coordinating({ next });
    await expect(obtain({ identity: user, logins: lentExpired })).rejects.toBeInstanceOf(LoginRequiredError);
  });

  it('not when this tab has a provider for the login: its LoginRequiredError stands', async () => {
    const provider = { id: 'facebook', loginsKey: FACEBOOK, signIn: async () => ({ token: 'unused' }) };
    const { obtain, tabs } = coordinating({
      next: { credentials: credentialsFor(IDENTITY_A, NOW + HOUR), logins: renewed },
    });
    await expect(
      obtain({ identity: user, logins: { [FACEBOOK]: { ...lentExpired[FACEBOOK], provider } } }),
    ).rejects.toBeInstanceOf(LoginRequiredError);
    expect(tabs.log.nextCredentials).toHaveLength(0);
  });

  it('not when some of its logins have a provider here (those are this tab’s own)', async () => {
    const provider = { id: 'google', loginsKey: GOOGLE, signIn: async () => ({ token: 'unused' }) };
    const { obtain, tabs } = coordinating({
      next: { credentials: credentialsFor(IDENTITY_A, NOW + HOUR), logins: renewed },
    });
    await expect(
      obtain({
        identity: linked(IDENTITY_A, FACEBOOK, GOOGLE),
        logins: { ...lentExpired, [GOOGLE]: { token: 'g-token', expiresAt: NOW + HOUR, provider } },
      }),
    ).rejects.toBeInstanceOf(LoginRequiredError);
    expect(tabs.log.nextCredentials).toHaveLength(0);
  });

  it('not for other errors', async () => {
    const { obtain, service, tabs } = coordinating({
      next: { credentials: credentialsFor(IDENTITY_A, NOW + HOUR), logins: renewed },
    });
    service.answers.getCredentialsForIdentity.push(new Error('down'));
    await expect(
      obtain({ identity: user, logins: { [FACEBOOK]: { token: 'lent-token', expiresAt: NOW + HOUR } } }),
    ).rejects.toThrow('down');
    expect(tabs.log.nextCredentials).toHaveLength(0);
  });

  it('single-tab: the LoginRequiredError stands', async () => {
    const { deps } = sessionDeps();
    await expect(
      obtainCredentials({ deps, identity: user, logins: lentExpired, forceTokenRenewal: false }),
    ).rejects.toBeInstanceOf(LoginRequiredError);
  });

  it('a session without logins has nothing lent', async () => {
    const { obtain, tabs, service } = coordinating({
      next: { credentials: credentialsFor(IDENTITY_A, NOW + HOUR), logins: renewed },
    });
    service.answers.getCredentialsForIdentity.push(new LoginRequiredError([]));
    await expect(obtain({ identity: user, logins: {} })).rejects.toBeInstanceOf(LoginRequiredError);
    expect(tabs.log.nextCredentials).toHaveLength(0);
  });
});

describe('login tokens cross tabs only for an authenticated identity’s linked logins', () => {
  it('a guest shares none, even one that keeps its links (credentials asked for without the login)', () => {
    const keptLinks = { identityId: IDENTITY_A, authenticated: false, providers: [FACEBOOK] };
    expect(sharedLoginsOf(keptLinks, { [FACEBOOK]: { token: 'f-token' } })).toBeUndefined();
  });

  it('only tokens of linked logins, with their expiry and identity; none left: undefined', () => {
    const identity = linked(IDENTITY_A, FACEBOOK);
    expect(
      sharedLoginsOf(identity, {
        [FACEBOOK]: { token: 'f-token', expiresAt: NOW, identityId: IDENTITY_A, provider: undefined },
        [GOOGLE]: { token: 'g-token' },
      }),
    ).toEqual({ [FACEBOOK]: { token: 'f-token', expiresAt: NOW, identityId: IDENTITY_A } });
    expect(sharedLoginsOf(identity, { [FACEBOOK]: {} })).toBeUndefined();
  });

  it('borrowed tokens keep this tab’s provider for their key', () => {
    const provider = { id: 'facebook', loginsKey: FACEBOOK, signIn: async () => ({ token: 'unused' }) };
    expect(
      borrowLogins({ [FACEBOOK]: { token: 't' }, [GOOGLE]: { token: 'u' } }, { [FACEBOOK]: { provider } }),
    ).toEqual({
      [FACEBOOK]: { token: 't', provider },
      [GOOGLE]: { token: 'u', provider: undefined },
    });
  });
});

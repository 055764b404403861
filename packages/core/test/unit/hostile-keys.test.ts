/**
 * Maps built from keys the library did not choose — a tab message's login tokens, the session's
 * Logins map, an inspector's copy — keep a `"__proto__"` key as an entry. Assigned with `obj[key] =`,
 * it would set the map's prototype instead: the entry vanishes from `Object.keys` (a login sent
 * without its token, a tab adopting a user with none) and its value is read through every lookup.
 * A provider key `__proto__` reaches a tab message when a planted identity lists it in `providers`.
 */
import { describe, expect, it } from 'vitest';
import { redactForInspector } from '../../src/inspect.js';
import { type LoginEntry, resolveLogins, sharedLoginsOf } from '../../src/session.js';
import * as is from '../../src/shape.js';
import { readRecordLockName, readTabMessage } from '../../src/tabs.js';
import { credentialsFor, IDENTITY_A } from '../support/fixtures.js';

const PROTO = '__proto__';
const TOKEN = 'token-of-the-proto-provider';

/** `{ "__proto__": value }` with `__proto__` an own key, as JSON and structured clone make it. */
const keyedByProto = <T = unknown>(value: T): Record<string, T> =>
  JSON.parse(`{"${PROTO}":${JSON.stringify(value)}}`);

const expectOwnEntry = (map: object | undefined, value: unknown) => {
  expect(map).toBeDefined();
  expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  expect(Object.keys(map as object)).toEqual([PROTO]);
  expect(Object.getOwnPropertyDescriptor(map, PROTO)?.value).toEqual(value);
};

describe('a "__proto__" key is an entry, never the prototype', () => {
  it('in the login tokens of a tab message (readTabMessage)', () => {
    const c = credentialsFor(IDENTITY_A, Date.now() + 3_600_000);
    const message = readTabMessage({
      v: 1,
      seq: 1,
      type: 'credentials',
      identity: { v: 1, identityId: IDENTITY_A, authenticated: true, providers: [PROTO] },
      credentials: { v: 1, ...c, expiration: c.expiration.getTime() },
      logins: keyedByProto({ token: TOKEN }),
    });
    expect(message?.type).toBe('credentials');
    const logins = message?.type === 'credentials' ? message.logins : undefined;
    expectOwnEntry(logins, { token: TOKEN, expiresAt: undefined, identityId: undefined });
  });

  it('in the Logins map sent to the service, and the session’s logins (resolveLogins)', async () => {
    const { map, logins } = await resolveLogins(keyedByProto<LoginEntry>({ token: TOKEN }), {
      now: 0,
      force: false,
    });
    expectOwnEntry(map, TOKEN);
    expectOwnEntry(logins, { token: TOKEN });
  });

  it('in the login tokens a tab shares (sharedLoginsOf)', () => {
    const shared = sharedLoginsOf(
      { identityId: IDENTITY_A, authenticated: true, providers: [PROTO] },
      keyedByProto<LoginEntry>({ token: TOKEN }),
    );
    expectOwnEntry(shared, { token: TOKEN, expiresAt: undefined, identityId: undefined });
  });

  it('in an inspector’s redacted copy', () => {
    expectOwnEntry(redactForInspector(keyedByProto('value'), (text) => text) as object, 'value');
  });

  it('in an object a shape check rebuilds', () => {
    const checked = is.parse(is.object({ [PROTO]: is.string() }), keyedByProto('value'));
    expectOwnEntry(checked, 'value');
  });
});

describe('a field inherited from a polluted Object.prototype is absent from a tab message or record', () => {
  const polluting = (key: string, value: unknown, run: () => void) => {
    Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
    try {
      run();
    } finally {
      delete (Object.prototype as Record<string, unknown>)[key];
    }
  };
  const GUEST = { v: 1, identityId: IDENTITY_A, authenticated: false, providers: [] };

  it('an inherited "o" (the sign-out before) is no sign-out', () => {
    polluting('o', 3, () => {
      expect(readTabMessage({ v: 1, seq: 7, type: 'identity', identity: GUEST })).toMatchObject({
        signedOutAt: 0,
      });
    });
  });

  it('an inherited "logins" does not make a guest’s credentials message unreadable', () => {
    const c = credentialsFor(IDENTITY_A, Date.now() + 3_600_000);
    const message = {
      v: 1,
      seq: 7,
      type: 'credentials',
      identity: GUEST,
      credentials: { v: 1, ...c, expiration: c.expiration.getTime() },
    };
    polluting('logins', { x: { token: 'planted' } }, () => {
      expect(readTabMessage(message)).toMatchObject({
        type: 'credentials',
        credentials: { identityId: IDENTITY_A },
      });
    });
  });

  it('an inherited "e" gives a tab record no credentials expiry', () => {
    const name = `n:record:${JSON.stringify({ s: 7, i: GUEST })}`;
    polluting('e', Date.now() + 3_600_000, () => {
      expect(readRecordLockName('n', name)).toEqual({
        seq: 7,
        identity: { identityId: IDENTITY_A, authenticated: false, providers: [] },
        signedOutAt: 0,
      });
    });
  });

  it('an inherited login token is no token', () => {
    const c = credentialsFor(IDENTITY_A, Date.now() + 3_600_000);
    const message = {
      v: 1,
      seq: 7,
      type: 'credentials',
      identity: { ...GUEST, authenticated: true, providers: ['graph.facebook.com'] },
      credentials: { v: 1, ...c, expiration: c.expiration.getTime() },
      logins: { 'graph.facebook.com': {} },
    };
    polluting('token', 'planted', () => {
      expect(readTabMessage(message)).toBeUndefined();
    });
  });
});

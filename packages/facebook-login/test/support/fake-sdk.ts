import type { LoginProviderFault } from '@identity-pool/testkit';
import type { FacebookSdk, FacebookStatusResponse } from '../../src/index.js';

/**
 * An in-memory `FB`: `login` connects (or, with `userCancels`, is dismissed), `logout` disconnects.
 * A `fault` makes it hostile: `throws` — every call throws a plain Error; `unresponsive` — after
 * the first login, `getLoginStatus` and `logout` never call back (a known SDK behaviour).
 */
export function fakeFacebookSdk({
  userCancels = false,
  expiresIn = 5183,
  fault,
}: {
  userCancels?: boolean;
  expiresIn?: number;
  fault?: LoginProviderFault | undefined;
} = {}) {
  let connected = false;
  let issued = 0;
  let loggedIn = false;
  const calls: string[] = [];
  const hostile = (call: string) => {
    if (fault === 'throws') throw new Error(`${call}: the SDK is broken`);
    return fault === 'unresponsive' && loggedIn;
  };
  const status = (): FacebookStatusResponse =>
    connected
      ? { status: 'connected', authResponse: { accessToken: `EAAfake${++issued}`, expiresIn, userID: '42' } }
      : { status: 'unknown', authResponse: null };
  const sdk: FacebookSdk & { calls: string[]; initParams?: unknown } = {
    calls,
    init(params) {
      calls.push('init');
      hostile('FB.init');
      sdk.initParams = params;
    },
    login(callback, options) {
      calls.push(`login${options?.scope ? `:${options.scope}` : ''}`);
      if (hostile('FB.login')) return;
      if (!userCancels) connected = true;
      loggedIn = !userCancels;
      queueMicrotask(() => callback(userCancels ? { status: 'unknown', authResponse: null } : status()));
    },
    getLoginStatus(callback, roundtrip) {
      calls.push(`getLoginStatus${roundtrip ? ':roundtrip' : ''}`);
      if (hostile('FB.getLoginStatus')) return;
      queueMicrotask(() => callback(status()));
    },
    logout(callback) {
      calls.push('logout');
      if (hostile('FB.logout')) return;
      if (!connected) throw new Error('FB.logout() called without an access token.');
      connected = false;
      queueMicrotask(() => callback?.({ status: 'unknown', authResponse: null }));
    },
  };
  return sdk;
}

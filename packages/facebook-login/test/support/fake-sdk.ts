import type { FacebookSdk, FacebookStatusResponse } from '../../src/index.js';

/** An in-memory `FB`: `login` connects (or, with `userCancels`, is dismissed), `logout` disconnects. */
export function fakeFacebookSdk({ userCancels = false, expiresIn = 5183 } = {}) {
  let connected = false;
  let issued = 0;
  const calls: string[] = [];
  const status = (): FacebookStatusResponse =>
    connected
      ? { status: 'connected', authResponse: { accessToken: `EAAfake${++issued}`, expiresIn, userID: '42' } }
      : { status: 'unknown', authResponse: null };
  const sdk: FacebookSdk & { calls: string[]; initParams?: unknown } = {
    calls,
    init(params) {
      calls.push('init');
      sdk.initParams = params;
    },
    login(callback, options) {
      calls.push(`login${options?.scope ? `:${options.scope}` : ''}`);
      if (!userCancels) connected = true;
      queueMicrotask(() => callback(userCancels ? { status: 'unknown', authResponse: null } : status()));
    },
    getLoginStatus(callback, roundtrip) {
      calls.push(`getLoginStatus${roundtrip ? ':roundtrip' : ''}`);
      queueMicrotask(() => callback(status()));
    },
    logout(callback) {
      calls.push('logout');
      if (!connected) throw new Error('FB.logout() called without an access token.');
      connected = false;
      queueMicrotask(() => callback?.({ status: 'unknown', authResponse: null }));
    },
  };
  return sdk;
}

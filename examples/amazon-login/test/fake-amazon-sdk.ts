import type { AmazonAuthorizeResponse, AmazonLoginSdk } from '../src/index.js';

/**
 * An in-memory `amazon.Login`: `authorize` with `interactive: 'always'` signs in (or the user
 * closes the popup), `'never'` answers from the session; tokens come from `mint`.
 */
export function fakeAmazonSdk({ userCancels = false, mint = () => `Atza|fake-${Math.random()}` } = {}) {
  let signedIn = false;
  const sdk: AmazonLoginSdk = {
    setClientId() {},
    authorize(options, callback) {
      let response: AmazonAuthorizeResponse;
      if (options.interactive === 'always' && userCancels) response = { error: 'access_denied' };
      else if (options.interactive === 'always' || signedIn) {
        signedIn = true;
        response = { access_token: mint(), expires_in: 3600 };
      } else response = { error: 'interaction_required' };
      queueMicrotask(() => callback(response));
    },
    logout() {
      signedIn = false;
    },
  };
  return sdk;
}

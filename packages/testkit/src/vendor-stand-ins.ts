/**
 * `@identity-pool/testkit/vendor-stand-ins` — localhost stand-ins for `connect.facebook.net/<locale>/sdk.js` and
 * `accounts.google.com/gsi/client`: the documented calls the providers use, with in-page
 * dialogs the test clicks, handing out tokens that the server mints with the emulator's fake IdP
 * (`GET /idp/token`).
 *
 * Hostile vendors, for the tests that prove a provider never hangs and always fails by name:
 * - a call's callback never comes when the page sets `window.__standInFaults` (read at each call),
 *   e.g. `{ getLoginStatus: 'never', logout: 'never' }` for Facebook, `{ prompt: 'never' }` for GIS
 *   (no UI, no moment notification, no credential);
 * - `hostileScriptResponse(mode, body)` is what a test server answers instead of the script:
 *   missing (404), an empty script, a captive-portal page, the right script with a wrong MIME
 *   type and `nosniff`, or the right script late.
 */

/** `window.FB`: init, login (a dialog), getLoginStatus (roundtrip mints a fresh token), logout. */
export const facebookSdkStandIn = `(() => {
  let app;
  let session = null;
  const mint = async () => {
    const r = await fetch('/idp/token?provider=graph.facebook.com&subject=fb-alice&audience=' + encodeURIComponent(app.appId));
    return r.json();
  };
  const status = () => session
    ? { status: 'connected', authResponse: { accessToken: session.accessToken, expiresIn: session.expiresIn, userID: 'fb-alice', signedRequest: 'x' } }
    : { status: 'unknown', authResponse: null };
  window.__fbStandIn = { calls: [] };
  const record = (name) => window.__fbStandIn.calls.push(name);
  const silent = (call) => (window.__standInFaults || {})[call] === 'never';
  window.FB = {
    init(params) { record('init:' + params.appId + ':' + params.version); app = params; },
    login(callback, options) {
      record('login');
      if (!app) throw new Error('FB.login() called before FB.init().');
      const dialog = document.createElement('div');
      dialog.id = 'fb-dialog';
      dialog.innerHTML = '<p>Log in with Facebook</p><button id="fb-allow">Continue as Alice</button><button id="fb-cancel">Cancel</button>';
      document.body.append(dialog);
      dialog.querySelector('#fb-allow').onclick = async () => {
        dialog.remove();
        const t = await mint();
        session = { accessToken: t.token, expiresIn: t.expiresIn };
        callback(status());
      };
      dialog.querySelector('#fb-cancel').onclick = () => {
        dialog.remove();
        callback({ status: 'unknown', authResponse: null });
      };
    },
    getLoginStatus(callback, roundtrip) {
      record('getLoginStatus' + (roundtrip ? ':roundtrip' : ''));
      if (silent('getLoginStatus')) return;
      if (session && roundtrip) {
        mint().then((t) => { session = { accessToken: t.token, expiresIn: t.expiresIn }; callback(status()); });
      } else setTimeout(() => callback(status()));
    },
    logout(callback) {
      record('logout');
      if (silent('logout')) return;
      if (!session) { console.error('FB.logout() called without an access token.'); return; }
      session = null;
      setTimeout(() => callback && callback(status()));
    },
  };
  if (typeof window.fbAsyncInit === 'function') setTimeout(window.fbAsyncInit);
})();`;

/** `window.google.accounts.id`: initialize, prompt (One Tap, or auto-select), disableAutoSelect, cancel. */
export const googleGsiStandIn = `(() => {
  let config;
  let chosen = false;
  let autoSelectDisabled = false;
  const mint = async () => {
    const r = await fetch('/idp/token?provider=accounts.google.com&subject=google-alice&audience=' + encodeURIComponent(config.client_id));
    return r.json();
  };
  const moment = (o) => ({
    isDisplayMoment: () => !o.skipped && !o.dismissed,
    isNotDisplayed: () => false,
    isSkippedMoment: () => !!o.skipped,
    isDismissedMoment: () => !!o.dismissed,
    getSkippedReason: () => o.skipped,
    getDismissedReason: () => o.dismissed,
    getMomentType: () => (o.dismissed ? 'dismissed' : o.skipped ? 'skipped' : 'display'),
  });
  window.__gsiStandIn = { calls: [] };
  const record = (name) => window.__gsiStandIn.calls.push(name);
  const silent = (call) => (window.__standInFaults || {})[call] === 'never';
  const answer = async (selectBy, listener) => {
    const t = await mint();
    config.callback({ credential: t.token, select_by: selectBy, clientId: config.client_id });
    listener && listener(moment({ dismissed: 'credential_returned' }));
  };
  window.google = { accounts: { id: {
    initialize(c) { record('initialize:' + c.client_id + ':auto_select=' + c.auto_select); config = c; },
    prompt(listener) {
      if (!config) throw new Error('prompt() before initialize()');
      if (silent('prompt')) { record('prompt:silent'); return; }
      if (chosen && config.auto_select && !autoSelectDisabled) { record('prompt:auto'); answer('auto', listener); return; }
      record('prompt:ui');
      const el = document.createElement('div');
      el.id = 'g-onetap';
      el.innerHTML = '<p>Sign in to localhost with Google</p><button id="g-continue">Continue as Alice</button><button id="g-close">Close</button>';
      document.body.append(el);
      listener && listener(moment({}));
      el.querySelector('#g-continue').onclick = () => { el.remove(); chosen = true; autoSelectDisabled = false; answer('user', listener); };
      el.querySelector('#g-close').onclick = () => { el.remove(); listener && listener(moment({ skipped: 'user_cancel' })); };
    },
    disableAutoSelect() { record('disableAutoSelect'); autoSelectDisabled = true; },
    cancel() { record('cancel'); const el = document.getElementById('g-onetap'); if (el) el.remove(); },
  } } };
})();`;

/** How a hostile network answers a vendor script's URL. */
export type HostileScriptMode = 'missing' | 'empty' | 'captive-portal' | 'wrong-mime-nosniff' | 'slow';

/** What a test server sends for a script URL: status, headers, body, and how long to wait first. */
export interface StandInResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  delayMs: number;
}

/**
 * The answer of a hostile network for a vendor script whose real body is `script`: `missing`
 * (404), `empty` (an ad blocker's empty script: 200, defines nothing), `captive-portal` (a 200
 * HTML sign-in page), `wrong-mime-nosniff` (the script as `text/plain` with
 * `X-Content-Type-Options: nosniff`, which the browser refuses to run) or `slow` (the script,
 * after `slowMs`).
 */
export function hostileScriptResponse(
  mode: HostileScriptMode,
  script: string,
  slowMs = 5_000,
): StandInResponse {
  const js = { 'content-type': 'text/javascript', 'cache-control': 'no-store' };
  switch (mode) {
    case 'missing':
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found', delayMs: 0 };
    case 'empty':
      return { status: 200, headers: js, body: '/* blocked */', delayMs: 0 };
    case 'captive-portal':
      return {
        status: 200,
        headers: { 'content-type': 'text/html', 'cache-control': 'no-store' },
        body: '<!doctype html><title>Sign in to the Wi-Fi</title><form><button>Accept</button></form>',
        delayMs: 0,
      };
    case 'wrong-mime-nosniff':
      return {
        status: 200,
        headers: {
          'content-type': 'text/plain',
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        },
        body: script,
        delayMs: 0,
      };
    case 'slow':
      return { status: 200, headers: js, body: script, delayMs: slowMs };
  }
}

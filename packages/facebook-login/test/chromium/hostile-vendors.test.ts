/**
 * Real headless Chromium, hostile vendors (issue 16 §1): the real `facebookLogin` and
 * `googleLogin` load their SDKs from a local server that answers as a bad network does — a 404,
 * an empty script, a captive-portal page, the script with a wrong MIME type and `nosniff`, a
 * Content-Security-Policy that blocks it, the script too late — or whose stand-in never calls
 * back, and users who double-click. Every call settles within its deadline and every rejection is
 * an `IdentityPoolError` with a stable name; a failed load is retried on the next sign-in.
 * Skipped loudly without Chromium, failing under CI.
 */
import type { ServerResponse } from 'node:http';
import { chromiumAvailable } from '@identity-pool/testkit/chromium';
import { send } from '@identity-pool/testkit/loopback-page';
import {
  facebookSdkStandIn,
  googleGsiStandIn,
  type HostileScriptMode,
  hostileScriptResponse,
} from '@identity-pool/testkit/vendor-stand-ins';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoginPageFixture, startLoginPage } from './fixture.js';
import type { Attempt } from './hostile-page.js';

const hasChromium = chromiumAvailable('the hostile-vendor Chromium test');

/** The deadlines the page gives its providers (ms). */
const LOAD_TIMEOUT_MS = 1_500;
const SIGN_OUT_TIMEOUT_MS = 1_000;
const PROMPT_TIMEOUT_MS = 1_500;
/** How late the `slow` script arrives: after the load deadline. */
const SLOW_MS = 2_500;
/** Slack for a deadline measured in the page (timers, a busy 2-core machine). */
const SLACK_MS = 1_000;

type Vendor = 'facebook' | 'google';
type Mode = HostileScriptMode | 'ok' | 'flaky';
const scripts: Record<Vendor, { body: string; file: string }> = {
  facebook: { body: facebookSdkStandIn, file: 'sdk.js' },
  google: { body: googleGsiStandIn, file: 'client' },
};

describe.skipIf(!hasChromium)('login providers against hostile vendors, in real Chromium', () => {
  let fixture: LoginPageFixture;
  let origin: string;
  /** The same server under another origin: what a strict CSP refuses. */
  let otherOrigin: string;
  let context: BrowserContext;
  let nonce = 0;
  const requests = new Map<string, number>();

  /** A script URL: `/<vendor>/<mode>/<nonce>/<file>`; `flaky` answers an empty script the first time only. */
  const scriptUrl = (vendor: Vendor, mode: Mode, base = origin) =>
    `${base}/${vendor}/${mode}/${++nonce}/${scripts[vendor].file}`;

  function serveScript(vendor: Vendor, mode: Mode, path: string, res: ServerResponse) {
    const count = (requests.get(path) ?? 0) + 1;
    requests.set(path, count);
    const body = scripts[vendor].body;
    const hostile: HostileScriptMode | undefined =
      mode === 'ok' ? undefined : mode === 'flaky' ? (count === 1 ? 'empty' : undefined) : mode;
    // A slow script is slow the first time only: the retry is a new request.
    const answer =
      hostile && !(hostile === 'slow' && count > 1)
        ? hostileScriptResponse(hostile, body, SLOW_MS)
        : hostileScriptResponse('slow', body, 0);
    setTimeout(() => {
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    }, answer.delayMs);
  }

  beforeAll(async () => {
    fixture = await startLoginPage('./hostile-page.ts', (baseConfig) => (url, response) => {
      const script = /^\/(facebook|google)\/([\w-]+)\/\d+\/(sdk\.js|client)$/.exec(url.pathname);
      if (url.pathname === '/') {
        const config = {
          ...baseConfig,
          facebookSdkUrl: url.searchParams.get('fb'),
          googleSdkUrl: url.searchParams.get('g'),
          loadTimeoutMs: LOAD_TIMEOUT_MS,
          signOutTimeoutMs: SIGN_OUT_TIMEOUT_MS,
          promptTimeoutMs: PROMPT_TIMEOUT_MS,
        };
        // The CSP allows this origin's scripts only (and the inline config), as a strict site does.
        const csp = url.searchParams.has('csp')
          ? { 'content-security-policy': `script-src 'self' 'unsafe-inline'; connect-src *` }
          : undefined;
        send(
          response,
          'text/html',
          `<!doctype html><title>hostile vendors</title>
<script>window.__CONFIG__ = ${JSON.stringify(config)};</script>
<script type="module" src="/page.js"></script>`,
          csp,
        );
      } else if (script) serveScript(script[1] as Vendor, script[2] as Mode, url.pathname, response);
      else return false;
      return true;
    });
    context = fixture.context;
    origin = fixture.page.origin;
    otherOrigin = `http://127.0.0.1:${fixture.page.port}`;
  }, 30_000);

  afterAll(() => fixture?.close());

  /** A fresh page (no vendor global yet) whose providers load from the given URLs. */
  async function open(urls: { fb?: string; g?: string; csp?: boolean }): Promise<Page> {
    const page = await context.newPage();
    const query = new URLSearchParams({
      fb: urls.fb ?? scriptUrl('facebook', 'ok'),
      g: urls.g ?? scriptUrl('google', 'ok'),
      ...(urls.csp ? { csp: '1' } : {}),
    });
    await page.goto(`${origin}/?${query}`);
    await page.waitForFunction('!!window.app');
    return page;
  }

  /** Runs `expression` (a call returning a promise, in the page's `app` scope) through `attempt()`. */
  const attempt = (page: Page, expression: string): Promise<Attempt> =>
    page.evaluate(
      `(() => { const { auth, facebook, google } = window.app; return window.app.attempt(() => ${expression}); })()`,
    );
  const signIn = (page: Page, vendor: Vendor) => attempt(page, `${vendor}.signIn()`);
  /** Starts a call in the page without waiting for it; `settle(page, key)` waits for it. */
  const start = (page: Page, key: string, expression: string) =>
    page.evaluate(
      `(() => { const { auth, facebook, google } = window.app; (window.__started ??= {})[${JSON.stringify(key)}] = window.app.attempt(() => ${expression}); })()`,
    );
  const settle = (page: Page, key: string): Promise<Attempt> =>
    page.evaluate(`window.__started[${JSON.stringify(key)}]`);
  const allow = (page: Page, vendor: Vendor) =>
    page.locator(vendor === 'facebook' ? '#fb-allow' : '#g-continue').click();

  const expectUnavailable = (result: Attempt, reason: string) => {
    expect(result).toMatchObject({
      outcome: 'rejected',
      name: 'LoginProviderUnavailableError',
      isIdentityPoolError: true,
      reason,
    });
  };

  describe.each(['facebook', 'google'] as const)('%s', (vendor) => {
    const urlKey = vendor === 'facebook' ? 'fb' : 'g';

    it('a script that loads without defining the SDK fails by name at once, and the next sign-in loads it again', async () => {
      const url = scriptUrl(vendor, 'flaky');
      const page = await open({ [urlKey]: url });
      const first = await signIn(page, vendor);
      expectUnavailable(first, 'not-defined');
      expect(first.message).toContain(url);
      expect(first.ms).toBeLessThan(LOAD_TIMEOUT_MS);
      // Not cached: a second sign-in requests the script again, and this time it is the SDK.
      await start(page, 'second', `${vendor}.signIn()`);
      await allow(page, vendor);
      expect(await settle(page, 'second')).toMatchObject({ outcome: 'resolved' });
      expect(requests.get(new URL(url).pathname)).toBe(2);
      await page.close();
    });

    it.each([
      ['missing', 'load-failed'],
      ['wrong-mime-nosniff', 'load-failed'],
      ['captive-portal', 'not-defined'],
      ['empty', 'not-defined'],
    ] as const)(
      'a script URL answering %s rejects with LoginProviderUnavailableError (%s) naming the URL',
      async (mode, reason) => {
        const url = scriptUrl(vendor, mode);
        const page = await open({ [urlKey]: url });
        const result = await signIn(page, vendor);
        expectUnavailable(result, reason);
        expect(result.message).toContain(url);
        if (reason === 'load-failed') expect(result.message).toMatch(/Content-Security-Policy.*blocker/);
        await page.close();
      },
    );

    it('a Content-Security-Policy that blocks the script is named in the error', async () => {
      const url = scriptUrl(vendor, 'ok', otherOrigin);
      const page = await open({ [urlKey]: url, csp: true });
      const result = await signIn(page, vendor);
      expectUnavailable(result, 'blocked-by-csp');
      expect(result.message).toMatch(/Content-Security-Policy \(script-src/);
      expect(result.message).toContain(url);
      await page.close();
    });

    it('a script slower than the load deadline fails with reason timeout at the deadline; the next sign-in works', async () => {
      const url = scriptUrl(vendor, 'slow');
      const page = await open({ [urlKey]: url });
      const first = await signIn(page, vendor);
      expectUnavailable(first, 'timeout');
      expect(first.ms).toBeGreaterThanOrEqual(LOAD_TIMEOUT_MS - 50);
      expect(first.ms).toBeLessThan(LOAD_TIMEOUT_MS + SLACK_MS);
      await start(page, 'second', `${vendor}.signIn()`);
      await allow(page, vendor);
      expect(await settle(page, 'second')).toMatchObject({ outcome: 'resolved' });
      await page.close();
    });

    it('a double click opens one dialog, and both calls get the same token (no false LoginCancelledError)', async () => {
      const page = await open({});
      await start(page, 'a', `${vendor}.signIn()`);
      await start(page, 'b', `${vendor}.signIn()`);
      const dialog = vendor === 'facebook' ? '#fb-dialog' : '#g-onetap';
      await page.locator(dialog).first().waitFor();
      await page.waitForTimeout(200); // a second dialog would be on the page by now
      expect(await page.locator(dialog).count()).toBe(1);
      await allow(page, vendor);
      const [a, b] = [await settle(page, 'a'), await settle(page, 'b')];
      expect(a).toMatchObject({ outcome: 'resolved' });
      expect(b).toMatchObject({ outcome: 'resolved' });
      expect(b.value).toBe(a.value);
      await page.close();
    });
  });

  it('a double click on "Continue with Facebook" (two auth.login calls): one dialog, both signed in to one identity', async () => {
    const page = await open({});
    await start(page, 'a', 'auth.login(facebook)');
    await start(page, 'b', 'auth.login(facebook)');
    await page.locator('#fb-dialog').first().waitFor();
    await page.waitForTimeout(200);
    expect(await page.locator('#fb-dialog').count()).toBe(1);
    await allow(page, 'facebook');
    const [a, b] = [await settle(page, 'a'), await settle(page, 'b')];
    expect(a).toMatchObject({ outcome: 'resolved' });
    expect(b).toMatchObject({ outcome: 'resolved' });
    expect((b.value as { identityId: string }).identityId).toBe(
      (a.value as { identityId: string }).identityId,
    );
    expect(await page.evaluate('window.__fbStandIn.calls.filter((c) => c === "login").length')).toBe(1);
    await page.close();
  });

  it('FB.getLoginStatus never calling back: logout() and removeLogin() resolve at the sign-out deadline, reported by name', async () => {
    const page = await open({});
    await start(page, 'fb', 'auth.login(facebook)');
    await allow(page, 'facebook');
    expect(await settle(page, 'fb')).toMatchObject({ outcome: 'resolved' });
    await start(page, 'g', 'auth.login(google)');
    await allow(page, 'google');
    expect(await settle(page, 'g')).toMatchObject({ outcome: 'resolved' });
    await page.evaluate(`window.__standInFaults = { getLoginStatus: 'never' }`);

    const removed = await attempt(page, `auth.removeLogin('graph.facebook.com')`);
    expect(removed).toMatchObject({ outcome: 'resolved' });
    expect(removed.ms).toBeLessThan(SIGN_OUT_TIMEOUT_MS + SLACK_MS);
    expect(await page.evaluate(`window.app.auth.getState().providers`)).toEqual(['accounts.google.com']);

    await start(page, 'fb2', 'auth.login(facebook)');
    await allow(page, 'facebook');
    expect(await settle(page, 'fb2')).toMatchObject({ outcome: 'resolved' });
    const loggedOut = await attempt(page, 'auth.logout()');
    expect(loggedOut).toMatchObject({ outcome: 'resolved' });
    expect(loggedOut.ms).toBeGreaterThanOrEqual(SIGN_OUT_TIMEOUT_MS - 50);
    expect(loggedOut.ms).toBeLessThan(SIGN_OUT_TIMEOUT_MS + SLACK_MS);
    expect(await page.evaluate(`window.app.auth.getState()`)).toMatchObject({
      authenticated: false,
      providers: [],
    });
    const errors = (await page.evaluate('window.app.events')) as { name: string; message: string }[];
    expect(errors.map((e) => e.name)).toEqual(['LoginProviderTimeoutError', 'LoginProviderTimeoutError']);
    expect(errors[0]?.message).toMatch(/facebook: FB\.getLoginStatus did not answer within 1000 ms/);
    await page.close();
  });

  it('Google One Tap never reporting a moment: signIn() rejects with LoginProviderTimeoutError at the prompt deadline', async () => {
    const page = await open({});
    await page.evaluate(`window.__standInFaults = { prompt: 'never' }`);
    const result = await signIn(page, 'google');
    expect(result).toMatchObject({
      outcome: 'rejected',
      name: 'LoginProviderTimeoutError',
      isIdentityPoolError: true,
    });
    expect(result.ms).toBeGreaterThanOrEqual(PROMPT_TIMEOUT_MS - 50);
    expect(result.ms).toBeLessThan(PROMPT_TIMEOUT_MS + SLACK_MS);
    expect(await page.evaluate('window.__gsiStandIn.calls')).toContain('cancel');
    // The prompt was cancelled: with the vendor healthy again, the next sign-in works.
    await page.evaluate(`window.__standInFaults = {}`);
    await start(page, 'again', 'google.signIn()');
    await allow(page, 'google');
    expect(await settle(page, 'again')).toMatchObject({ outcome: 'resolved' });
    await page.close();
  });
});

/**
 * Real headless Chromium: a page signs in with the real `facebookLogin` and `googleLogin`
 * providers, which load localhost stand-ins of the vendors' SDKs (`sdkUrl`), against the
 * Cognito Identity emulator: guest → Facebook (linked, same identity) → Google on top →
 * token expiry and silent renewal → logout. Skipped loudly without Chromium, failing under CI.
 */
import type { Emulator } from '@identity-pool/emulator';
import { chromiumAvailable } from '@identity-pool/testkit/chromium';
import { idpTokenAnswer, send } from '@identity-pool/testkit/loopback-page';
import { facebookSdkStandIn, googleGsiStandIn } from '@identity-pool/testkit/vendor-stand-ins';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoginPageFixture, startLoginPage } from './fixture.js';

const hasChromium = chromiumAvailable('the Chromium login test');

describe.skipIf(!hasChromium)('Facebook and Google login in real Chromium', () => {
  let fixture: LoginPageFixture;
  let emulator: Emulator;
  let origin: string;
  let context: BrowserContext;
  const mints: Record<string, number> = {};

  beforeAll(async () => {
    fixture = await startLoginPage('./page.ts', (baseConfig, emulator) => (url, response, origin) => {
      if (url.pathname === '/') {
        const config = {
          ...baseConfig,
          facebookSdkUrl: `${origin}/connect.facebook.net/en_US/sdk.js`,
          googleSdkUrl: `${origin}/accounts.google.com/gsi/client`,
        };
        send(
          response,
          'text/html',
          `<!doctype html><title>identity-pool login</title>
<button id="guest">Get guest credentials</button>
<button id="facebook">Continue with Facebook</button>
<button id="google">Continue with Google</button>
<button id="logout">Log out</button>
<pre id="state"></pre><pre id="result"></pre>
<script>window.__CONFIG__ = ${JSON.stringify(config)};</script>
<script type="module" src="/page.js"></script>`,
        );
      } else if (url.pathname === '/connect.facebook.net/en_US/sdk.js')
        send(response, 'text/javascript', facebookSdkStandIn);
      else if (url.pathname === '/accounts.google.com/gsi/client')
        send(response, 'text/javascript', googleGsiStandIn);
      else if (url.pathname === '/idp/token') {
        // The IdP's clock is the service's (base clock + offset), as for a real provider.
        const provider = url.searchParams.get('provider')!;
        mints[provider] = (mints[provider] ?? 0) + 1;
        const issuedAt = Math.floor((Date.now() + emulator.clockOffset()) / 1000);
        send(response, 'application/json', idpTokenAnswer(emulator, url, { issuedAt }));
      } else return false;
      return true;
    });
    ({ emulator, origin } = fixture.page);
    context = fixture.context;
  }, 30_000);

  afterAll(() => fixture?.close());

  const state = async (page: Page) => JSON.parse((await page.textContent('#state')) ?? '{}');
  const waitForState = (page: Page, predicate: string) =>
    page.waitForFunction(
      `(() => { const s = window.app.auth.getState(); return ${predicate}; })()`,
      undefined,
      {
        timeout: 10_000,
      },
    );

  it('guest → Facebook (same identity) → Google on top → silent renewal after expiry → logout', async () => {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      // The browser logs each non-2xx answer; the refused refresh (400) is expected.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(origin);
    await page.waitForFunction('!!window.app');

    // A guest, and no vendor script on the page until a login is asked for.
    await page.getByRole('button', { name: 'Get guest credentials' }).click();
    await waitForState(page, "s.status === 'credentialed'");
    const guestId = (await state(page)).identityId as string;
    expect(guestId).toMatch(/^us-east-1:/);
    expect(await page.locator('script[src*="sdk.js"], script[src*="gsi/client"]').count()).toBe(0);

    // Facebook: dismissing the dialog is a LoginCancelledError; then sign in for real.
    await page.getByRole('button', { name: 'Continue with Facebook' }).click();
    await page.locator('#fb-cancel').click();
    await expect.poll(() => page.textContent('#result')).toBe('error LoginCancelledError');
    expect(await page.locator('script[src$="/connect.facebook.net/en_US/sdk.js"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Continue with Facebook' }).click();
    await page.locator('#fb-allow').click();
    await expect.poll(() => page.textContent('#result')).toBe(`ok ${guestId}`);
    expect(await state(page)).toMatchObject({
      status: 'authenticated',
      identityId: guestId,
      authenticated: true,
      providers: ['graph.facebook.com'],
    });
    expect(emulator.identity(guestId)).toMatchObject({
      authenticated: true,
      logins: { 'graph.facebook.com': 'fb-alice' },
    });

    // Google linked on top of Facebook: the same identity holds both logins.
    await page.getByRole('button', { name: 'Continue with Google' }).click();
    await page.locator('#g-continue').click();
    await waitForState(page, "s.providers.length === 2 && s.status === 'authenticated' && !!s.expiration");
    await expect.poll(() => page.textContent('#result')).toBe(`ok ${guestId}`);
    expect(emulator.identity(guestId)?.logins).toEqual({
      'graph.facebook.com': 'fb-alice',
      'accounts.google.com': 'google-alice',
    });

    // Two hours pass for the service and the IdPs: both tokens are expired. The next refresh is
    // refused ("Token expired"), both providers renew silently (FB.getLoginStatus roundtrip,
    // GIS auto-select), and the session keeps its identity without asking the user.
    const before = { ...mints };
    emulator.resetCalls();
    emulator.setClockOffset(2 * 3600_000);
    const renewedId = await page.evaluate(async () => {
      const app = (
        window as unknown as { app: { auth: { getCredentials(o: object): Promise<{ identityId: string }> } } }
      ).app;
      return (await app.auth.getCredentials({ forceRefresh: true })).identityId;
    });
    expect(renewedId).toBe(guestId);
    expect(mints['graph.facebook.com']).toBe(before['graph.facebook.com']! + 1);
    expect(mints['accounts.google.com']).toBe(before['accounts.google.com']! + 1);
    expect(emulator.calls.map((call) => [call.operation, call.errorType ?? 'ok'])).toEqual([
      ['GetCredentialsForIdentity', 'NotAuthorizedException'],
      ['GetCredentialsForIdentity', 'ok'],
    ]);
    expect(await page.evaluate('window.__gsiStandIn.calls')).toContain('prompt:auto');
    expect(await page.evaluate('window.__fbStandIn.calls')).toContain('getLoginStatus:roundtrip');
    expect(await page.locator('#g-onetap, #fb-dialog').count()).toBe(0); // nothing shown to the user
    expect(await state(page)).toMatchObject({
      status: 'authenticated',
      identityId: guestId,
      providers: ['accounts.google.com', 'graph.facebook.com'],
    });

    // Logout: both providers sign out (FB.logout, disableAutoSelect); the next call is a new guest.
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.textContent('#result')).toBe('logged out');
    expect(await state(page)).toMatchObject({ authenticated: false, providers: [] });
    expect(await page.evaluate('window.__fbStandIn.calls')).toContain('logout');
    expect(await page.evaluate('window.__gsiStandIn.calls')).toContain('disableAutoSelect');
    await page.getByRole('button', { name: 'Get guest credentials' }).click();
    await waitForState(page, "s.status === 'credentialed'");
    expect((await state(page)).identityId).not.toBe(guestId);

    const events = (await page.evaluate('window.app.events')) as { type: string; reason?: string }[];
    expect(events.filter((e) => e.type === 'identityChanged').map((e) => e.reason)).toEqual([
      'created',
      'linked',
      'logout',
      'created',
    ]);
    expect(events.filter((e) => e.type === 'loginRequired')).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});

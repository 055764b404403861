/**
 * Real headless Chromium: a page signs in with the real `facebookLogin` and `googleLogin`
 * providers, which load localhost stand-ins of the vendors' SDKs (`sdkUrl`), against the
 * Cognito Identity emulator: guest → Facebook (linked, same identity) → Google on top →
 * token expiry and silent renewal → logout. Skipped loudly without Chromium, failing under CI.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { chromiumArgs } from '@identity-pool/testkit/chromium';
import { facebookSdkStandIn, googleGsiStandIn } from '@identity-pool/testkit/vendor-stand-ins';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true and Chromium is missing at ${CHROMIUM}: install it`);
  console.warn(`\n⚠️  SKIPPING the Chromium login test: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)\n`);
}

const FACEBOOK_APP_ID = 'fb-app-1';
const GOOGLE_CLIENT_ID = 'google-client-1.apps.googleusercontent.com';

describe.skipIf(!hasChromium)('Facebook and Google login in real Chromium', () => {
  let emulator: Emulator;
  let server: Server;
  let origin: string;
  let context: BrowserContext;
  let profileDir: string;
  let identityPoolId: string;
  const mints: Record<string, number> = {};

  beforeAll(async () => {
    emulator = await startEmulator();
    identityPoolId = emulator.createPool({
      supportedLoginProviders: {
        'graph.facebook.com': FACEBOOK_APP_ID,
        'accounts.google.com': GOOGLE_CLIENT_ID,
      },
    }).identityPoolId;
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, 'page.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['source'],
      external: ['@aws-sdk/*'],
      logLevel: 'silent',
    });
    const pageJs = bundle.outputFiles[0]!.text;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const send = (type: string, body: string) => {
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (url.pathname === '/') {
        const config = {
          endpoint: emulator.endpoint,
          identityPoolId,
          facebookAppId: FACEBOOK_APP_ID,
          facebookSdkUrl: `${origin}/connect.facebook.net/en_US/sdk.js`,
          googleClientId: GOOGLE_CLIENT_ID,
          googleSdkUrl: `${origin}/accounts.google.com/gsi/client`,
        };
        send(
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
      } else if (url.pathname === '/page.js') send('text/javascript', pageJs);
      else if (url.pathname === '/connect.facebook.net/en_US/sdk.js')
        send('text/javascript', facebookSdkStandIn);
      else if (url.pathname === '/accounts.google.com/gsi/client') send('text/javascript', googleGsiStandIn);
      else if (url.pathname === '/idp/token') {
        // The IdP's clock is the service's (base clock + offset), as for a real provider.
        const provider = url.searchParams.get('provider')!;
        mints[provider] = (mints[provider] ?? 0) + 1;
        const token = emulator.idp.mintToken(provider, {
          subject: url.searchParams.get('subject')!,
          audience: url.searchParams.get('audience')!,
          issuedAt: Math.floor((Date.now() + emulator.clockOffset()) / 1000),
          expiresInSeconds: 3600,
        });
        send('application/json', JSON.stringify({ token, expiresIn: 3600 }));
      } else {
        res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    profileDir = mkdtempSync(join(tmpdir(), 'identity-pool-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...chromiumArgs],
    });
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    await emulator?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

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

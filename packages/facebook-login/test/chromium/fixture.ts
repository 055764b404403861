/**
 * What the Chromium login tests share: the emulator with a pool that trusts Facebook and Google,
 * the test's page bundled with esbuild and served on loopback (`@identity-pool/testkit/loopback-page`),
 * and headless Chromium on a fresh profile. Each test adds its own routes and page config.
 */
import { launchChromium } from '@identity-pool/testkit/chromium';
import {
  browserBundleOptions,
  type EmulatorPage,
  type PageRoutes,
  send,
  startEmulatorPage,
} from '@identity-pool/testkit/loopback-page';
import { build } from 'esbuild';
import { type BrowserContext, chromium } from 'playwright-core';

export const FACEBOOK_APP_ID = 'fb-app-1';
export const GOOGLE_CLIENT_ID = 'google-client-1.apps.googleusercontent.com';

/** The part of every test page's `window.__CONFIG__` that is not about the vendors' scripts. */
export interface BaseConfig {
  endpoint: string;
  identityPoolId: string;
  facebookAppId: string;
  googleClientId: string;
}

export interface LoginPageFixture {
  readonly page: EmulatorPage;
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Serves `pageEntry` (a TypeScript file of this folder) as `/page.js`; `routes` answer the rest
 * (the HTML at `/`, the vendors' scripts; `/idp/token` unless they take it). The origin is
 * `localhost`, so that 127.0.0.1 on the same port is another origin (what a strict CSP refuses).
 */
export async function startLoginPage(
  pageEntry: string,
  routes: (baseConfig: BaseConfig, emulator: EmulatorPage['emulator']) => PageRoutes,
): Promise<LoginPageFixture> {
  const page = await startEmulatorPage({
    originHost: 'localhost',
    loginProviders: { 'graph.facebook.com': FACEBOOK_APP_ID, 'accounts.google.com': GOOGLE_CLIENT_ID },
    async routes(emulator, identityPoolId) {
      const entry = new URL(pageEntry, import.meta.url).pathname;
      const pageJs = (await build({ ...browserBundleOptions, entryPoints: [entry] })).outputFiles[0]!.text;
      const baseConfig = {
        endpoint: emulator.endpoint,
        identityPoolId,
        facebookAppId: FACEBOOK_APP_ID,
        googleClientId: GOOGLE_CLIENT_ID,
      };
      const testRoutes = routes(baseConfig, emulator);
      return (url, response, origin) => {
        if (url.pathname !== '/page.js') return testRoutes(url, response, origin);
        send(response, 'text/javascript', pageJs);
        return true;
      };
    },
  });
  try {
    const browser = await launchChromium(chromium);
    return {
      page,
      context: browser.context,
      async close() {
        await browser.close();
        await page.close();
      },
    };
  } catch (error) {
    await page.close();
    throw error;
  }
}

/**
 * The Amplify app (examples/amplify-app: aws-amplify 6.22.1 built by Vite, configured with
 * `amplifyCredentialsProvider(auth)` as docs/amplify.md says) in real headless Chromium against the
 * emulator: guest credentials → a user pool sign-in → sign-out → a guest again, clicked through,
 * with every service call counted at the emulator. Skipped loudly without Chromium, failing under
 * CI=true.
 */
import { chromiumAvailable, launchChromium } from '@identity-pool/testkit/chromium';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmplifyApp, startAmplifyApp, USER_POOL_LOGIN } from '../src/serve.js';

const hasChromium = chromiumAvailable('the Amplify app test');

describe.skipIf(!hasChromium)('the Amplify app in real Chromium (aws-amplify 6.22.1, Vite)', () => {
  let app: AmplifyApp;
  let context: BrowserContext;
  let closeChromium: () => Promise<void>;

  beforeAll(async () => {
    app = await startAmplifyApp();
    ({ context, close: closeChromium } = await launchChromium(chromium));
  }, 60_000);

  afterAll(async () => {
    await closeChromium?.();
    await app?.close();
  });

  const text = (page: Page, selector: string) => page.textContent(selector);
  const operations = () => app.emulator.calls.map((call) => call.operation);
  /** Clicks a button and waits for its action to finish (`#result` says `<id>: done`). */
  async function click(page: Page, id: string) {
    await page.locator(`#${id}`).click();
    await expect.poll(() => text(page, '#result')).not.toBe(`${id}: …`);
    expect(await text(page, '#result')).toBe(`${id}: done`);
  }

  it('guest → user pool sign-in (the guest identity linked) → sign-out → a fresh guest', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    /** Requests the page sent anywhere but its own server and the emulator (none expected). */
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const { origin } = new URL(request.url());
      if (![new URL(app.url).origin, new URL(app.emulator.endpoint).origin].includes(origin))
        elsewhere.push(request.url());
    });
    await page.goto(app.url);
    await expect.poll(() => text(page, '#result')).toBe('ready');
    // Configuring Amplify asks the service nothing.
    expect(operations()).toEqual([]);

    await click(page, 'guest');
    const guestId = await text(page, '#identity-id');
    expect(guestId).toMatch(/^us-east-1:/);
    expect(await text(page, '#user')).toBe('guest');
    expect(Date.parse((await text(page, '#expiration')) ?? '')).toBeGreaterThan(Date.now());
    expect(operations()).toEqual(['GetId', 'GetCredentialsForIdentity']);
    expect(app.emulator.identities(app.identityPoolId).map((i) => i.identityId)).toEqual([guestId]);

    await click(page, 'sign-in');
    expect(await text(page, '#user')).toBe('demo-user');
    expect(await text(page, '#identity-id')).toBe(guestId);
    expect(await text(page, '#linked')).toBe('true');
    // One call: the guest identity's credentials with the user pool login, which links it.
    expect(operations()).toEqual(['GetId', 'GetCredentialsForIdentity', 'GetCredentialsForIdentity']);
    expect(app.emulator.identity(guestId ?? '')?.logins).toEqual({ [USER_POOL_LOGIN]: 'demo-user' });

    await click(page, 'sign-out');
    expect(await text(page, '#identity-id')).toBe('—');
    expect(operations()).toHaveLength(3); // signing out is local

    await click(page, 'guest');
    const nextGuest = await text(page, '#identity-id');
    expect(nextGuest).toMatch(/^us-east-1:/);
    expect(nextGuest).not.toBe(guestId);
    expect(await text(page, '#user')).toBe('guest');
    expect(operations()).toEqual([
      'GetId',
      'GetCredentialsForIdentity',
      'GetCredentialsForIdentity',
      'GetId',
      'GetCredentialsForIdentity',
    ]);
    expect(app.emulator.identities(app.identityPoolId)).toHaveLength(2);
    expect(elsewhere).toEqual([]);
    expect(errors).toEqual([]);
  });
});

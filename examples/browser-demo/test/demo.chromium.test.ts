/**
 * The browser demo in real headless Chromium: guest → Facebook (linked) → Google on top → force
 * refresh → another tab (same identity, from localStorage) → logout, each visible on the page
 * (status, highlighted state, identity, countdown, the emulator's calls). Keeps a screenshot in
 * the temp folder, and writes docs/browser-demo.png when it is missing or UPDATE_DEMO_SCREENSHOT=1.
 * Skipped loudly without Chromium, failing under CI=true.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs } from '@identity-pool/testkit/chromium';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/serve.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true and Chromium is missing at ${CHROMIUM}: install it`);
  console.warn(`\n⚠️  SKIPPING the browser demo test: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)\n`);
}
const SCREENSHOT = fileURLToPath(new URL('../../../docs/browser-demo.png', import.meta.url));

describe.skipIf(!hasChromium)('browser demo in real Chromium', () => {
  let demo: Demo;
  let context: BrowserContext;
  let profileDir: string;

  beforeAll(async () => {
    demo = await startDemo();
    profileDir = mkdtempSync(join(tmpdir(), 'identity-pool-demo-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1360, height: 900 },
      args: [...chromiumArgs],
    });
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await demo?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  const status = (page: Page) => page.textContent('#status');
  const current = (page: Page) => page.locator('.state.leaf.active').getAttribute('data-state');
  const callRows = (page: Page) => page.locator('#calls tbody tr');

  it('guest → Facebook → Google → force refresh → another tab → logout', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(demo.url);
    await page.waitForFunction('!!window.demo');

    // The statechart is drawn from the machine: a box per state, nested for `authenticated`.
    // 17, and 5 since a login is a transaction (loggingIn: requesting, saving, undoing, routing).
    expect(await page.locator('.state').count()).toBe(22);
    expect(await page.locator('[data-state="authenticated.loginRequired"]').count()).toBe(1);
    await expect.poll(() => current(page)).toBe('unauthenticated');

    await page.getByRole('button', { name: 'Continue as guest' }).click();
    await expect.poll(() => status(page)).toBe('credentialed');
    expect(await current(page)).toBe('credentialed');
    const guestId = (await page.textContent('#identity-id'))!;
    expect(guestId).toMatch(/^us-east-1:/);
    expect(await page.textContent('#providers')).toBe('guest');
    await expect.poll(() => page.textContent('#countdown')).toMatch(/^(59|60) min \d\d s$/);
    await expect.poll(() => callRows(page).count()).toBe(2); // GetId, GetCredentialsForIdentity

    await page.getByRole('button', { name: 'Continue with Facebook' }).click();
    await page.locator('#fb-allow').click();
    await expect.poll(() => page.textContent('#result')).toBe(`Facebook: ${guestId}`);
    expect(await current(page)).toBe('authenticated.credentialed');
    expect(await page.locator('[data-state="authenticated"]').getAttribute('class')).toContain('active');

    await page.getByRole('button', { name: 'Continue with Google' }).click();
    await page.locator('#g-continue').click();
    await expect.poll(() => page.textContent('#providers')).toBe('accounts.google.com, graph.facebook.com');
    expect(await page.textContent('#identity-id')).toBe(guestId);

    // The table shows what the emulator recorded: GetId, then one GetCredentialsForIdentity each.
    await expect.poll(() => callRows(page).count()).toBe(4);
    await page.getByRole('button', { name: 'Force refresh' }).click();
    await expect.poll(() => page.textContent('#result')).toBe(`refresh: ${guestId}`);
    await expect.poll(() => callRows(page).count()).toBe(5);
    expect(demo.emulator.calls.map((call) => call.operation)).toEqual([
      'GetId',
      ...Array(4).fill('GetCredentialsForIdentity'),
    ]);
    expect(await callRows(page).first().textContent()).toContain('GetCredentialsForIdentity');
    expect(await callRows(page).first().textContent()).toContain('accounts.google.com, graph.facebook.com');
    await expect.poll(() => page.locator('#events li').count()).toBeGreaterThanOrEqual(2);

    await page.screenshot({ path: join(profileDir, 'browser-demo.png'), fullPage: true });
    if (!existsSync(SCREENSHOT) || process.env.UPDATE_DEMO_SCREENSHOT === '1') {
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    }

    // Another tab of the origin starts from the stored identity (a warm start: no GetId), and
    // the two coordinate.
    expect(await page.textContent('#coordination')).toMatch(/^shared with the other tabs/);
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Open another tab' }).click(),
    ]);
    await tab.waitForFunction('!!window.demo');
    await expect.poll(() => tab.textContent('#identity-id')).toBe(guestId);
    expect(demo.emulator.calls.filter((call) => call.operation === 'GetId')).toHaveLength(1);

    // Logging out in the first tab signs out the other one too.
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.textContent('#result')).toBe('logout: done');
    expect(await page.textContent('#identity-id')).toBe('—');
    await expect.poll(() => tab.textContent('#identity-id')).toBe('—');
    await tab.close();
    await page.getByRole('button', { name: 'Continue as guest' }).click();
    await expect.poll(() => status(page)).toBe('credentialed');
    expect(await page.textContent('#identity-id')).not.toBe(guestId);

    const events = (await page.evaluate('window.demo.events')) as { type: string; reason?: string }[];
    expect(events.filter((e) => e.type === 'identityChanged').map((e) => e.reason)).toEqual([
      'created',
      'linked',
      'logout',
      'created',
    ]);
    expect(errors).toEqual([]);
  });
});

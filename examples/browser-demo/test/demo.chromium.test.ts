/**
 * The browser demo in real headless Chromium: guest → Facebook (linked) → Google on top → force
 * refresh → another tab (same identity, from localStorage) → logout, each visible on the page
 * (status, the drawn statechart's current state and last transitions, identity, countdown, the
 * emulator's calls). docs/browser-demo.png is `pnpm demo:screenshot`'s (src/screenshot.ts).
 * Skipped loudly without Chromium, failing under CI=true.
 */
import { chromiumAvailable, launchChromium } from '@identity-pool/testkit/chromium';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/serve.js';

const hasChromium = chromiumAvailable('the browser demo test');

describe.skipIf(!hasChromium)('browser demo in real Chromium', () => {
  let demo: Demo;
  let context: BrowserContext;
  let closeChromium: () => Promise<void>;

  beforeAll(async () => {
    demo = await startDemo();
    ({ context, close: closeChromium } = await launchChromium(chromium, {
      viewport: { width: 1360, height: 900 },
    }));
  }, 30_000);

  afterAll(async () => {
    await closeChromium?.();
    await demo?.close();
  });

  const status = (page: Page) => page.textContent('#status');
  const current = (page: Page) => page.locator('.state.leaf.active').getAttribute('data-state');
  const callRows = (page: Page) => page.locator('#calls tbody tr');
  /** The arrows lit now, as `from → to`, sorted. */
  const litArrows = (page: Page) =>
    page.$$eval('#chart g.arrow.taken', (arrows) =>
      arrows.map((arrow) => `${arrow.getAttribute('data-from')} → ${arrow.getAttribute('data-to')}`).sort(),
    );
  /** Every transition the drawing lit since `from` (an index into window.demo.steps), in order. */
  const litSince = async (page: Page, from: number) => {
    const steps = (await page.evaluate('window.demo.steps')) as {
      from: string;
      to: string;
      text: string;
    }[][];
    return steps.slice(from).map((step) => {
      const last = step.at(-1)!;
      return `${last.from} → ${last.to}: ${last.text}`;
    });
  };
  const stepCount = async (page: Page) => (await page.evaluate('window.demo.steps.length')) as number;

  it('guest → Facebook → Google → force refresh → another tab → logout', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(demo.url);
    await page.waitForFunction('!!window.demo');

    // The statechart is drawn (SVG, by elkjs) from the machine: a box per state, nested for
    // `authenticated`: 17, and 5 since a login is a transaction (loggingIn: requesting, saving,
    // undoing, routing). The last step's transitions are lit: restoring → routing → unauthenticated.
    expect(await page.locator('#chart svg .state').count()).toBe(22);
    expect(await page.locator('#chart svg .arrow').count()).toBeGreaterThan(40);
    expect(await page.locator('[data-state="authenticated.loginRequired"]').count()).toBe(1);
    await expect.poll(() => current(page)).toBe('unauthenticated');
    expect(await litArrows(page)).toEqual(['restoring → routing', 'routing → unauthenticated']);

    // Guest: the highlight follows the machine through identifying and fetching to credentialed,
    // the last step (done obtainCredentials → routing, then always → credentialed) lit, and the
    // chart (at 100 %) scrolled so that the current state is in view.
    let seen = await stepCount(page);
    await page.getByRole('button', { name: 'Continue as guest' }).click();
    await expect.poll(() => status(page)).toBe('credentialed');
    expect(await current(page)).toBe('credentialed');
    await expect.poll(() => litArrows(page)).toEqual(['fetching → routing', 'routing → credentialed']);
    expect(await litSince(page, seen)).toEqual([
      'unauthenticated → identifying: always [wantsSomething & guestAllowed]',
      'identifying → identified: done obtainIdentity',
      'identified → fetching: always [wantsCredentials]',
      'fetching → routing: done obtainCredentials',
      'routing → credentialed: always [hasUsableCredentials]',
    ]);
    expect(await page.textContent('#last-transition')).toBe(
      'fetching → routing (done obtainCredentials), then routing → credentialed (always [hasUsableCredentials])',
    );
    const inView = await page.evaluate(() => {
      const box = document.querySelector('#chart g.state.leaf.active')!.getBoundingClientRect();
      const view = document.getElementById('chart')!.getBoundingClientRect();
      return (
        box.left >= view.left && box.right <= view.right && box.top >= view.top && box.bottom <= view.bottom
      );
    });
    expect(inView).toBe(true);
    const guestId = (await page.textContent('#identity-id'))!;
    expect(guestId).toMatch(/^us-east-1:/);
    expect(await page.textContent('#providers')).toBe('guest');
    await expect.poll(() => page.textContent('#countdown')).toMatch(/^(59|60) min \d\d s$/);
    await expect.poll(() => callRows(page).count()).toBe(2); // GetId, GetCredentialsForIdentity

    // Login: LOGIN (accepted in any state) into loggingIn, then into `authenticated`.
    seen = await stepCount(page);
    await page.getByRole('button', { name: 'Continue with Facebook' }).click();
    await page.locator('#fb-allow').click();
    await expect.poll(() => page.textContent('#result')).toBe(`Facebook: ${guestId}`);
    expect(await current(page)).toBe('authenticated.credentialed');
    expect(await page.locator('[data-state="authenticated"]').getAttribute('class')).toContain('active');
    const login = await litSince(page, seen);
    expect(login[0]).toBe('(any state) → loggingIn: LOGIN');
    expect(login).toContain('loggingIn.routing → routing: always');
    expect(login).toContain('routing → authenticated: always [isAuthenticated]');
    expect(login.at(-1)).toBe(
      'authenticated.routing → authenticated.credentialed: always [hasUsableCredentials]',
    );
    expect(await litArrows(page)).toContain('authenticated.routing → authenticated.credentialed');
    // The drawing and its highlight hold the machine's definition, never the session's secrets.
    const secrets = (await page.evaluate(
      'window.demo.auth.getCredentials().then((c) => [c.secretAccessKey, c.sessionToken])',
    )) as string[];
    const chartPanel = await page.innerHTML('#chart-panel');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      expect(chartPanel).not.toContain(secret);
    }

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
    // Logout: LOGOUT (accepted in any state) straight to unauthenticated, lit alone.
    await expect.poll(() => current(page)).toBe('unauthenticated');
    expect(await litArrows(page)).toEqual(['(any state) → unauthenticated']);
    expect(await page.textContent('#last-transition')).toBe('(any state) → unauthenticated (LOGOUT)');
    expect(await page.locator('#chart .arrow.taken tspan.taken').allTextContents()).toEqual(['LOGOUT']);

    // "Whole chart" fits the drawing to the panel's width; "100 %" draws it at its own size.
    const widths = () =>
      page.evaluate(() => [
        document.querySelector('#chart svg')!.getBoundingClientRect().width,
        document.getElementById('chart')!.clientWidth,
        (document.querySelector('#chart svg') as SVGSVGElement).viewBox.baseVal.width,
      ]);
    await page.getByRole('button', { name: 'Whole chart' }).click();
    const [fitted, panel] = await widths();
    expect(Math.abs(fitted! - panel!)).toBeLessThan(2);
    await page.getByRole('button', { name: '100 %' }).click();
    const [full, , drawing] = await widths();
    expect(full).toBe(drawing);
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

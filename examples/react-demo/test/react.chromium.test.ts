/**
 * `@identity-pool/react` in real headless Chromium with React 19 under StrictMode, against the
 * emulator: guest → Facebook (the stand-in SDK) → logout, clicked through. Checks that StrictMode's
 * double mount makes one working session (one GetId), and counts renders: the status panel commits
 * once per new state of the session and never in between. Skipped loudly without Chromium,
 * failing under CI=true.
 */
import { chromiumAvailable, launchChromium } from '@identity-pool/testkit/chromium';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReactDemo, startReactDemo } from '../src/serve.js';

const hasChromium = chromiumAvailable('the React demo test');

describe.skipIf(!hasChromium)('@identity-pool/react in real Chromium (React 19, StrictMode)', () => {
  let demo: ReactDemo;
  let context: BrowserContext;
  let closeChromium: () => Promise<void>;

  beforeAll(async () => {
    demo = await startReactDemo();
    ({ context, close: closeChromium } = await launchChromium(chromium));
  }, 30_000);

  afterAll(async () => {
    await closeChromium?.();
    await demo?.close();
  });

  const text = (page: Page, selector: string) => page.textContent(selector);
  const renders = (page: Page) => page.evaluate('window.__renders') as Promise<Record<string, number>>;
  const states = (page: Page) => page.evaluate('window.__states') as Promise<string[]>;
  const operations = () => demo.emulator.calls.map((call) => call.operation);

  it('guest → Facebook → logout, one session, one render per state', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(demo.url);

    // StrictMode mounted, unmounted (stopping the first session) and mounted again: the second
    // session is live, not refused as a second one on the same storage.
    await expect.poll(() => text(page, '#status')).toBe('unauthenticated');
    expect(await text(page, '#phase')).toBe('unauthenticated');
    expect(operations()).toEqual([]);
    // Two sessions were made (StrictMode's double mount, seen by the `inspect` option), not one.
    expect(new Set((await page.evaluate('window.__sessions')) as string[]).size).toBe(2);

    await page.locator('#guest').click();
    await expect.poll(() => text(page, '#credentials-status')).toBe('ready');
    expect(await text(page, '#status')).toBe('credentialed');
    const guestId = await text(page, '#identity-id');
    expect(guestId).toMatch(/^us-east-1:/);
    expect(await text(page, '#credentials-identity')).toBe(guestId);
    expect(await text(page, '#providers')).toBe('guest');
    expect(operations()).toEqual(['GetId', 'GetCredentialsForIdentity']);

    await page.locator('#facebook').click();
    await page.locator('#fb-allow').click();
    await expect.poll(() => text(page, '#result')).toBe('facebook: done');
    await expect.poll(() => text(page, '#phase')).toBe('authenticated.credentialed');
    expect(await text(page, '#identity-id')).toBe(guestId); // linked
    expect(await text(page, '#providers')).toBe('graph.facebook.com');
    await expect.poll(() => text(page, '#credentials-status')).toBe('ready');
    expect(await text(page, '#credentials-identity')).toBe(guestId);

    await page.locator('#logout').click();
    await expect.poll(() => text(page, '#result')).toBe('logout: done');
    // The credentials panel still wants credentials: a fresh guest identity, never the old one.
    await expect.poll(() => text(page, '#providers')).toBe('guest');
    await expect.poll(() => text(page, '#credentials-status')).toBe('ready');
    const newGuest = await text(page, '#identity-id');
    expect(newGuest).not.toBe(guestId);
    expect(await text(page, '#credentials-identity')).toBe(newGuest);
    expect(operations().filter((operation) => operation === 'GetId')).toHaveLength(2);

    // Renders: the status panel (on useIdentityPool, behind memo) committed exactly once per new state
    // object of the session — its mount included — and never without one.
    const counted = await renders(page);
    const seen = await states(page);
    const phases = seen.map((json) => (JSON.parse(json) as { phase: string }).phase);
    console.log(
      `React renders: status panel ${counted.status} commits for ${seen.length} states (${phases.join(' → ')}); credentials panel ${counted.credentials} commits`,
    );
    expect(counted.status).toBe(seen.length);
    expect(phases[0]).toBe('starting');
    expect(phases).toContain('credentialed');
    expect(phases).toContain('authenticated.credentialed');
    // Each committed state differs from the one before: no render for an unchanged state.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
    expect(errors).toEqual([]);
  });
});

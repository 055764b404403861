/**
 * Pause while hidden or offline, in real browsers (issue 14 §4): a page whose session holds
 * credentials is hidden (another tab brought to front; a minimized window in WebKitGTK) or taken
 * offline (the driver's offline mode, which fires `offline`/`online`). The emulator issues
 * short-lived credentials so the refresh window opens within seconds, and counts every
 * GetCredentialsForIdentity: none while paused, one on return inside the window, none on return
 * outside it. A control shows that the same session, left visible and online, refreshes by
 * itself in that time — so "none" is the pause, not a timer that had not fired yet.
 *
 * An engine missing here is skipped loudly, and fails the run under CI=true. An engine whose
 * driver cannot take a page offline (WebKitGTK) skips the offline tests, saying why.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LifecycleConfig } from '../src/entries/lifecycle.js';
import { type Engine, engineMissing, engines } from './support/browsers.js';
import {
  type LifecycleBrowser,
  type LifecyclePage,
  launchLifecycleBrowser,
  offlineUnsupported,
} from './support/lifecycle-drivers.js';

/**
 * Credentials live 70 s and the window is 63 s: the window opens 7 s after they are issued, and
 * the session's spread (`refresh-spread.ts`) starts its refresh up to 3.5 s earlier than that.
 */
const SHORT_TTL_SECONDS = 70;
const WINDOW_SECONDS = 63;
/** By then a visible, online session has refreshed (the window opened at most 7 s after issue). */
const PAST_THE_WINDOW_MS = 8_500;

type LifeWindow = {
  __LIFE__: { auth: import('@identity-pool/core').IdentityPoolAuth; events: string[] };
};

const recordErrors =
  "window.__ERRORS__ = []; addEventListener('error', (e) => __ERRORS__.push(String(e.message))); addEventListener('unhandledrejection', (e) => __ERRORS__.push(String(e.reason)));";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const engine of engines) {
  const why = engineMissing(engine);
  if (why && process.env.CI === 'true')
    throw new Error(`CI=true and the ${engine} lifecycle tests cannot run: ${why}`);
  if (why) console.warn(`\n⚠️  SKIPPING the ${engine} lifecycle tests: ${why}\n`);
  describe.skipIf(why !== undefined)(`pause while hidden or offline (headless ${engine})`, () =>
    lifecycleTests(engine),
  );
}

/** The page entry, bundled for the web platform (workspace packages from source). */
async function bundleEntry(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/entries/lifecycle.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function lifecycleTests(engine: Engine) {
  let emulator: Emulator;
  let server: Server;
  let origin: string;
  let browser: LifecycleBrowser;
  let open: LifecyclePage | undefined;

  beforeAll(async () => {
    emulator = await startEmulator();
    const script = await bundleEntry();
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/lifecycle.js') {
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      } else if (url.pathname === '/') {
        const config = JSON.stringify(JSON.parse(url.searchParams.get('config') ?? '{}'));
        response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            `<!doctype html><meta charset="utf-8"><title>lifecycle</title><script>${recordErrors}window.__LIFECYCLE__ = ${config};</script><script type="module" src="/lifecycle.js"></script>`,
          );
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchLifecycleBrowser(engine);
    console.info(`lifecycle tests in ${browser.version}`);
  }, 40_000);
  afterEach(async () => {
    emulator.setCredentialsTtlSeconds(3600);
    await open?.close();
    open = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await emulator?.close();
  });

  /**
   * A page with a session of a fresh pool that has just got credentials living `ttlSeconds`;
   * `issuedAt` is when they were (Node's clock, the emulator's too).
   */
  async function sessionWithCredentials(ttlSeconds: number) {
    emulator.setCredentialsTtlSeconds(ttlSeconds);
    const { identityPoolId } = emulator.createPool();
    const config: LifecycleConfig = {
      endpoint: emulator.endpoint,
      identityPoolId,
      refreshWindowSeconds: WINDOW_SECONDS,
    };
    const page = await browser.open(`${origin}/?config=${encodeURIComponent(JSON.stringify(config))}`);
    open = page;
    await waitFor(() => page.evaluate(() => '__LIFE__' in globalThis), 'the page to load');
    await page.evaluate(async () => {
      await (globalThis as unknown as LifeWindow).__LIFE__.auth.getCredentials();
    });
    const issuedAt = Date.now();
    // Every later credential lives an hour: the refresh under test is the only one due.
    emulator.setCredentialsTtlSeconds(3600);
    const refreshes = () =>
      emulator.calls.filter(
        (call) => call.operation === 'GetCredentialsForIdentity' && call.identityPoolId === identityPoolId,
      ).length;
    expect(refreshes()).toBe(1);
    return { page, issuedAt, refreshes };
  }

  /** Whether the session sees itself paused (`context.paused`: the machine got PAUSE / RESUME). */
  const paused = (page: LifecyclePage) =>
    page.evaluate(
      () => (globalThis as unknown as LifeWindow).__LIFE__.auth.actor.getSnapshot().context.paused,
    );

  /** The page's own record of visibility and connectivity events, and its uncaught errors. */
  const pageReport = (page: LifecyclePage) =>
    page.evaluate(() => ({
      events: (globalThis as unknown as LifeWindow).__LIFE__.events,
      errors: (globalThis as unknown as { __ERRORS__: string[] }).__ERRORS__,
    }));

  /** Polls `check` from Node every 50 ms until it is true; fails after `timeout` ms naming `what`. */
  async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeout = 10_000) {
    const until = Date.now() + timeout;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
      await sleep(50);
    }
  }

  /** Sleeps until `PAST_THE_WINDOW_MS` after `issuedAt`, when a running refresh timer has fired. */
  const pastTheWindow = (issuedAt: number) => sleep(Math.max(0, issuedAt + PAST_THE_WINDOW_MS - Date.now()));

  const conditions = [
    {
      name: 'hidden',
      unsupported: undefined,
      pause: (page: LifecyclePage) => page.hide(),
      resume: (page: LifecyclePage) => page.show(),
      events: ['hidden', 'visible'],
    },
    {
      name: 'offline',
      unsupported: offlineUnsupported[engine],
      pause: (page: LifecyclePage) => page.setOffline!(true),
      resume: (page: LifecyclePage) => page.setOffline!(false),
      events: ['offline', 'online'],
    },
  ] as const;

  it('control: visible and online, the session refreshes by itself once the window opens', async () => {
    const { page, issuedAt, refreshes } = await sessionWithCredentials(SHORT_TTL_SECONDS);
    // Generous: on a loaded machine the timer is late (its delay is the point, not this bound).
    await waitFor(() => refreshes() === 1 + 1, 'the refresh timer', 20_000).catch(async (error) => {
      const seen = { paused: await paused(page), ...(await pageReport(page)) };
      throw new Error(`${(error as Error).message}; the page: ${JSON.stringify(seen)}`);
    });
    console.info(`${engine}: the visible session refreshed ${Date.now() - issuedAt} ms after issue`);
    expect(await paused(page)).toBe(false);
    expect(await pageReport(page)).toEqual({ events: [], errors: [] });
    expect(page.errors).toEqual([]);
  });

  for (const condition of conditions) {
    // Not registered (rather than skipped) where the engine's driver cannot do it: a gap of the
    // engine's automation, stated in the file header and the README, not a missing backend.
    if (condition.unsupported) {
      console.info(`${engine}: no ${condition.name} tests: ${condition.unsupported}`);
      continue;
    }

    it(`${condition.name}: no refresh while ${condition.name}, past the point it was due; one at once on return inside the window`, async () => {
      const { page, issuedAt, refreshes } = await sessionWithCredentials(SHORT_TTL_SECONDS);
      await condition.pause(page);
      await waitFor(() => paused(page), `the session to pause (${condition.name})`);
      await pastTheWindow(issuedAt);
      expect(refreshes()).toBe(1);
      expect(await paused(page)).toBe(true);
      await condition.resume(page);
      await waitFor(() => refreshes() === 2, 'the refresh on return', 10_000);
      expect(await paused(page)).toBe(false);
      // One refresh, and the session serves what it brought without another request.
      await sleep(1_000);
      const expiration = await page.evaluate(async () =>
        (await (globalThis as unknown as LifeWindow).__LIFE__.auth.getCredentials()).expiration.getTime(),
      );
      expect(expiration - Date.now()).toBeGreaterThan(50 * 60_000);
      expect(refreshes()).toBe(2);
      expect(await pageReport(page)).toEqual({ events: [...condition.events], errors: [] });
      expect(page.errors).toEqual([]);
    });

    it(`${condition.name}: on return outside the window, no refresh (the timer is re-armed)`, async () => {
      const { page, refreshes } = await sessionWithCredentials(3600);
      await condition.pause(page);
      await waitFor(() => paused(page), `the session to pause (${condition.name})`);
      await sleep(1_000);
      await condition.resume(page);
      await waitFor(async () => !(await paused(page)), `the session to resume (${condition.name})`);
      await sleep(1_500);
      expect(refreshes()).toBe(1);
      expect(await pageReport(page)).toEqual({ events: [...condition.events], errors: [] });
    });
  }

  if (offlineUnsupported[engine] === undefined)
    it('hidden and offline: visible again but still offline, no refresh; online again, one', async () => {
      const { page, issuedAt, refreshes } = await sessionWithCredentials(SHORT_TTL_SECONDS);
      await page.hide();
      await page.setOffline!(true);
      await waitFor(() => paused(page), 'the session to pause');
      await pastTheWindow(issuedAt);
      await page.show();
      await waitFor(
        async () => (await pageReport(page)).events.includes('visible'),
        'the page to be visible again',
      );
      await sleep(1_000);
      expect(await paused(page)).toBe(true);
      expect(refreshes()).toBe(1);
      await page.setOffline!(false);
      await waitFor(() => refreshes() === 2, 'the refresh on return', 10_000);
      await sleep(1_000);
      expect(refreshes()).toBe(2);
      expect(await pageReport(page)).toEqual({
        events: ['hidden', 'offline', 'visible', 'online'],
        errors: [],
      });
    });
}

/**
 * Many tabs, one identity, in real Chromium and Firefox ESR: one browser context is one origin,
 * its pages are tabs sharing `localStorage`, Web Locks and `BroadcastChannel`. The emulator counts
 * the calls. An engine missing here is skipped loudly, and fails the run under CI=true.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TabsConfig } from '../src/entries/tabs.js';
import {
  type Engine,
  type EngineBrowser,
  engineMissing,
  engines,
  launch,
  type Origin,
  type Tab,
} from './support/browsers.js';
import { bundle } from './support/runners.js';

type Page = Tab;

const TABS = 10;

/** Runs first in each tab: keeps its uncaught errors where any driver can read them. */
const recordErrors =
  "window.__ERRORS__ = []; addEventListener('error', (e) => __ERRORS__.push(String(e.message))); addEventListener('unhandledrejection', (e) => __ERRORS__.push(String(e.reason)));";

type TabWindow = {
  __TAB__: {
    auth: import('@identity-pool/core').IdentityPoolAuth;
    changes: { reason: string; identityId?: string }[];
    loginRequired: string[];
    first: Promise<string>;
  };
};

for (const engine of engines) {
  const why = engineMissing(engine);
  if (why && process.env.CI === 'true')
    throw new Error(`CI=true and the ${engine} tab tests cannot run: ${why}`);
  if (why) console.warn(`\n⚠️  SKIPPING the ${engine} tab tests: ${why}\n`);

  describe.skipIf(why !== undefined)(`many tabs, one identity (headless ${engine})`, () => tabTests(engine));
}

/** The tab tests in one engine: every test, unchanged, in each. */
function tabTests(engine: Engine) {
  let emulator: Emulator;
  let server: Server;
  let origin: string;
  let browser: EngineBrowser;

  beforeAll(async () => {
    emulator = await startEmulator();
    const script = await bundle('tabs');
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/tabs.js') {
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      } else if (url.pathname === '/') {
        const config = JSON.stringify(JSON.parse(url.searchParams.get('config') ?? '{}'));
        response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            `<!doctype html><meta charset="utf-8"><title>tab</title><script>${recordErrors}window.__TABS__ = ${config};</script><script type="module" src="/tabs.js"></script>`,
          );
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch(engine);
    console.info(`tab tests in ${browser.version}`);
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await emulator?.close();
  });

  /** A fresh pool and origin context, and `TABS` tabs opened at once, each asking for credentials on load. */
  async function openTabs(
    persistCredentials: boolean,
    storage: TabsConfig['storage'] = 'local',
    more: Partial<TabsConfig> = {},
  ) {
    const { identityPoolId } = emulator.createPool();
    const config: TabsConfig = {
      endpoint: emulator.endpoint,
      identityPoolId,
      persistCredentials,
      storage,
      ...more,
    };
    const context: Origin = await browser.newOrigin();
    const pages: Page[] = await Promise.all(Array.from({ length: TABS }, () => context.newTab()));
    const url = `${origin}/?config=${encodeURIComponent(JSON.stringify(config))}`;
    await Promise.all(pages.map((page) => page.goto(url)));
    await Promise.all(
      pages.map((page) =>
        page.waitForFunction(() => '__TAB__' in globalThis, undefined, { timeout: 10_000 }),
      ),
    );
    const ids = await Promise.all(
      pages.map((page) => page.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.first)),
    );
    // The driver's own report (Chromium, Firefox) and the page's (every engine, WebKit's only one).
    const recorded = await Promise.all(
      pages.map((page) =>
        page.evaluate(() => (globalThis as unknown as { __ERRORS__: string[] }).__ERRORS__),
      ),
    );
    expect([...pages.flatMap((page) => page.errors), ...recorded.flat()]).toEqual([]);
    const count = (operation: string) =>
      emulator.calls.filter((call) => call.operation === operation && call.identityPoolId === identityPoolId)
        .length;
    return { context, pages, ids, count, identityPoolId, url };
  }

  /** Every tab forgets its identity within `timeout` ms (default 5 s). */
  const signedOutEverywhere = (pages: Page[], timeout = 5_000) =>
    Promise.all(
      pages.map((page) =>
        page.waitForFunction(
          () => (globalThis as unknown as TabWindow).__TAB__.auth.getCachedIdentityId() === undefined,
          undefined,
          { timeout },
        ),
      ),
    );

  const accessKeyOf = (page: Page) =>
    page.evaluate(
      async () => (await (globalThis as unknown as TabWindow).__TAB__.auth.getCredentials()).accessKeyId,
    );

  it(`${TABS} tabs opened at once on a cold start: one GetId and one GetCredentialsForIdentity; a refresh in one tab serves the others`, async () => {
    const { context, pages, ids, count } = await openTabs(false);
    try {
      expect(new Set(ids).size).toBe(1);
      expect(count('GetId')).toBe(1);
      expect(count('GetCredentialsForIdentity')).toBe(1);
      const states = await Promise.all(
        pages.map((page) =>
          page.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.auth.getState()),
        ),
      );
      for (const state of states) expect(state).toMatchObject({ coordination: 'tabs', identityId: ids[0] });
      const keys = new Set(await Promise.all(pages.map(accessKeyOf)));
      expect(keys.size).toBe(1);
      const refreshed = await pages[7]!.evaluate(
        async () =>
          (await (globalThis as unknown as TabWindow).__TAB__.auth.getCredentials({ forceRefresh: true }))
            .accessKeyId,
      );
      expect(keys.has(refreshed)).toBe(false);
      // The other tabs get the refreshed credentials through the channel, without a request.
      await Promise.all(
        pages.map((page) =>
          page.waitForFunction(
            (key) =>
              (globalThis as unknown as TabWindow).__TAB__.auth
                .getCredentials()
                .then((credentials) => credentials.accessKeyId === key),
            refreshed,
            { timeout: 5_000 },
          ),
        ),
      );
      expect(count('GetCredentialsForIdentity')).toBe(2);
      // Without persistCredentials the secrets stay in memory: storage holds the identity only.
      const stored = await pages[0]!.evaluate(() => JSON.stringify({ ...localStorage }));
      expect(stored).toContain(ids[0]);
      expect(stored).not.toMatch(/secretAccessKey|sessionToken/);
    } finally {
      await context.close();
    }
  });

  it('with persistCredentials, the same on a cold start, and a tab opened later makes no request at all', async () => {
    const { context, pages, ids, count, url } = await openTabs(true);
    try {
      expect(new Set(ids).size).toBe(1);
      expect(count('GetId')).toBe(1);
      expect(count('GetCredentialsForIdentity')).toBe(1);
      const late = await context.newTab();
      await late.goto(url);
      await late.waitForFunction(() => '__TAB__' in globalThis, undefined, { timeout: 10_000 });
      expect(await late.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.first)).toBe(ids[0]);
      expect(await accessKeyOf(late)).toBe(await accessKeyOf(pages[0]!));
      expect(count('GetId') + count('GetCredentialsForIdentity')).toBe(2);
    } finally {
      await context.close();
    }
  });

  it(`${TABS} tabs over sessionStorage (one storage per tab): still one GetId and one GetCredentialsForIdentity, and logout reaches every tab`, async () => {
    const { context, pages, ids, count } = await openTabs(true, 'session');
    try {
      expect(new Set(ids).size).toBe(1);
      expect(count('GetId')).toBe(1);
      expect(count('GetCredentialsForIdentity')).toBe(1);
      await pages[2]!.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.auth.logout());
      await signedOutEverywhere(pages);
      // Each tab cleared its own sessionStorage.
      await Promise.all(
        pages.map((page) =>
          page.waitForFunction(() => sessionStorage.length === 0, undefined, { timeout: 5_000 }),
        ),
      );
      const next = await pages[8]!.evaluate(() =>
        (globalThis as unknown as TabWindow).__TAB__.auth.getIdentityId(),
      );
      expect(next).not.toBe(ids[0]);
    } finally {
      await context.close();
    }
  });

  const tabOf = (page: Page) => page.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.first);

  /** Reloads every page at once and returns the identity each one's first call got. */
  async function reloadAll(pages: Page[]) {
    await Promise.all(pages.map((page) => page.reload()));
    await Promise.all(
      pages.map((page) =>
        page.waitForFunction(() => '__TAB__' in globalThis, undefined, { timeout: 10_000 }),
      ),
    );
    return Promise.all(pages.map(tabOf));
  }

  /** Waits until the emulator has received `n` requests of `operation` for the pool. */
  async function requestsArrived(count: (operation: string) => number, operation: string, n: number) {
    const until = Date.now() + 5_000;
    while (count(operation) < n) {
      if (Date.now() > until) throw new Error(`${operation} never reached the emulator`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('logout in one tab signs out every tab', async () => {
    const { context, pages, ids } = await openTabs(true);
    try {
      await pages[3]!.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.auth.logout());
      await signedOutEverywhere(pages);
      for (const page of pages) {
        const changes = await page.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.changes);
        // No identity after the sign-out (checked as a value: WebKit's values cross as JSON, without undefined keys).
        expect(changes.at(-1)?.reason).toBe('logout');
        expect(changes.at(-1)?.identityId).toBeUndefined();
        expect(changes.some((change) => change.reason === 'logout')).toBe(true);
      }
      const stored = await pages[0]!.evaluate(() => Object.keys(localStorage));
      expect(stored).toEqual([]);
      // The next call in any tab is a fresh guest.
      const next = await pages[5]!.evaluate(() =>
        (globalThis as unknown as TabWindow).__TAB__.auth.getIdentityId(),
      );
      expect(next).not.toBe(ids[0]);
    } finally {
      await context.close();
    }
  });

  it('a sign-out reaches every tab at once while the tab holding the lock waits on a hung request (issue 16 §2)', async () => {
    const { context, pages, count } = await openTabs(true);
    try {
      emulator.faults.inject({ kind: 'latency', ms: 12_000, operation: 'GetCredentialsForIdentity' });
      // Tab 0 refreshes: it takes the pool's lock and waits 12 s for the answer.
      pages[0]!
        .evaluate(() =>
          (globalThis as unknown as TabWindow).__TAB__.auth
            .getCredentials({ forceRefresh: true })
            .catch(() => undefined),
        )
        .catch(() => undefined);
      await requestsArrived(count, 'GetCredentialsForIdentity', 2);
      const started = Date.now();
      const loggedOut = pages[3]!.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.auth.logout());
      loggedOut.catch(() => undefined);
      await signedOutEverywhere(pages, 2_000);
      const reachedAll = Date.now() - started;
      await loggedOut;
      const resolved = Date.now() - started;
      console.info(
        `sign-out with a hung request in the lock holder: every tab ${reachedAll} ms, logout() resolved ${resolved} ms`,
      );
      expect(reachedAll).toBeLessThan(2_000);
      expect(resolved).toBeLessThan(2_000);
      expect(await pages[0]!.evaluate(() => Object.keys(localStorage))).toEqual([]);
    } finally {
      emulator.faults.clear();
      await context.close();
    }
  });

  it('a request that hangs fails after requestTimeoutMs as a retryable NetworkError naming the operation (issue 16 §2)', async () => {
    const { context, pages, count } = await openTabs(false, 'local', {
      requestTimeoutMs: 1_000,
      maxAttempts: 2,
    });
    try {
      emulator.faults.inject({
        kind: 'latency',
        ms: 12_000,
        operation: 'GetCredentialsForIdentity',
        count: 2,
      });
      const outcome = await pages[1]!.evaluate(async () => {
        const started = Date.now();
        try {
          await (globalThis as unknown as TabWindow).__TAB__.auth.getCredentials({ forceRefresh: true });
          return { ms: Date.now() - started, name: 'resolved', message: '' };
        } catch (error) {
          return {
            ms: Date.now() - started,
            name: (error as Error).name,
            message: (error as Error).message,
          };
        }
      });
      console.info(`hung request, requestTimeoutMs 1000, 2 attempts: rejected after ${outcome.ms} ms`);
      expect(outcome.name).toBe('NetworkError');
      expect(outcome.message).toContain('GetCredentialsForIdentity');
      expect(outcome.message).toContain('1000 ms');
      // Two attempts of 1 s, and a back-off of at most 100 ms between them.
      expect(outcome.ms).toBeGreaterThanOrEqual(1_900);
      expect(outcome.ms).toBeLessThan(4_000);
      expect(count('GetCredentialsForIdentity')).toBe(3);
    } finally {
      emulator.faults.clear();
      await context.close();
    }
  });

  it('one message with seq Number.MAX_SAFE_INTEGER on the channel does not stop later sign-outs (issue 16 §3c)', async () => {
    const { context, pages, identityPoolId, ids } = await openTabs(false);
    try {
      const post = (message: Record<string, unknown>) =>
        pages[0]!.evaluate(
          ({ name, message }) => {
            const channel = new BroadcastChannel(name);
            channel.postMessage(message);
            channel.close();
          },
          { name: `tabs:identity-pool:${identityPoolId}`, message },
        );
      const guest = { v: 1, identityId: ids[0], authenticated: false, providers: [] };
      await post({ v: 1, seq: Number.MAX_SAFE_INTEGER, type: 'identity', identity: guest });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await pages[4]!.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.auth.logout());
      await signedOutEverywhere(pages);
      // A forged sign-out that far ahead is not one either; the next real one still reaches everyone.
      const again = await Promise.all(
        pages.map((page) =>
          page.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.auth.getIdentityId()),
        ),
      );
      expect(new Set(again).size).toBe(1);
      await post({ v: 1, seq: Number.MAX_SAFE_INTEGER, type: 'signOut' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(
        await pages[2]!.evaluate(() =>
          (globalThis as unknown as TabWindow).__TAB__.auth.getCachedIdentityId(),
        ),
      ).toBe(again[0]);
      await pages[6]!.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.auth.logout());
      await signedOutEverywhere(pages);
    } finally {
      await context.close();
    }
  });

  it('over sessionStorage every tab stores the identity it adopted, so reloading every tab at once makes no second identity (issue 16 §3b)', async () => {
    const { context, pages, ids, count } = await openTabs(false, 'session');
    try {
      expect(new Set(ids).size).toBe(1);
      await Promise.all(
        pages.map((page) =>
          page.waitForFunction((id) => JSON.stringify({ ...sessionStorage }).includes(id), ids[0]!, {
            timeout: 2_000,
          }),
        ),
      );
      for (let round = 0; round < 3; round++) {
        const reloaded = await reloadAll(pages);
        expect(new Set(reloaded)).toEqual(new Set([ids[0]]));
      }
      expect(count('GetId')).toBe(1);
    } finally {
      await context.close();
    }
  });

  /** Every tab serves `identityId`, signed in with `providers`, within 2 s. */
  const everyTabServes = (pages: Page[], identityId: string, providers: string[]) =>
    Promise.all(
      pages.map((page) =>
        page.waitForFunction(
          ({ identityId, providers }) => {
            const s = (globalThis as unknown as TabWindow).__TAB__.auth.getState();
            return (
              s.identityId === identityId &&
              s.authenticated &&
              JSON.stringify(s.providers) === JSON.stringify(providers) &&
              s.status === 'authenticated' &&
              s.expiration !== undefined
            );
          },
          { identityId, providers },
          { timeout: 2_000 },
        ),
      ),
    );

  it('a login in one tab signs every tab in as that user, and a reloaded tab restores it (issue 16 §3a)', async () => {
    const { context, pages, ids, count, url } = await openTabs(false);
    const state = (page: Page) =>
      page.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.auth.getState());
    try {
      const provider = 'graph.facebook.com';
      const first = emulator.idp.mintToken(provider, { subject: 'user-1' });
      const started = Date.now();
      const linked = await pages[0]!.evaluate(
        ({ provider, token }) =>
          (globalThis as unknown as TabWindow).__TAB__.auth.login({ providerName: provider, token }),
        { provider, token: first },
      );
      expect(linked.identityId).toBe(ids[0]);
      await everyTabServes(pages, ids[0]!, [provider]);
      console.info(
        `a login in one tab reached all ${TABS} tabs ${Date.now() - started} ms after login() was called`,
      );
      // Every tab serves the linked identity's credentials, announced as a link; no tab asked again.
      const keys = new Set(await Promise.all(pages.map(accessKeyOf)));
      expect(keys).toEqual(new Set([linked.accessKeyId]));
      expect(count('GetCredentialsForIdentity')).toBe(2);
      for (const page of pages.slice(1)) {
        const changes = await page.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.changes);
        expect(changes.at(-1)).toMatchObject({ reason: 'linked', identityId: ids[0] });
      }
      // Login tokens cross tabs in memory only: storage holds the identity, never the token.
      expect(await pages[4]!.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(first);
      // A reloaded tab restores the signed-in session from the other tabs, not a useless identity.
      await pages[5]!.goto(url);
      await pages[5]!.waitForFunction(() => '__TAB__' in globalThis, undefined, { timeout: 10_000 });
      expect(await tabOf(pages[5]!)).toBe(ids[0]);
      expect(await state(pages[5]!)).toMatchObject({ authenticated: true, providers: [provider] });
      expect(
        await pages[5]!.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.loginRequired),
      ).toEqual([]);
      expect(count('GetCredentialsForIdentity')).toBe(2);
    } finally {
      await context.close();
    }
  });

  it('two tabs signing in as different users at once end with every tab serving the same one (issue 16 §3a)', async () => {
    const { context, pages, count } = await openTabs(false);
    try {
      const provider = 'graph.facebook.com';
      const login = (page: Page, subject: string) =>
        page.evaluate(
          ({ provider, token }) =>
            (globalThis as unknown as TabWindow).__TAB__.auth.login({ providerName: provider, token }),
          { provider, token: emulator.idp.mintToken(provider, { subject }) },
        );
      const [one, two] = await Promise.all([login(pages[2]!, 'user-1'), login(pages[6]!, 'user-2')]);
      expect(one.identityId).not.toBe(two.identityId);
      // The login that resolved last is the one every tab serves (as with a cookie session).
      const final = await pages[0]!.evaluate(async () => {
        const { auth } = (globalThis as unknown as TabWindow).__TAB__;
        for (let i = 0; i < 100 && !auth.getState().authenticated; i++)
          await new Promise((resolve) => setTimeout(resolve, 20));
        return auth.getCachedIdentityId();
      });
      expect([one.identityId, two.identityId]).toContain(final);
      await everyTabServes(pages, final!, [provider]);
      expect(await pages[9]!.evaluate(() => JSON.stringify({ ...localStorage }))).toContain(final);
      for (const page of pages) {
        expect(await page.evaluate(() => (globalThis as unknown as TabWindow).__TAB__.loginRequired)).toEqual(
          [],
        );
      }
      const keys = new Set(await Promise.all(pages.map(accessKeyOf)));
      expect(keys.size).toBe(1);
      console.info(
        `two concurrent logins: ${count('GetCredentialsForIdentity')} GetCredentialsForIdentity, ${count('GetId')} GetId`,
      );
    } finally {
      await context.close();
    }
  });
}

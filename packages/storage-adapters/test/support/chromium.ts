import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs } from '@identity-pool/testkit/chromium';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why headless Chromium cannot run here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return existsSync(chromiumPath)
    ? undefined
    : `no Chromium at ${chromiumPath} (Debian: apt-get install chromium; .ci/run installs it; or set CHROMIUM_PATH)`;
}

/** Bundles a TypeScript entry for the page: workspace packages from source, Node-only ones left out. */
export async function bundleForPage(entry: URL): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    conditions: ['source'],
    // Only reached by code the page never runs (the emulator, the AWS SDK transport).
    external: ['@identity-pool/emulator', '@aws-sdk/*', 'node:*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export interface BrowserPage {
  readonly page: Page;
  readonly origin: string;
  close(): Promise<void>;
}

/** Real headless Chromium with a fresh profile, showing a page that loads `script` from a loopback origin. */
export async function openPage(script: string): Promise<BrowserPage> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/entry.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<!doctype html><meta charset="utf-8"><title>identity-pool storage tests</title><script type="module" src="/entry.js"></script>',
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const profile = await mkdtemp(join(tmpdir(), 'identity-pool-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs],
      timeout: 30_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    await page
      .waitForFunction(() => 'identityPoolTests' in globalThis, undefined, { timeout: 10_000 })
      .catch(() => {
        throw new Error(`the test page did not load: ${errors.join('; ') || 'no page error'}`);
      });
    return {
      page,
      origin,
      async close() {
        await context?.close();
        server.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    server.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `@identity-pool/testkit/chromium` — how this project's tests start headless Chromium (Debian's
 * `/usr/bin/chromium`, driven by playwright-core). The flags keep it off the network: without the
 * background-networking ones it keeps calling Google's hosts, which a closed network refuses.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary: `CHROMIUM_PATH`, else Debian's. */
export const chromiumPath: string = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether Chromium is here for `what` (a test's name). When it is not, says so loudly (the test is
 * to be skipped), and throws under CI=true, where a skipped browser test would hide a failure.
 */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI === 'true')
    throw new Error(`CI=true and Chromium is missing at ${chromiumPath}: install it`);
  console.warn(`\n⚠️  SKIPPING ${what}: no Chromium at ${chromiumPath} (set CHROMIUM_PATH)\n`);
  return false;
}

/** The part of playwright-core's `chromium` used here (so this package does not depend on it). */
export interface PersistentContextLauncher<Context extends { close(): Promise<void> }> {
  launchPersistentContext(
    userDataDir: string,
    options: {
      executablePath: string;
      headless: boolean;
      args: string[];
      viewport?: { width: number; height: number };
    },
  ): Promise<Context>;
}

/** A headless Chromium on a fresh profile; `close()` closes it and deletes the profile. */
export async function launchChromium<Context extends { close(): Promise<void> }>(
  browserType: PersistentContextLauncher<Context>,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<{ context: Context; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'identity-pool-chromium-'));
  try {
    const context = await browserType.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs],
      ...(options.viewport ? { viewport: options.viewport } : {}),
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

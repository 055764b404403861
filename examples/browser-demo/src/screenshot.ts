/**
 * `pnpm demo:screenshot`: docs/browser-demo.png, the picture in the README. Starts the demo,
 * continues as a guest and signs in with Facebook in headless Chromium (`CHROMIUM_PATH`, default
 * /usr/bin/chromium), and shoots the page with the drawn statechart following the session.
 */
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@identity-pool/testkit/chromium';
import { chromium } from 'playwright-core';
import { startDemo } from './serve.js';

const output = fileURLToPath(new URL('../../../docs/browser-demo.png', import.meta.url));
const demo = await startDemo();
const browser = await launchChromium(chromium, { viewport: { width: 1440, height: 900 } });
const { context } = browser;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(demo.url);
  await page.waitForFunction('!!window.demo');
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await page.waitForFunction(() => document.body.dataset.status === 'credentialed');
  await page.getByRole('button', { name: 'Continue with Facebook' }).click();
  await page.locator('#fb-allow').click();
  await page.waitForFunction(() => document.getElementById('result')?.textContent?.startsWith('Facebook: '));
  // The emulator's calls are polled every 500 ms: let the table catch up.
  await page.waitForTimeout(800);
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
  await demo.close();
}

/**
 * `@identity-pool/testkit/chromium` — how this project's tests start headless Chromium (Debian's
 * `/usr/bin/chromium`, driven by playwright-core). The flags keep it off the network: without the
 * background-networking ones it keeps calling Google's hosts, which a closed network refuses.
 */
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

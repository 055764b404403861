/**
 * `@identity-pool/testkit/firefox` — how this project's tests start headless Firefox ESR (Debian's
 * `/usr/bin/firefox-esr`, driven by puppeteer-core over WebDriver BiDi with `browser: 'firefox'`).
 * The preferences keep it off the network: a closed network refuses update, telemetry and
 * captive-portal checks, and each refusal costs time.
 */
export const firefoxPrefs: Readonly<Record<string, boolean>> = {
  'app.update.enabled': false,
  'app.update.auto': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

/** A browser page (Chromium, Firefox): the scenario over `localStorage` (first device) and `sessionStorage` (second). */
import { runScenario, type ScenarioConfig } from '../scenario.js';

const page = globalThis as unknown as { __SCENARIO__: ScenarioConfig; __REPORT__?: unknown };
page.__REPORT__ = await runScenario(browserName(navigator.userAgent), page.__SCENARIO__, {
  storage: localStorage,
  secondStorage: sessionStorage,
});

/** `firefox Firefox/153.0` or `chromium Chrome/…`: the engine, then its version from the user agent. */
function browserName(userAgent: string): string {
  const firefox = userAgent.match(/Firefox\/[\d.]+/)?.[0];
  return firefox ? `firefox ${firefox}` : `chromium ${userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}`;
}

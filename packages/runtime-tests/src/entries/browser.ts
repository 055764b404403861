/** A browser page (Chromium, Firefox, WebKit): the scenario over `localStorage` (first device) and `sessionStorage` (second). */
import { runScenario, type ScenarioConfig } from '../scenario.js';

const page = globalThis as unknown as { __SCENARIO__: ScenarioConfig; __REPORT__?: unknown };
page.__REPORT__ = await runScenario(browserName(navigator.userAgent), page.__SCENARIO__, {
  storage: localStorage,
  secondStorage: sessionStorage,
});

/** `firefox Firefox/153.0`, `chromium Chrome/…` or `webkit AppleWebKit/…`: the engine, then its version. */
function browserName(userAgent: string): string {
  const firefox = userAgent.match(/Firefox\/[\d.]+/)?.[0];
  if (firefox) return `firefox ${firefox}`;
  const chrome = userAgent.match(/Chrome\/[\d.]+/)?.[0];
  return chrome ? `chromium ${chrome}` : `webkit ${userAgent.match(/AppleWebKit\/[\d.]+/)?.[0] ?? ''}`;
}

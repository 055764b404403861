/** Headless Chromium: the scenario over `localStorage` (first device) and `sessionStorage` (second). */
import { runScenario, type ScenarioConfig } from '../scenario.js';

const page = globalThis as unknown as { __SCENARIO__: ScenarioConfig; __REPORT__?: unknown };
page.__REPORT__ = await runScenario(
  `chromium ${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}`,
  page.__SCENARIO__,
  {
    storage: localStorage,
    secondStorage: sessionStorage,
  },
);

/**
 * The shared scenario on the Hermes VM, bundled by Metro with @react-native/babel-preset as a
 * React Native app is. Prints `REPORT <json>` (the scenario's report, the Hermes version, what
 * the replay matched) through the Hermes CLI's `print`.
 */
import './host.js';
import './setup.js';
import { createIdentityPoolAuth, IdentityPoolError } from '@identity-pool/core';
import { runScenario, type ScenarioConfig } from '../scenario.js';
import { checkAppState } from './app-state-check.js';

interface HermesGlobals {
  __HERMES_INPUT__: { config: ScenarioConfig };
  __REPLAY_LOG__: unknown;
  HermesInternal?: { getRuntimeProperties?: () => Record<string, unknown> };
  print(text: string): void;
}
const vm = globalThis as unknown as HermesGlobals;
const properties = vm.HermesInternal?.getRuntimeProperties?.() ?? {};
const version = `hermes ${String(properties['OSS Release Version'] ?? 'unknown')}`;

/** An app passing `endpoint` meets React Native's URL, which has no `URL.canParse`. */
function endpointOption(config: ScenarioConfig): string {
  try {
    createIdentityPoolAuth({ identityPoolId: config.identityPoolId, endpoint: config.endpoint }).stop();
    return 'accepted';
  } catch (error) {
    return error instanceof IdentityPoolError
      ? `${error.name}: ${error.message}`
      : `untyped: ${String(error)}`;
  }
}

runScenario(version, vm.__HERMES_INPUT__.config).then(
  async (report) => {
    const appState = await checkAppState().catch((error: unknown) => ({ error: String(error) }));
    const extra = {
      properties,
      replay: vm.__REPLAY_LOG__,
      endpointOption: endpointOption(vm.__HERMES_INPUT__.config),
      appState,
      globals: {
        fetch: typeof fetch,
        AbortController: typeof AbortController,
        URL: typeof URL,
        queueMicrotask: typeof queueMicrotask,
      },
    };
    vm.print(`REPORT ${JSON.stringify({ ...report, hermes: extra })}`);
  },
  (error: unknown) => vm.print(`REPORT ${JSON.stringify({ ok: false, error: String(error) })}`),
);

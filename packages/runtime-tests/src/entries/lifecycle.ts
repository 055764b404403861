/**
 * One session in a page, for the lifecycle tests (lifecycle.test.ts): the test hides the page or
 * takes it offline through the browser's driver and counts the refreshes at the emulator.
 */
import { createIdentityPoolAuth, fetchTransport } from '@identity-pool/core';

export interface LifecycleConfig {
  endpoint: string;
  identityPoolId: string;
  refreshWindowSeconds: number;
}

const page = globalThis as unknown as {
  __LIFECYCLE__: LifecycleConfig;
  __LIFE__?: {
    auth: ReturnType<typeof createIdentityPoolAuth>;
    /** `visibilitychange`, `online` and `offline` as the page saw them, in order. */
    events: string[];
  };
};
const config = page.__LIFECYCLE__;
const events: string[] = [];
document.addEventListener('visibilitychange', () => events.push(document.visibilityState));
addEventListener('online', () => events.push('online'));
addEventListener('offline', () => events.push('offline'));
page.__LIFE__ = {
  auth: createIdentityPoolAuth({
    identityPoolId: config.identityPoolId,
    transport: fetchTransport({ endpoint: config.endpoint }),
    refreshWindowSeconds: config.refreshWindowSeconds,
  }),
  events,
};

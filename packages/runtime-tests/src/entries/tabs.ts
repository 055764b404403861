/**
 * Headless Chromium, many tabs of one origin: each page creates one session over `localStorage`
 * and exposes it to the test (tabs.test.ts), which drives it with `page.evaluate`.
 */
import { createIdentityPoolAuth, fetchTransport, type IdentityPoolEvents } from '@identity-pool/core';

export interface TabsConfig {
  endpoint: string;
  identityPoolId: string;
  persistCredentials: boolean;
  /** Which Web Storage the tabs use: one shared by the origin, or one per tab. Default `local`. */
  storage?: 'local' | 'session';
  /** Passed on when set (the library's default otherwise). */
  requestTimeoutMs?: number;
  /** Attempts per request, when set. */
  maxAttempts?: number;
}

const page = globalThis as unknown as {
  __TABS__: TabsConfig;
  __TAB__?: {
    auth: ReturnType<typeof createIdentityPoolAuth>;
    changes: IdentityPoolEvents['identityChanged'][];
    loginRequired: string[];
    /** The identity ID of the first `getCredentials()`, asked as soon as the page loads. */
    first: Promise<string>;
  };
};
const config = page.__TABS__;
const auth = createIdentityPoolAuth({
  identityPoolId: config.identityPoolId,
  transport: fetchTransport({ endpoint: config.endpoint }),
  storage: config.storage === 'session' ? sessionStorage : localStorage,
  persistCredentials: config.persistCredentials,
  ...(config.requestTimeoutMs !== undefined ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
  ...(config.maxAttempts !== undefined ? { retry: { maxAttempts: config.maxAttempts } } : {}),
});
const changes: IdentityPoolEvents['identityChanged'][] = [];
const loginRequired: string[] = [];
auth.on('identityChanged', (change) => changes.push(change));
auth.on('loginRequired', ({ providerName }) => loginRequired.push(providerName));
page.__TAB__ = {
  auth,
  changes,
  loginRequired,
  first: auth.getCredentials().then((credentials) => credentials.identityId),
};

/**
 * What the Chromium test pages share (bundled into each): the session over the emulator and the
 * real `facebookLogin` and `googleLogin`, which load the vendors' SDKs from `window.__CONFIG__`'s
 * URLs (localhost stand-ins or hostile answers), with the deadlines a test page may shorten.
 */
import { createIdentityPoolAuth, fetchTransport, type StorageAdapter } from '@identity-pool/core';
import { googleLogin } from '@identity-pool/google-login';
import { facebookLogin } from '../../src/index.js';

export interface PageConfig {
  endpoint: string;
  identityPoolId: string;
  facebookAppId: string;
  facebookSdkUrl: string;
  googleClientId: string;
  googleSdkUrl: string;
  /** Deadlines short enough for a test (ms); the providers' defaults when absent. */
  loadTimeoutMs?: number;
  signOutTimeoutMs?: number;
  promptTimeoutMs?: number;
}

/** Only the deadlines the page was given, so absent ones keep the providers' defaults. */
const given = (deadlines: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(deadlines).filter(([, value]) => value !== undefined));

export function pageSession(storage: StorageAdapter) {
  const config = (window as unknown as { __CONFIG__: PageConfig }).__CONFIG__;
  const { loadTimeoutMs, signOutTimeoutMs, promptTimeoutMs } = config;
  const auth = createIdentityPoolAuth({
    identityPoolId: config.identityPoolId,
    transport: fetchTransport({ endpoint: config.endpoint }),
    storage,
  });
  const facebook = facebookLogin({
    appId: config.facebookAppId,
    sdkUrl: config.facebookSdkUrl,
    ...given({ loadTimeoutMs, signOutTimeoutMs }),
  });
  const google = googleLogin({
    clientId: config.googleClientId,
    sdkUrl: config.googleSdkUrl,
    ...given({ loadTimeoutMs, signOutTimeoutMs, promptTimeoutMs }),
  });
  return { auth, facebook, google };
}

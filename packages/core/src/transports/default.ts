import type { CognitoIdentityTransport } from '../types.js';
import { sdkTransport } from './sdk.js';

/**
 * The transport of a session created without one. This module is what `#default-transport`
 * resolves to outside browser bundles: the AWS SDK client, itself loaded on first use.
 * Browser bundles (the `browser` condition) get `./default.browser.js` instead, so they never
 * contain `@aws-sdk/*`.
 */
export function defaultTransport(options: {
  region: string;
  endpoint?: string | undefined;
}): CognitoIdentityTransport {
  return sdkTransport(options);
}

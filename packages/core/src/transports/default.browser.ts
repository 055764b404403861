import type { CognitoIdentityTransport } from '../types.js';
import { fetchTransport } from './fetch.js';

/**
 * The transport of a session created without one, in browser bundles (the `browser` condition
 * of `#default-transport`): the fetch transport — the same wire protocol and the same errors as
 * the SDK transport, without bundling `@aws-sdk/*`. React Native apps (Metro's `react-native`
 * condition) get it too: `fetch` is there, while the SDK would need crypto and URL polyfills.
 */
export function defaultTransport(options: {
  region: string;
  endpoint?: string | undefined;
}): CognitoIdentityTransport {
  return fetchTransport(options);
}

/**
 * The public surface: every export of the `react-native` entry (index.react-native.ts, which
 * holds the list), and the AWS SDK transport, which that entry leaves out.
 */
export * from './index.react-native.js';
export { type SdkTransportOptions, sdkTransport } from './transports/sdk.js';

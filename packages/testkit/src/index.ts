/**
 * `@identity-pool/testkit`: conformance suites that prove a storage adapter or a login provider
 * works with identity-pool, runner-injected (pass vitest's `it`, or any `(name, fn) => void`).
 */

export {
  type LoginProviderFault,
  type LoginProviderScenario,
  type LoginProviderSuiteOptions,
  loginProviderSuite,
} from './login-provider-suite.js';
export * from './storage-adapter-suite.js';

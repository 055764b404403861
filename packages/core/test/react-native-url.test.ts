/**
 * React Native's global `URL` (Libraries/Blob/URL.js, still in RN 0.88) has a constructor but no
 * `URL.canParse`. Found on Hermes (runtime-tests/test/hermes.test.ts): the `endpoint` option was
 * refused there, as "options could not be read (undefined is not a function)". Validation must
 * use what the runtime has.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, resolveOptions } from '../src/index.js';
import { POOL_ID } from './support/fixtures.js';

const NodeURL = globalThis.URL;

/** React Native's URL, as far as the core can see: it takes any string and has no canParse. */
class ReactNativeURL {
  constructor(readonly href: string) {}
}

describe('options on a runtime whose URL has no canParse (React Native)', () => {
  beforeEach(() => {
    globalThis.URL = ReactNativeURL as unknown as typeof URL;
  });
  afterEach(() => {
    globalThis.URL = NodeURL;
  });

  it('accepts an http(s) endpoint', () => {
    expect(resolveOptions({ identityPoolId: POOL_ID, endpoint: 'http://127.0.0.1:4566/' }).endpoint).toBe(
      'http://127.0.0.1:4566/',
    );
  });

  it('still refuses what is not an http(s) URL, naming endpoint', () => {
    for (const endpoint of ['ftp://example.com', 'http://', 'http://a b', 'example.com']) {
      expect(() => resolveOptions({ identityPoolId: POOL_ID, endpoint })).toThrow(ConfigurationError);
      expect(() => resolveOptions({ identityPoolId: POOL_ID, endpoint })).toThrow(/endpoint/);
    }
  });

  it('and on a runtime with no URL at all', () => {
    // biome-ignore lint/suspicious/noExplicitAny: removing a global for the test
    delete (globalThis as any).URL;
    expect(resolveOptions({ identityPoolId: POOL_ID, endpoint: 'https://proxy.example/' }).endpoint).toBe(
      'https://proxy.example/',
    );
  });
});

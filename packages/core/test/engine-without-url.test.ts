/**
 * Engines embedded in an application (QuickJS, JavaScriptCore's `jsc`, older Hermes) have no
 * global `URL`. The `endpoint` option is still validated there, by its pattern alone: a valid
 * endpoint is taken, an invalid one is refused with a `ConfigurationError` naming `endpoint`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, createIdentityPoolAuth } from '../src/index.js';

const POOL = 'us-east-1:00000000-0000-0000-0000-000000000000';

describe('the endpoint option in an engine without URL', () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'URL')!;
  beforeEach(() => {
    Reflect.deleteProperty(globalThis, 'URL');
  });
  afterEach(() => {
    Object.defineProperty(globalThis, 'URL', saved);
  });

  it('takes a valid endpoint', () => {
    expect(typeof (globalThis as { URL?: unknown }).URL).toBe('undefined');
    const auth = createIdentityPoolAuth({ identityPoolId: POOL, endpoint: 'http://127.0.0.1:4566/' });
    expect(auth.getState().status).not.toBe('failed');
    auth.stop();
  });

  it('refuses an invalid one, naming endpoint', () => {
    expect(() => createIdentityPoolAuth({ identityPoolId: POOL, endpoint: 'ftp://example.com' })).toThrow(
      ConfigurationError,
    );
    expect(() => createIdentityPoolAuth({ identityPoolId: POOL, endpoint: 'http://exa mple.com' })).toThrow(
      /endpoint/,
    );
  });
});

/**
 * `loginProviderSuite`: the conformance tests every identity-pool `LoginProvider` passes.
 * Runner-injected: pass vitest's `it` (or any `(name, fn) => void`); it imports no test library.
 */
import type { LoginProvider, LoginToken } from '@identity-pool/core';

/** Registers one test, like vitest's or jest's `it`/`test`. */
type TestFunction = (name: string, fn: () => Promise<void>) => void;

/** How the provider under test should behave, set up by the suite for each test. */
export interface LoginProviderScenario {
  /** The user dismisses the sign-in dialog: `signIn()` must reject with `LoginCancelledError`. */
  userCancels: boolean;
}

export interface LoginProviderSuiteOptions {
  /** Prefix of every test name; defaults to `login provider`. */
  name?: string;
  /** The `id` the provider must have, if fixed. */
  id?: string;
  /** The `loginsKey` the provider must have, if fixed (e.g. `graph.facebook.com`). */
  loginsKey?: string;
  /** Tokens must carry `expiresAt` (default `true`); when present it must be in the future anyway. */
  requireExpiresAt?: boolean;
  /** Epoch ms, to compare `expiresAt` with; defaults to `Date.now`. */
  now?: () => number;
  /** Called after each test with the provider it made (close windows, servers, …). */
  cleanup?: (provider: LoginProvider) => unknown;
}

class ConformanceError extends Error {
  override name = 'LoginProviderConformanceError';
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message);
}

/**
 * Registers the conformance tests of a login provider: a stable, non-empty `id` and
 * `loginsKey`; `signIn()` resolves a token; a dismissed sign-in rejects with
 * `LoginCancelledError`; `getToken()` renews silently when signed in and answers `null` once
 * signed out; `expiresAt` is in the future; `signOut()` is idempotent.
 *
 * @param makeProvider makes a fresh provider per test; `scenario.userCancels` asks for one whose
 *   user dismisses the sign-in dialog (your fake SDK's "close" button).
 */
export function loginProviderSuite(
  test: TestFunction,
  makeProvider: (scenario: LoginProviderScenario) => LoginProvider | Promise<LoginProvider>,
  options: LoginProviderSuiteOptions = {},
): void {
  const prefix = options.name ?? 'login provider';
  const now = options.now ?? (() => Date.now());
  const requireExpiresAt = options.requireExpiresAt ?? true;

  const run = (name: string, userCancels: boolean, body: (provider: LoginProvider) => Promise<void>) =>
    test(`${prefix}: ${name}`, async () => {
      const provider = await makeProvider({ userCancels });
      try {
        await body(provider);
      } finally {
        await options.cleanup?.(provider);
      }
    });

  const checkToken = (token: LoginToken | null | undefined, from: string): LoginToken => {
    check(token && typeof token === 'object', `${from} must resolve to { token, expiresAt? }, got ${token}`);
    check(
      typeof token.token === 'string' && token.token.length > 0,
      `${from} must resolve to a non-empty token string`,
    );
    if (requireExpiresAt) check(token.expiresAt !== undefined, `${from} must give expiresAt`);
    if (token.expiresAt !== undefined) {
      check(Number.isFinite(token.expiresAt), `${from}: expiresAt must be epoch milliseconds`);
      check(
        token.expiresAt > now(),
        `${from}: expiresAt must be in the future (${new Date(token.expiresAt).toISOString()})`,
      );
      check(token.expiresAt < now() + 400 * 86_400_000, `${from}: expiresAt looks like seconds × 1000 twice`);
    }
    return token;
  };

  run('has a stable, non-empty id and loginsKey', false, async (provider) => {
    check(typeof provider.id === 'string' && provider.id.length > 0, 'id must be a non-empty string');
    check(
      typeof provider.loginsKey === 'string' && provider.loginsKey.length > 0,
      'loginsKey must be a non-empty string',
    );
    check(!/\s/.test(provider.loginsKey), `loginsKey must not contain spaces: "${provider.loginsKey}"`);
    const [id, loginsKey] = [provider.id, provider.loginsKey];
    await provider.signIn();
    check(provider.id === id && provider.loginsKey === loginsKey, 'id and loginsKey must not change');
    const other = await makeProvider({ userCancels: false });
    check(
      other.id === id && other.loginsKey === loginsKey,
      'every instance must have the same id and loginsKey',
    );
    if (options.id !== undefined) check(id === options.id, `id must be "${options.id}", got "${id}"`);
    if (options.loginsKey !== undefined) {
      check(loginsKey === options.loginsKey, `loginsKey must be "${options.loginsKey}", got "${loginsKey}"`);
    }
    check(typeof provider.signIn === 'function', 'signIn must be a function');
  });

  run('signIn() resolves a token whose expiresAt is in the future', false, async (provider) => {
    checkToken(await provider.signIn(), 'signIn()');
  });

  run('a dismissed sign-in rejects with LoginCancelledError', true, async (provider) => {
    let error: unknown;
    try {
      await provider.signIn();
    } catch (caught) {
      error = caught;
    }
    check(error !== undefined, 'signIn() must reject when the user cancels');
    check(
      error instanceof Error && error.name === 'LoginCancelledError',
      `signIn() must reject with LoginCancelledError, got ${error instanceof Error ? error.name : String(error)}`,
    );
  });

  run('getToken() renews silently after signIn(), with expiresAt in the future', false, async (provider) => {
    if (!provider.getToken) return;
    await provider.signIn();
    checkToken(await provider.getToken(), 'getToken() after signIn()');
  });

  run('getToken() resolves null once signed out', false, async (provider) => {
    if (!provider.getToken) return;
    await provider.signIn();
    await provider.signOut?.();
    if (!provider.signOut) return;
    const token = await provider.getToken();
    check(
      token === null,
      `getToken() after signOut() must resolve null, got ${JSON.stringify(token && 'a token')}`,
    );
  });

  run('signOut() is idempotent: before signIn, after it, and twice', false, async (provider) => {
    if (!provider.signOut) return;
    await provider.signOut();
    await provider.signIn();
    await provider.signOut();
    await provider.signOut();
    checkToken(await provider.signIn(), 'signIn() after signOut()');
  });
}

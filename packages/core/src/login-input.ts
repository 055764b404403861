/**
 * A `login()` argument read and checked: a provider is signed in with (its token checked), a
 * token given directly is checked; either way the result is one login entry for the machine.
 */
import { ConfigurationError } from './errors.js';
import { guard, type SessionSecrets } from './redact.js';
import { isIdentityId } from './transports/validate.js';
import type { LoginProvider } from './types.js';

/** A login: a provider to sign in with, or a token you already have. */
export type LoginInput = LoginProvider | { providerName: string; token: string; expiresAt?: number };

const isLoginProvider = (value: unknown): value is LoginProvider =>
  typeof value === 'object' && value !== null && typeof (value as LoginProvider).signIn === 'function';

/** The login to send: a provider's `signIn()` result, or the given token, checked. */
export async function resolveLogin(
  login: LoginInput,
  signal: AbortSignal | undefined,
  secrets: SessionSecrets,
) {
  if (isLoginProvider(login)) {
    if (typeof login.loginsKey !== 'string' || login.loginsKey.length === 0) {
      throw new ConfigurationError(
        'login.loginsKey',
        'must be a non-empty string such as "graph.facebook.com"',
      );
    }
    const token = await guard(
      () => login.signIn(signal ? { signal } : undefined),
      () => secrets,
      { source: 'loginProvider', operation: 'signIn' },
    );
    if (!token || typeof token.token !== 'string' || token.token.length === 0) {
      throw new ConfigurationError(`login(${login.id})`, 'signIn() must resolve to { token: string }');
    }
    if (token.identityId !== undefined && !isIdentityId(token.identityId)) {
      throw new ConfigurationError(
        `login(${login.id})`,
        'signIn() resolved to an identityId that is not an identity ID such as "us-east-1:<guid>"',
      );
    }
    return {
      providerName: login.loginsKey,
      token: token.token,
      expiresAt: token.expiresAt,
      identityId: typeof token.identityId === 'string' ? token.identityId : undefined,
      provider: login,
    };
  }
  if (typeof login !== 'object' || login === null) {
    throw new ConfigurationError('login', 'must be a LoginProvider or { providerName, token }');
  }
  if (
    typeof login.providerName !== 'string' ||
    login.providerName.length === 0 ||
    login.providerName.length > 128
  ) {
    throw new ConfigurationError('login.providerName', 'must be a Logins key of 1 to 128 characters');
  }
  if (typeof login.token !== 'string' || login.token.length === 0 || login.token.length > 50_000) {
    throw new ConfigurationError('login.token', 'must be a token string of 1 to 50000 characters');
  }
  if (login.expiresAt !== undefined && !Number.isFinite(login.expiresAt)) {
    throw new ConfigurationError('login.expiresAt', 'must be epoch milliseconds');
  }
  return {
    providerName: login.providerName,
    token: login.token,
    expiresAt: login.expiresAt,
    provider: undefined,
  };
}

/** A login as `resolveLogin` returns it, ready to send to the machine. */
export type ResolvedLogin = Awaited<ReturnType<typeof resolveLogin>>;

/**
 * `removeLogin(providerName)` checked against the session: a login of its authenticated
 * identity, and not the last one (the identity would become unreachable).
 */
export function checkRemovableLogin<I extends { authenticated?: boolean; providers?: string[] }>(
  providerName: unknown,
  identity: I | undefined,
  logins: Record<string, unknown>,
): I {
  if (typeof providerName !== 'string' || providerName.length === 0) {
    throw new ConfigurationError('providerName', 'must be a Logins key such as "accounts.google.com"');
  }
  const linked = new Set([...(identity?.providers ?? []), ...Object.keys(logins)]);
  if (!identity?.authenticated || !linked.has(providerName)) {
    throw new ConfigurationError('providerName', `"${providerName}" is not a login of this identity`);
  }
  if (linked.size === 1) {
    throw new ConfigurationError(
      'providerName',
      `"${providerName}" is the identity's only login; removing it would make the identity unreachable: call logout() instead`,
    );
  }
  return identity;
}

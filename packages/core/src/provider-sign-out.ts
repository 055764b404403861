/**
 * A provider's `signOut()` as `logout()` and `removeLogin()` call it: bounded in time, never
 * failing the caller. The session's own state is cleared without it; a vendor that fails, throws
 * or never answers is reported (an `error` event) and waited for no longer than the deadline.
 */
import type { TimerClock } from './clock.js';
import { type IdentityPoolError, LoginProviderTimeoutError, toLoginProviderError } from './errors.js';
import type { LoginProvider } from './types.js';

/** The longest `logout()` / `removeLogin()` wait for a provider's `signOut()`. */
export const PROVIDER_SIGN_OUT_TIMEOUT_MS = 5_000;

/**
 * Calls `provider.signOut()` and resolves when it settles or after `timeoutMs`, whichever is
 * first; a failure or the timeout goes to `report` as a typed error. Never rejects.
 */
export function signOutProvider(
  provider: LoginProvider,
  clock: Pick<TimerClock, 'setTimeout' | 'clearTimeout'>,
  report: (error: IdentityPoolError) => void,
  timeoutMs = PROVIDER_SIGN_OUT_TIMEOUT_MS,
): Promise<void> {
  const id = typeof provider.id === 'string' ? provider.id : 'login provider';
  return new Promise<void>((resolve) => {
    let settled = false;
    const finish = (error?: IdentityPoolError) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      if (error) report(error);
      resolve();
    };
    const timer = clock.setTimeout(
      () => finish(new LoginProviderTimeoutError(id, 'signOut', timeoutMs)),
      timeoutMs,
    );
    Promise.resolve()
      .then(() => provider.signOut?.())
      .then(
        () => finish(),
        (error: unknown) => finish(toLoginProviderError(id, 'signOut', error)),
      );
  });
}

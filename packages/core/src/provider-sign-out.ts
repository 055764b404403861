/**
 * A provider's `signOut()` as `logout()` and `removeLogin()` call it: bounded in time, never
 * failing the caller. The session's own state is cleared without it; a vendor that fails, throws
 * or never answers is reported (an `error` event) and waited for no longer than the deadline.
 */
import { race } from './abortable.js';
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
  // What went wrong, if anything: the vendor's failure or, first, the deadline.
  const failure = Promise.resolve()
    .then(() => provider.signOut?.())
    .then(
      () => undefined,
      (error: unknown) => toLoginProviderError(id, 'signOut', error),
    );
  return race<IdentityPoolError | undefined>(failure, {
    timeoutMs,
    timers: clock,
    onTimeout: () => new LoginProviderTimeoutError(id, 'signOut', timeoutMs),
  }).then((error) => {
    if (error) report(error);
  });
}

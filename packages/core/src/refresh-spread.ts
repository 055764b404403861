/**
 * Proactive refreshes spread over the refresh window. Sessions that got their credentials
 * together — a server after a restart, a burst of sign-ins — would otherwise all refresh in the
 * same second, a burst of GetCredentialsForIdentity the service may throttle. Each session
 * refreshes earlier by its own share of the window, derived from its identity ID: stable for
 * one session (tests stay reproducible), spread across many. Earlier only: a refresh still
 * starts no later than `refreshWindowSeconds` before expiry.
 */

/** A stable fraction in [0, 1) of an identity ID (FNV-1a, 32 bits). */
export function spreadFraction(identityId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < identityId.length; i++) {
    hash ^= identityId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}

/**
 * `delay` (until the refresh window opens) made earlier by the identity's share of the window —
 * at most half the delay, so fresh credentials are never refreshed at once.
 */
export function spreadRefreshDelay(delay: number, windowMs: number, identityId: string | undefined): number {
  if (!identityId || delay <= 0) return delay;
  const span = Math.min(windowMs, delay / 2);
  return delay - Math.floor(spreadFraction(identityId) * span);
}

/**
 * What the latest snapshot holds, kept where the hot path reads it without asking the actor: the
 * credentials (and one resolved promise of them) and the logins, whose secrets are redacted from
 * everything the session emits.
 */
import type { Snapshot } from './auth-state.js';
import type { ClockSkew, TimerClock } from './clock.js';
import type { SessionSecrets } from './redact.js';
import { MIN_CREDENTIAL_LIFETIME_MS } from './session.js';
import type { IdentityPoolCredentials } from './types.js';

export interface Latest {
  /** The credentials of the latest snapshot, and a promise of them: the hot path reads only these. */
  readonly credentials: IdentityPoolCredentials | undefined;
  readonly promise: Promise<IdentityPoolCredentials> | undefined;
  /**
   * The service time until which `credentials` are usable (their expiry less the minimum
   * lifetime); `-Infinity` without any. The hot path compares the corrected clock with it.
   */
  readonly usableUntil: number;
  isUsable(credentials: IdentityPoolCredentials | undefined): credentials is IdentityPoolCredentials;
  /** The secrets of what the session holds now. */
  learnSecrets(): void;
  /** Called with every snapshot, before anyone waiting on it is settled. */
  observe(snapshot: Snapshot): void;
}

export function createLatest(secrets: SessionSecrets, clock: TimerClock, skew: ClockSkew): Latest {
  /** Plain fields, not getters: `getCredentials()`'s hot path reads them on every call. */
  const latest = {
    credentials: undefined as IdentityPoolCredentials | undefined,
    promise: undefined as Promise<IdentityPoolCredentials> | undefined,
    usableUntil: Number.NEGATIVE_INFINITY,
    isUsable,
    learnSecrets,
    observe,
  };
  /** The logins of the latest snapshot, whose tokens `secrets` holds. */
  let knownLogins: Snapshot['context']['logins'] | undefined;

  function isUsable(
    credentials: IdentityPoolCredentials | undefined,
  ): credentials is IdentityPoolCredentials {
    // On the service's clock: `expiration` is the service's time.
    return (
      !!credentials &&
      credentials.expiration.getTime() - (clock.now() + skew.offsetMs) > MIN_CREDENTIAL_LIFETIME_MS
    );
  }

  function learnSecrets() {
    const current = latest.credentials;
    secrets.add(current?.secretAccessKey, current?.sessionToken);
    secrets.add(...Object.values(knownLogins ?? {}).map((entry) => entry.token));
  }

  function observe(snapshot: Snapshot) {
    if (snapshot.context.credentials !== latest.credentials) {
      latest.credentials = snapshot.context.credentials;
      latest.promise = latest.credentials && Promise.resolve(latest.credentials);
      latest.usableUntil = latest.credentials
        ? latest.credentials.expiration.getTime() - MIN_CREDENTIAL_LIFETIME_MS
        : Number.NEGATIVE_INFINITY;
      learnSecrets();
    }
    if (snapshot.context.logins !== knownLogins) {
      knownLogins = snapshot.context.logins;
      learnSecrets();
    }
  }

  return latest;
}

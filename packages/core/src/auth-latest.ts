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

export function createLatest(secrets: SessionSecrets, clock: TimerClock, skew: ClockSkew) {
  /** The credentials of the latest snapshot, and a promise of them: the hot path reads only these. */
  let current: IdentityPoolCredentials | undefined;
  let currentPromise: Promise<IdentityPoolCredentials> | undefined;
  /** The logins of the latest snapshot, whose tokens `secrets` holds. */
  let knownLogins: Snapshot['context']['logins'] | undefined;

  const isUsable = (
    credentials: IdentityPoolCredentials | undefined,
  ): credentials is IdentityPoolCredentials =>
    // On the service's clock: `expiration` is the service's time.
    !!credentials &&
    credentials.expiration.getTime() - (clock.now() + skew.offsetMs) > MIN_CREDENTIAL_LIFETIME_MS;

  /** The secrets of what the session holds now. */
  function learnSecrets() {
    secrets.add(current?.secretAccessKey, current?.sessionToken);
    secrets.add(...Object.values(knownLogins ?? {}).map((entry) => entry.token));
  }

  /** Called with every snapshot, before anyone waiting on it is settled. */
  function observe(snapshot: Snapshot) {
    if (snapshot.context.credentials !== current) {
      current = snapshot.context.credentials;
      currentPromise = current && Promise.resolve(current);
      learnSecrets();
    }
    if (snapshot.context.logins !== knownLogins) {
      knownLogins = snapshot.context.logins;
      learnSecrets();
    }
  }

  return {
    get credentials() {
      return current;
    },
    get promise() {
      return currentPromise;
    },
    isUsable,
    learnSecrets,
    observe,
  };
}

/**
 * `login()` calls in flight: each login is sent to the machine with a ticket of its own, the
 * calls for the same token join it, and they settle from that ticket's `loginSettled` only —
 * never from credentials some other login brought.
 */
import type { Actor } from 'xstate';
import { whenAborted } from './abortable.js';
import { AbortError } from './errors.js';
import type { ResolvedLogin } from './login-input.js';
import type { IdentityPoolMachine } from './machine.js';
import type { SessionSecrets } from './redact.js';
import type { IdentityPoolCredentials } from './types.js';

/** A `login()` call waiting for its login's outcome. */
interface LoginCaller {
  resolve(credentials: IdentityPoolCredentials): void;
  reject(error: Error): void;
}

/** One login the machine has not settled, and every `login()` call waiting on it. */
interface PendingLoginCall {
  providerName: string;
  token: string;
  callers: Set<LoginCaller>;
}

/** The `login()` calls of one session. */
export function createLoginCalls(actor: Actor<IdentityPoolMachine>, secrets: SessionSecrets) {
  /** `login()` calls the machine has not settled yet, by ticket (`loginSettled`). */
  const pendingLogins = new Map<number, PendingLoginCall>();
  let lastTicket = 0;

  /** The machine's `loginSettled`: the calls waiting on that ticket resolve or reject. */
  function settle({
    ticket,
    credentials,
    error,
  }: {
    ticket: number;
    credentials?: IdentityPoolCredentials | undefined;
    error?: Error | undefined;
  }) {
    const pending = pendingLogins.get(ticket);
    if (!pending) return;
    pendingLogins.delete(ticket);
    for (const caller of pending.callers) {
      if (credentials) caller.resolve(credentials);
      else caller.reject(error ?? new AbortError());
    }
  }

  /**
   * Sends a login as a transaction with a ticket of its own; the promise settles from that
   * ticket's `loginSettled`. Aborting cancels it: the session stays as if it had not been made.
   */
  function send(entry: ResolvedLogin, signal: AbortSignal | undefined): Promise<IdentityPoolCredentials> {
    // The pending login's token is a secret from now on, before the machine commits it.
    secrets.add(entry.token);
    // The same token again while its login is pending (a double click): this call joins it, so
    // both resolve with the one identity that token links to.
    const joined = [...pendingLogins].find(
      ([, pending]) => pending.providerName === entry.providerName && pending.token === entry.token,
    );
    const ticket = joined?.[0] ?? ++lastTicket;
    const pending = joined?.[1] ?? {
      providerName: entry.providerName,
      token: entry.token,
      callers: new Set(),
    };
    return new Promise<IdentityPoolCredentials>((resolve, reject) => {
      const caller: LoginCaller = {
        resolve: (credentials) => {
          done();
          resolve(credentials);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      // The login itself is cancelled once every caller waiting on it gave up.
      function onAbort() {
        if (!pending.callers.delete(caller)) return;
        reject(new AbortError());
        if (pending.callers.size === 0 && pendingLogins.delete(ticket))
          actor.send({ type: 'LOGIN.CANCEL', ticket });
      }
      pending.callers.add(caller);
      const done = whenAborted(signal, onAbort);
      if (joined) return;
      pendingLogins.set(ticket, pending);
      actor.send({ type: 'LOGIN', ticket, ...entry });
    });
  }

  /** Rejects every `login()` still pending (logout, clear, stop). */
  function rejectAll(error: Error) {
    const pending = [...pendingLogins.values()];
    pendingLogins.clear();
    for (const login of pending) for (const caller of login.callers) caller.reject(error);
  }

  return { settle, send, rejectAll };
}

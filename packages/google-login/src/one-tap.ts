/**
 * One One Tap prompt at a time. GIS has one `initialize` callback per page and ignores a second
 * `prompt()` while one is shown, so every request (an interactive `signIn()`, a silent
 * `getToken()`) joins the prompt in progress: a double click or a renewal during sign-in never
 * ends the user's prompt with a cancel nobody asked for. Both waits have deadlines.
 */
import {
  answerWithin,
  LoginProviderTimeoutError,
  toLoginProviderError,
  withDeadline,
} from '@identity-pool/core';
import type { GoogleIdentityServices, GooglePromptMomentNotification } from './types.js';

/** A prompt in progress: resolves with the credential, or `null` when none will come. */
interface OneTap {
  readonly promise: Promise<string | null>;
  /** A `signIn()` waits on it: a silent deadline must not cancel it. */
  interactive: boolean;
  /** Ends the prompt (once): a credential, `null` (closed, skipped, not shown), or an error. */
  end(result: string | null | Error): void;
}

export interface OneTapSlot {
  /**
   * The credential from the prompt in progress or a new one, `null` when the user closed or
   * skipped it or GIS did not show it. After `timeoutMs` without either, the prompt is cancelled
   * and this rejects with `LoginProviderTimeoutError`; `signal` (every caller gave up) cancels it.
   */
  interactive(google: GoogleIdentityServices, timeoutMs: number, signal: AbortSignal): Promise<string | null>;
  /**
   * The credential auto-select gives, or `null` after `timeoutMs` (then a prompt that no
   * `signIn()` waits on is cancelled).
   */
  silent(google: GoogleIdentityServices, timeoutMs: number): Promise<string | null>;
  /** The `initialize` callback's credential, for the prompt in progress. */
  answer(credential: string | null): void;
}

/** Whether a moment means that no credential will come. */
function endsWithoutCredential(moment: GooglePromptMomentNotification): boolean {
  return !!(
    moment.isNotDisplayed?.() ||
    moment.isSkippedMoment?.() ||
    (moment.isDismissedMoment?.() && moment.getDismissedReason?.() !== 'credential_returned')
  );
}

const timeoutMessage = (providerId: string, ms: number) =>
  `${providerId}: One Tap (google.accounts.id.prompt) neither returned a credential nor reported ` +
  `that it was closed or not shown within ${ms} ms; the prompt was cancelled`;

export function createOneTapSlot(providerId: string): OneTapSlot {
  let current: OneTap | undefined;

  function open(google: GoogleIdentityServices): OneTap {
    let settle!: { resolve: (credential: string | null) => void; reject: (error: Error) => void };
    const promise = new Promise<string | null>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const tap: OneTap = {
      promise,
      interactive: false,
      end(result) {
        if (current !== tap) return;
        current = undefined;
        if (result instanceof Error) settle.reject(result);
        else settle.resolve(result);
      },
    };
    current = tap;
    try {
      google.accounts.id.prompt((moment) => {
        // The credential, when there is one, arrives through the initialize callback.
        if (endsWithoutCredential(moment)) tap.end(null);
      });
    } catch (error) {
      tap.end(toLoginProviderError(providerId, 'google.accounts.id.prompt', error));
    }
    return tap;
  }

  /** Closes the prompt GIS shows (best effort) and ends the request with `result`. */
  function cancel(google: GoogleIdentityServices, tap: OneTap, result: null | Error) {
    try {
      google.accounts.id.cancel?.();
    } catch {
      // Nothing more to close: the request ends anyway.
    }
    tap.end(result);
  }

  return {
    async interactive(google, timeoutMs, signal) {
      const tap = current ?? open(google);
      tap.interactive = true;
      const onAbort = () => cancel(google, tap, null);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await withDeadline(tap.promise, timeoutMs, () => {
          const error = new LoginProviderTimeoutError(
            providerId,
            'google.accounts.id.prompt',
            timeoutMs,
            timeoutMessage(providerId, timeoutMs),
          );
          cancel(google, tap, error);
          return error;
        });
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async silent(google, timeoutMs) {
      const tap = current ?? open(google);
      // No answer in time: not now. A prompt the user is looking at (signIn) is left open.
      const credential = await answerWithin(tap.promise, timeoutMs, () => {
        if (!tap.interactive) cancel(google, tap, null);
      });
      return credential ?? null;
    },
    answer(credential) {
      current?.end(credential);
    },
  };
}

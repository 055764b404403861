/**
 * One One Tap prompt at a time. GIS has one `initialize` callback per page and ignores a second
 * `prompt()` while one is shown, so every request (an interactive `signIn()`, a silent
 * `getToken()`) joins the prompt in progress: a double click or a renewal during sign-in never
 * ends the user's prompt with a cancel nobody asked for.
 */
import { toLoginProviderError } from '@identity-pool/core';
import type { GoogleIdentityServices, GooglePromptMomentNotification } from './types.js';

/** A prompt in progress: resolves with the credential, or `null` when none will come. */
export interface OneTap {
  readonly promise: Promise<string | null>;
  /** A `signIn()` waits on it: a silent deadline must not cancel it. */
  interactive: boolean;
  /** Ends the prompt (once): a credential, `null` (closed, skipped, not shown), or an error. */
  end(result: string | null | Error): void;
}

export interface OneTapSlot {
  /** The prompt in progress, or a new one; `interactive` marks it as the user's. */
  join(google: GoogleIdentityServices, interactive: boolean): OneTap;
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

  return {
    join(google, interactive) {
      const tap = current ?? open(google);
      if (interactive) tap.interactive = true;
      return tap;
    },
    answer(credential) {
      current?.end(credential);
    },
  };
}

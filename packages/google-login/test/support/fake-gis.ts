import { UnsecuredJWT } from 'jose';
import type { GoogleIdConfiguration, GoogleIdentityServices } from '../../src/index.js';

/** An ID token (unsigned: the provider only decodes it) that expires in `seconds`. */
export const idToken = (seconds = 3600, sub = 'google-user') =>
  new UnsecuredJWT({ sub, aud: 'client', iss: 'https://accounts.google.com' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
    .encode();

/**
 * An in-memory GIS: `prompt()` shows One Tap, where the user picks an account (or, with
 * `userCancels`, closes it); once an account was picked, auto-select answers without UI until
 * `disableAutoSelect()`.
 */
export function fakeGoogleIdentityServices({ userCancels = false } = {}) {
  let config: GoogleIdConfiguration | undefined;
  let chosen = false;
  let autoSelectDisabled = false;
  const calls: string[] = [];
  const sdk: GoogleIdentityServices & { calls: string[]; config?: GoogleIdConfiguration } = {
    calls,
    accounts: {
      id: {
        initialize(configuration) {
          calls.push('initialize');
          config = configuration;
          sdk.config = configuration;
        },
        prompt(listener) {
          if (!config) throw new Error('prompt() before initialize()');
          const { callback, auto_select } = config;
          const auto = chosen && auto_select && !autoSelectDisabled;
          calls.push(auto ? 'prompt:auto' : 'prompt:ui');
          queueMicrotask(() => {
            if (!auto && userCancels) {
              listener?.({ isSkippedMoment: () => true, getSkippedReason: () => 'user_cancel' });
              return;
            }
            chosen = true;
            autoSelectDisabled = false;
            callback({ credential: idToken(), select_by: auto ? 'auto' : 'user' });
            listener?.({ isDismissedMoment: () => true, getDismissedReason: () => 'credential_returned' });
          });
        },
        disableAutoSelect() {
          calls.push('disableAutoSelect');
          autoSelectDisabled = true;
        },
        cancel() {
          calls.push('cancel');
        },
      },
    },
  };
  return sdk;
}

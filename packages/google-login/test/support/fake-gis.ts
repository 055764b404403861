import type { LoginProviderFault } from '@identity-pool/testkit';
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
 * `disableAutoSelect()`. A `fault` makes it hostile: `throws` — every call throws a plain Error;
 * `unresponsive` — once an account was picked, `prompt()` never answers (no moment, no credential).
 */
export function fakeGoogleIdentityServices({
  userCancels = false,
  fault,
}: {
  userCancels?: boolean;
  fault?: LoginProviderFault | undefined;
} = {}) {
  let config: GoogleIdConfiguration | undefined;
  let chosen = false;
  let autoSelectDisabled = false;
  const calls: string[] = [];
  const broken = (call: string) => {
    if (fault === 'throws') throw new Error(`${call}: GIS is broken`);
  };
  const sdk: GoogleIdentityServices & { calls: string[]; config?: GoogleIdConfiguration } = {
    calls,
    accounts: {
      id: {
        initialize(configuration) {
          calls.push('initialize');
          broken('initialize');
          config = configuration;
          sdk.config = configuration;
        },
        prompt(listener) {
          if (!config) throw new Error('prompt() before initialize()');
          if (fault === 'unresponsive' && chosen) {
            calls.push('prompt:silent');
            return;
          }
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
          broken('disableAutoSelect');
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

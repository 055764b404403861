/** The part of Google Identity Services (`window.google.accounts.id`) this package calls. */

/** What GIS passes to the `initialize` callback. */
export interface GoogleCredentialResponse {
  /** The ID token (a JWT). */
  credential: string;
  select_by?: string;
  clientId?: string;
}
/** The moment notification `prompt()` reports (the methods this package reads). */
export interface GooglePromptMomentNotification {
  isNotDisplayed?(): boolean;
  isSkippedMoment?(): boolean;
  isDismissedMoment?(): boolean;
  getDismissedReason?(): string;
  getNotDisplayedReason?(): string;
  getSkippedReason?(): string;
}
export interface GoogleIdConfiguration {
  client_id: string;
  callback: (response: GoogleCredentialResponse) => void;
  auto_select?: boolean;
  cancel_on_tap_outside?: boolean;
  use_fedcm_for_prompt?: boolean;
  itp_support?: boolean;
}
/** The part of Google Identity Services (`window.google`) this package calls. */
export interface GoogleIdentityServices {
  accounts: {
    id: {
      initialize(config: GoogleIdConfiguration): void;
      prompt(listener?: (notification: GooglePromptMomentNotification) => void): void;
      disableAutoSelect(): void;
      cancel?(): void;
    };
  };
}

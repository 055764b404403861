/**
 * Sign-outs made elsewhere: another session sharing this storage without sharing tabs (another
 * process, a server) records its sign-out in storage (`sign-out-record.ts`); this session forgets
 * when it finds that record, as a local logout would.
 */
import type { SessionScope } from './auth-wiring.js';
import { SignedOutError, StorageError } from './errors.js';
import { describeError } from './redact.js';

/** Forgets on a sign-out recorded elsewhere; returns the function that stops watching for one. */
export function followSignOutsElsewhere({
  storage,
  store,
  tabs,
  signOutRecord,
  actor,
  isStopped,
  newEpoch,
  rejectAll,
  reportError,
}: SessionScope): () => void {
  // A sign-out recorded in storage by another session (another process): forget, as a local
  // logout would. Found by a request before it writes or serves, or pushed by the adapter.
  signOutRecord.onSignedOut = () => {
    if (isStopped()) return;
    newEpoch();
    // What this session's work in flight would still write belongs to the signed-out identity.
    store.endLeases();
    actor.send({ type: 'LOGOUT' });
    rejectAll(new SignedOutError());
  };
  return watchSignOuts();

  /** Subscribes to the adapter's push of the sign-out record, where it offers one (`StorageAdapter.watch`). */
  function watchSignOuts(): () => void {
    if (tabs.mode !== 'single' || typeof storage.watch !== 'function') return () => {};
    try {
      return storage.watch(store.keys.signedOut, () => {
        if (!isStopped()) void signOutRecord.check();
      });
    } catch (error) {
      // Without the push, sign-outs elsewhere are still found at the next request.
      queueMicrotask(() =>
        reportError(new StorageError('watch', store.keys.signedOut, describeError(error))),
      );
      return () => {};
    }
  }
}

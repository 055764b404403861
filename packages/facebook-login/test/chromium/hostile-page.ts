/**
 * The page of the hostile-vendor Chromium test (bundled with esbuild): a session over the
 * emulator with the real `facebookLogin` and `googleLogin`, whose script URLs and deadlines come
 * from `window.__CONFIG__`, and `attempt()`, which reports how a call ended and how long it took.
 */
import { IdentityPoolError } from '@identity-pool/core';
import { pageSession } from './page-session.js';

const { auth, facebook, google } = pageSession(window.sessionStorage);

const events: { type: string; name?: string; message?: string }[] = [];
auth.on('error', ({ error }) => events.push({ type: 'error', name: error.name, message: error.message }));

/** How a call ended: its value, or its error's name and message, or still pending after `capMs`. */
export interface Attempt {
  outcome: 'resolved' | 'rejected' | 'pending';
  value?: unknown;
  name?: string;
  message?: string;
  reason?: string;
  isIdentityPoolError?: boolean;
  ms: number;
}

function attempt(run: () => Promise<unknown>, capMs = 6_000): Promise<Attempt> {
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  let outcome: Promise<Attempt>;
  try {
    outcome = run().then(
      (value): Attempt => ({
        outcome: 'resolved',
        value: (value as { token?: unknown })?.token ?? value,
        ms: ms(),
      }),
      (error: unknown): Attempt => ({
        outcome: 'rejected',
        name: (error as Error)?.name,
        message: String((error as Error)?.message),
        reason: (error as { reason?: string })?.reason,
        isIdentityPoolError: error instanceof IdentityPoolError,
        ms: ms(),
      }),
    );
  } catch (error) {
    outcome = Promise.resolve({
      outcome: 'rejected',
      name: (error as Error)?.name,
      message: String(error),
      ms: ms(),
    });
  }
  const cap = new Promise<Attempt>((resolve) =>
    setTimeout(() => resolve({ outcome: 'pending', ms: ms() }), capMs),
  );
  return Promise.race([outcome, cap]);
}

Object.assign(window, { app: { auth, facebook, google, events, attempt } });

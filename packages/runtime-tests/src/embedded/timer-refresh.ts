/**
 * The refresh timer on the host's timers: a session whose credentials enter the refresh window a
 * few seconds after they are issued must fetch new ones by itself, with no call to wait on. In an
 * embedded engine that timer is the host's `setTimeout` (QuickJS) or the engine's under a
 * cancellable wrapper (`jsc`): this is the run that shows either one drives core.
 */
import { type CognitoIdentityTransport, createIdentityPoolAuth } from '@identity-pool/core';

export interface TimerRefreshReport {
  runtime: string;
  ok: boolean;
  identityId?: string;
  /** Access key IDs and expirations (epoch ms) before and after the timer fired. */
  before?: { accessKeyId: string; expiration: number };
  after?: { accessKeyId: string; expiration: number };
  /** How long after the first credentials the timer's credentials arrived, in ms. */
  elapsedMs?: number;
  error?: string;
}

export interface TimerRefreshOptions {
  identityPoolId: string;
  transport: CognitoIdentityTransport;
  refreshWindowSeconds: number;
  /** Give up after this long without a refresh. */
  timeoutMs: number;
}

/** Gets guest credentials, then waits for the refresh timer to bring the next ones. */
export async function runTimerRefresh(
  runtime: string,
  options: TimerRefreshOptions,
): Promise<TimerRefreshReport> {
  const auth = createIdentityPoolAuth({
    identityPoolId: options.identityPoolId,
    transport: options.transport,
    refreshWindowSeconds: options.refreshWindowSeconds,
    retry: { maxAttempts: 1 },
  });
  try {
    const first = await auth.getCredentials();
    const startedAt = Date.now();
    const before = { accessKeyId: first.accessKeyId, expiration: first.expiration.getTime() };
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => {
        off();
        reject(new Error(`no refresh within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      const off = auth.on('credentials', ({ expiration }) => {
        if (expiration.getTime() <= before.expiration) return;
        clearTimeout(timeout);
        off();
        resolve();
      });
    });
    const elapsedMs = Date.now() - startedAt;
    // Served from the session, not fetched: the timer already brought them.
    const next = await auth.getCredentials();
    return {
      runtime,
      ok: next.accessKeyId !== first.accessKeyId && next.identityId === first.identityId,
      identityId: first.identityId,
      before,
      after: { accessKeyId: next.accessKeyId, expiration: next.expiration.getTime() },
      elapsedMs,
    };
  } catch (error) {
    return {
      runtime,
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  } finally {
    auth.stop();
  }
}

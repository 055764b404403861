/**
 * No request waits forever (issue 16 §2): every service request has a deadline,
 * `requestTimeoutMs`, applied where the session calls its transport — so it holds for the real
 * SDK transport against a hanging emulator and for a custom transport that ignores its signal.
 */
import { describe, expect, it } from 'vitest';
import { createIdentityPoolAuth } from '../../src/auth.js';
import { ConfigurationError, NetworkError } from '../../src/errors.js';
import { resolveOptions } from '../../src/options.js';
import { fetchTransport } from '../../src/transports/fetch.js';
import type { CognitoIdentityTransport } from '../../src/types.js';
import { useEmulator } from '../support/emulator.js';
import { IDENTITY_A, POOL_ID } from '../support/fixtures.js';

const env = useEmulator();

describe('requestTimeoutMs', () => {
  it('defaults to 10 000 ms and is validated', () => {
    expect(resolveOptions({ identityPoolId: POOL_ID }).requestTimeoutMs).toBe(10_000);
    for (const bad of [0, 99, 300_001, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1000']) {
      const attempt = () => resolveOptions({ identityPoolId: POOL_ID, requestTimeoutMs: bad });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/requestTimeoutMs/);
    }
  });

  it('a request to a hanging service (real SDK transport) fails after the deadline as a retryable NetworkError', async () => {
    // The SDK is loaded on first use, inside the first request's deadline: load it first.
    await env.auth({ identityPoolId: env.pool() }).getIdentityId();
    const identityPoolId = env.pool();
    env.emulator.faults.inject({ kind: 'latency', ms: 10_000, operation: 'GetId', count: 2 });
    const auth = env.auth({
      identityPoolId,
      requestTimeoutMs: 500,
      retry: { maxAttempts: 3, baseDelayMs: 1 },
    });
    const started = Date.now();
    // Two attempts hang and time out; the third is answered.
    const id = await auth.getIdentityId();
    const elapsed = Date.now() - started;
    expect(id).toMatch(/^us-east-1:/);
    expect(env.calls(identityPoolId, 'GetId')).toHaveLength(3);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('the last attempt timing out rejects with NetworkError naming the operation and the deadline', async () => {
    const identityPoolId = env.pool();
    env.emulator.faults.inject({ kind: 'latency', ms: 10_000, operation: 'GetId', count: 2 });
    const auth = env.auth({
      identityPoolId,
      requestTimeoutMs: 200,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const error = await auth.getIdentityId().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).name).toBe('NetworkError');
    expect((error as NetworkError).operation).toBe('GetId');
    expect((error as Error).message).toBe(
      'GetId failed: network error: no answer within 200 ms (requestTimeoutMs)',
    );
  });

  it('holds for a custom transport that ignores its signal; the signal it was given is aborted', async () => {
    const signals: AbortSignal[] = [];
    const transport: CognitoIdentityTransport = {
      getId: async () => ({ identityId: IDENTITY_A }),
      getCredentialsForIdentity: ({ signal }) => {
        if (signal) signals.push(signal);
        return new Promise(() => {});
      },
    };
    const auth = createIdentityPoolAuth({
      identityPoolId: POOL_ID,
      transport,
      requestTimeoutMs: 150,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    try {
      const error = await auth.getCredentials().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).operation).toBe('GetCredentialsForIdentity');
      expect(signals).toHaveLength(2);
      expect(signals.every((signal) => signal.aborted)).toBe(true);
      expect(signals[0]?.reason).toBeInstanceOf(NetworkError);
    } finally {
      auth.stop();
    }
  });

  it('the attempts of one request share one signal until one times out, so a transport can tell retries apart', async () => {
    const identityPoolId = env.pool();
    env.emulator.faults.inject({ kind: 'throttle', operation: 'GetId', count: 2 });
    const inner = fetchTransport({ endpoint: env.emulator.endpoint });
    const signals: AbortSignal[] = [];
    const transport: CognitoIdentityTransport = {
      getId: (input) => {
        if (input.signal) signals.push(input.signal);
        return inner.getId(input);
      },
      getCredentialsForIdentity: (input) => inner.getCredentialsForIdentity(input),
    };
    const auth = env.auth({ identityPoolId, transport, retry: { maxAttempts: 3, baseDelayMs: 1 } });
    await expect(auth.getIdentityId()).resolves.toMatch(/^us-east-1:/);
    expect(signals).toHaveLength(3);
    expect(new Set(signals).size).toBe(1);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('an attempt that timed out has its signal aborted; the retry after it gets a fresh one', async () => {
    const identityPoolId = env.pool();
    env.emulator.faults.inject({ kind: 'latency', ms: 10_000, operation: 'GetId', count: 1 });
    const inner = fetchTransport({ endpoint: env.emulator.endpoint });
    const signals: AbortSignal[] = [];
    const transport: CognitoIdentityTransport = {
      getId: (input) => {
        if (input.signal) signals.push(input.signal);
        return inner.getId(input);
      },
      getCredentialsForIdentity: (input) => inner.getCredentialsForIdentity(input),
    };
    const auth = env.auth({ identityPoolId, transport, requestTimeoutMs: 200, retry: { maxAttempts: 2 } });
    await expect(auth.getIdentityId()).resolves.toMatch(/^us-east-1:/);
    expect(signals).toHaveLength(2);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBeInstanceOf(NetworkError);
    expect(signals[1]).not.toBe(signals[0]);
    expect(signals[1]?.aborted).toBe(false);
  });
});

import { type Emulator, type PoolOptions, startEmulator } from '@identity-pool/emulator';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  createIdentityPoolAuth,
  type IdentityPoolAuth,
  type IdentityPoolAuthOptions,
} from '../../src/index.js';
import type { ControlledClock } from './controlled-clock.js';

/**
 * One emulator per test file, a fresh pool per `pool()` call, and `auth()` sessions over the
 * real AWS SDK transport that are stopped after each test.
 */
export function useEmulator(options: { clock?: ControlledClock } = {}) {
  let emulator: Emulator | undefined;
  const sessions: IdentityPoolAuth[] = [];
  beforeAll(async () => {
    emulator = await startEmulator(options.clock ? { clock: options.clock } : {});
  });
  afterEach(() => {
    for (const session of sessions.splice(0)) session.stop();
    emulator?.faults.clear();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const env = {
    get emulator(): Emulator {
      if (!emulator) throw new Error('the emulator is not started yet');
      return emulator;
    },
    /** A new pool; its calls are the only ones `calls()` counts. */
    pool(poolOptions: PoolOptions = {}): string {
      return env.emulator.createPool(poolOptions).identityPoolId;
    },
    /** The service calls made for `identityPoolId` (or its identities) so far. */
    calls(identityPoolId: string, operation?: string) {
      const identities = new Set(env.emulator.identities(identityPoolId).map((i) => i.identityId));
      return env.emulator.calls.filter(
        (call) =>
          (call.identityPoolId === identityPoolId || (call.identityId && identities.has(call.identityId))) &&
          (!operation || call.operation === operation),
      );
    },
    auth(authOptions: Omit<IdentityPoolAuthOptions, 'endpoint'> & { endpoint?: string }): IdentityPoolAuth {
      const session = createIdentityPoolAuth({
        endpoint: env.emulator.endpoint,
        retry: { baseDelayMs: 1 },
        ...(options.clock ? { clock: options.clock } : {}),
        ...authOptions,
      });
      sessions.push(session);
      return session;
    },
  };
  return env;
}

/** Collects every event an auth session emits. */
export function recordEvents(auth: IdentityPoolAuth) {
  const events: Array<{ type: string; [key: string]: unknown }> = [];
  for (const type of ['identityChanged', 'credentials', 'error', 'loginRequired'] as const) {
    auth.on(type, (event) => events.push({ type, ...event }));
  }
  return events;
}

/**
 * Sign-outs are shared wherever the identity is shared (issue 12 §3): sessions over one storage
 * through different adapter objects — as server processes over one Redis are — against the
 * emulator through the real AWS SDK transport. A `logout()` in one is honoured by the others
 * before they write or serve; a storage that lost its keys is still recovered by re-saving.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, type IdentityPoolAuth, memoryStorage } from '../../src/index.js';
import { recordEvents, useEmulator } from '../support/emulator.js';
import { sharedStorage } from '../support/shared-storage.js';

const env = useEmulator();
const FACEBOOK = 'graph.facebook.com';
const identityKey = (pool: string) => `identity-pool:v1:${pool}:identity`;

/** Alice signed in through process A, and process B serving her from the same storage. */
async function aliceOnTwoProcesses(options: { pushToB?: boolean } = {}) {
  const pool = env.pool();
  const shared = sharedStorage();
  const token = () => env.emulator.idp.mintToken(FACEBOOK, { subject: 'alice' });
  const a = env.auth({ identityPoolId: pool, storage: shared.adapter({ push: true }) });
  const alice = await a.login({ providerName: FACEBOOK, token: token() });
  const b = env.auth({
    identityPoolId: pool,
    storage: shared.adapter({ push: options.pushToB ?? false }),
    logins: { [FACEBOOK]: token() },
  });
  const onB = await b.getCredentials();
  expect(onB.identityId).toBe(alice.identityId);
  expect(b.getState().authenticated).toBe(true);
  return { pool, shared, a, b, aliceId: alice.identityId, token };
}

const storedIdentityId = (shared: ReturnType<typeof sharedStorage>, pool: string) => {
  const raw = shared.items.get(identityKey(pool));
  return raw === undefined ? undefined : (JSON.parse(raw) as { identityId: string }).identityId;
};

describe('a sign-out in one process, storage only', () => {
  it('reaches the other at its next refresh: it forgets, rejects with SignedOutError, writes nothing back', async () => {
    const { pool, shared, a, b, aliceId } = await aliceOnTwoProcesses();
    const events = recordEvents(b);
    await a.logout();
    expect(storedIdentityId(shared, pool)).toBeUndefined();

    const refresh = b.getCredentials({ forceRefresh: true });
    await expect(refresh).rejects.toMatchObject({ name: 'SignedOutError' });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'identityChanged', previousIdentityId: aliceId, reason: 'logout' }),
    );
    expect(b.getState()).toMatchObject({ authenticated: false, identityId: undefined });
    // Her identity was not written back.
    expect(storedIdentityId(shared, pool)).toBeUndefined();

    // The next call is a fresh guest, in both processes the same one.
    const guest = await b.getCredentials();
    expect(guest.identityId).not.toBe(aliceId);
    expect(storedIdentityId(shared, pool)).toBe(guest.identityId);
    expect((await a.getCredentials()).identityId).not.toBe(aliceId);
  });

  it('an identity written back by a refresh in flight when the logout landed is never adopted', async () => {
    const pool = env.pool();
    const shared = sharedStorage();
    let hold: (() => void) | undefined;
    let held: (() => void) | undefined;
    const heldWrite = new Promise<void>((resolve) => {
      held = resolve;
    });
    const a = env.auth({ identityPoolId: pool, storage: shared.adapter() });
    const aliceId = (await a.getCredentials()).identityId;
    const b = env.auth({
      identityPoolId: pool,
      storage: shared.adapter({
        // B's next identity write is held until A's logout has resolved.
        beforeSet: (key) =>
          hold === undefined && key === identityKey(pool)
            ? new Promise<void>((resolve) => {
                hold = resolve;
                held?.();
              })
            : undefined,
      }),
    });
    expect(await b.getIdentityId()).toBe(aliceId);

    const refresh = b.getCredentials({ forceRefresh: true });
    await heldWrite;
    await a.logout();
    hold?.();
    await refresh.catch(() => {});
    // The write landed after the logout (the race no storage without transactions can close)…
    expect(storedIdentityId(shared, pool)).toBe(aliceId);
    // …but a third process does not take it up, and B forgets it at its next refresh.
    const c = env.auth({ identityPoolId: pool, storage: shared.adapter() });
    expect((await c.getCredentials()).identityId).not.toBe(aliceId);
    await b.getCredentials({ forceRefresh: true }).catch(() => {});
    expect(b.getCachedIdentityId()).not.toBe(aliceId);
  });

  it('a storage that lost its keys is recovered by re-saving (a missing key is never a sign-out)', async () => {
    const { pool, shared, b, aliceId } = await aliceOnTwoProcesses();
    shared.items.clear(); // a Redis restart without persistence, or an eviction
    const refreshed = await b.getCredentials({ forceRefresh: true });
    expect(refreshed.identityId).toBe(aliceId);
    expect(storedIdentityId(shared, pool)).toBe(aliceId);
  });

  it('a session that obtained its identity after the sign-out is unaffected by it', async () => {
    const { pool, shared, a } = await aliceOnTwoProcesses();
    await a.logout();
    const c = env.auth({ identityPoolId: pool, storage: shared.adapter() });
    const guest = await c.getCredentials();
    const again = await c.getCredentials({ forceRefresh: true });
    expect(again.identityId).toBe(guest.identityId);
    // The process that logged out starts its next identity knowing of its own sign-out.
    const onA = await a.getCredentials();
    expect((await a.getCredentials({ forceRefresh: true })).identityId).toBe(onA.identityId);
  });

  it("a login begun right after the session's own logout, its record still being written, signs in", async () => {
    const pool = env.pool();
    const shared = sharedStorage();
    const slowRecord = (key: string) =>
      key.endsWith(':signedOut') ? new Promise<void>((resolve) => setTimeout(resolve, 30)) : undefined;
    const a = env.auth({ identityPoolId: pool, storage: shared.adapter({ beforeSet: slowRecord }) });
    const token = () => env.emulator.idp.mintToken(FACEBOOK, { subject: 'dave' });
    const dave = (await a.login({ providerName: FACEBOOK, token: token() })).identityId;
    const loggedOut = a.logout();
    const again = await a.login({ providerName: FACEBOOK, token: token() });
    await loggedOut;
    expect(again.identityId).toBe(dave);
    expect(a.getState()).toMatchObject({ authenticated: true, identityId: dave });
    // Stored under the sign-out it came after: another process restores it.
    const c = env.auth({ identityPoolId: pool, storage: shared.adapter() });
    expect(await c.getIdentityId()).toBe(dave);
  });

  it('the sign-out record holds no identity ID and no secret', async () => {
    const { pool, shared, a, aliceId } = await aliceOnTwoProcesses();
    await a.logout();
    const keys = [...shared.items.keys()].filter((key) => key.includes(pool));
    expect(keys).toEqual([`identity-pool:v1:${pool}:signedOut`]);
    const record = shared.items.get(keys[0] as string) as string;
    expect(record).not.toContain(aliceId);
    expect(record).not.toMatch(/secret|session|token/i);
    expect(JSON.parse(record)).toEqual({
      v: 1,
      id: expect.stringMatching(/^[\w-]{8,64}$/),
      at: expect.any(Number),
    });
  });
});

describe('a sign-out in one process, pushed (an adapter with watch())', () => {
  it('reaches the other at once, without a request', async () => {
    const { b, a, aliceId } = await aliceOnTwoProcesses({ pushToB: true });
    const forgotten = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('B did not hear of the sign-out within 2 s')), 2000);
      b.on('identityChanged', (event) => {
        if (event.reason === 'logout' && event.previousIdentityId === aliceId) {
          clearTimeout(timer);
          resolve(performance.now());
        }
      });
    });
    await a.logout();
    const resolvedAt = performance.now();
    const heardAt = await forgotten;
    expect(heardAt - resolvedAt).toBeLessThan(1000);
    expect(b.getState().identityId).toBeUndefined();
  });
});

describe('two live sessions of one pool on one storage namespace in one process', () => {
  it('the second is refused with a ConfigurationError naming the clash; stop() frees the namespace', () => {
    const pool = env.pool();
    const storage = memoryStorage();
    const first = env.auth({ identityPoolId: pool, storage, storageKeyPrefix: 'tenant-7' });
    let refused: unknown;
    try {
      env.auth({ identityPoolId: pool, storage, storageKeyPrefix: 'tenant-7' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect((refused as ConfigurationError).field).toBe('storage');
    expect((refused as Error).message).toContain('tenant-7');
    expect((refused as Error).message).toContain(pool);

    // Another namespace of the same storage, or another pool, is fine.
    const other: IdentityPoolAuth = env.auth({ identityPoolId: pool, storage, storageKeyPrefix: 'tenant-8' });
    expect(other.getState().coordination).toBe('single');
    first.stop();
    expect(() => env.auth({ identityPoolId: pool, storage, storageKeyPrefix: 'tenant-7' })).not.toThrow();
  });
});

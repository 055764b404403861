/**
 * A storage call that times out may still land later (design: the key ends as the session last
 * left it). These tests script each adapter call — land at once, hold until released, throw — and
 * fire the time-outs by hand, so each rule of `SessionStore`'s repair is checked exactly:
 * repaired when a later call was overtaken, not repeated otherwise, failures of the repair
 * reported (mutation testing found the gaps: issue 12 §7).
 */
import { describe, expect, it } from 'vitest';
import type { StorageError } from '../../src/errors.js';
import { SessionStore, storageKeys } from '../../src/storage/session-store.js';
import type { StorageAdapter, StorageWriteOptions } from '../../src/types.js';
import { credentialsFor, IDENTITY_A, IDENTITY_B, POOL_ID } from '../support/fixtures.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 1);
const keys = storageKeys('t', POOL_ID);
const identity = (identityId: string) => ({ identityId, authenticated: false, providers: [] });

type Step = 'ok' | 'hold' | 'throw';

/** Each write or remove follows the next step of `script` (default: lands at once). */
function scriptedAdapter(...script: Step[]) {
  const values = new Map<string, string>();
  const calls: unknown[][] = [];
  const held: (() => void)[] = [];
  const act = (apply: () => void): void | Promise<void> => {
    const step = script.shift() ?? 'ok';
    if (step === 'throw') throw new Error('adapter down');
    if (step === 'ok') return apply();
    return new Promise<void>((resolve) => {
      held.push(() => {
        apply();
        resolve();
      });
    });
  };
  const adapter: StorageAdapter = {
    getItem: (key) => values.get(key) ?? null,
    setItem: (...args: [string, string, StorageWriteOptions?]) => {
      calls.push(['setItem', ...args]);
      return act(() => values.set(args[0], args[1]));
    },
    removeItem: (key) => {
      calls.push(['removeItem', key]);
      return act(() => values.delete(key));
    },
  };
  /** Lets the oldest held call land. */
  const release = () => held.shift()?.();
  return { adapter, values, calls, release };
}

/** Timers that fire only when told to. */
function manualTimers() {
  const pending = new Set<() => void>();
  return {
    setTimeout: (fn: () => void) => {
      pending.add(fn);
      return fn;
    },
    clearTimeout: (id: unknown) => void pending.delete(id as () => void),
    expireAll: () => {
      for (const fn of [...pending]) fn();
      pending.clear();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setUp(...script: Step[]) {
  const scripted = scriptedAdapter(...script);
  const timers = manualTimers();
  const errors: StorageError[] = [];
  const store = new SessionStore(scripted.adapter, 't', POOL_ID, (error) => errors.push(error), {
    clock: { now: () => NOW },
    timers,
  });
  const operations = () => errors.map((error) => [error.operation, error.key]);
  const setItems = () => scripted.calls.filter(([operation]) => operation === 'setItem');
  return { ...scripted, timers, errors, store, operations, setItems };
}

/** Starts a write that the adapter holds, and lets it time out. */
async function timedOut(t: ReturnType<typeof setUp>, write: Promise<void>) {
  await settle();
  t.timers.expireAll();
  await write;
}

describe('SessionStore: a timed-out write that lands late', () => {
  it('with nothing sent after it, is left alone: no second call', async () => {
    const t = setUp('hold');
    await timedOut(t, t.store.saveIdentity(identity(IDENTITY_A)));
    expect(t.operations()).toEqual([['setItem', keys.identity]]);
    t.release();
    await settle();
    expect(t.setItems()).toHaveLength(1);
    expect(JSON.parse(t.values.get(keys.identity) as string).identityId).toBe(IDENTITY_A);
    expect(t.operations()).toEqual([['setItem', keys.identity]]);
  });

  it('after a later write, is overwritten by that write again, with its expiry option', async () => {
    const t = setUp('hold');
    const first = credentialsFor(IDENTITY_A, NOW + HOUR, 'a');
    const second = credentialsFor(IDENTITY_B, NOW + 2 * HOUR, 'b');
    await timedOut(t, t.store.saveCredentials(first));
    await t.store.saveCredentials(second);
    const secondWrite = t.setItems()[1];
    t.release(); // the first write lands over the second…
    await settle();
    // …and the second is sent again, exactly as before.
    expect(t.setItems()).toHaveLength(3);
    expect(t.setItems()[2]).toEqual(secondWrite);
    expect(secondWrite?.[3]).toEqual({ expiresAt: NOW + 2 * HOUR });
    expect(JSON.parse(t.values.get(keys.credentials) as string).identityId).toBe(IDENTITY_B);
    expect(t.operations()).toEqual([['setItem', keys.credentials]]);
  });

  it('is not repaired again when a newer call was sent between its landing and the repair', async () => {
    const t = setUp('hold', 'hold');
    await timedOut(t, t.store.saveIdentity(identity(IDENTITY_A)));
    const second = t.store.saveIdentity(identity(IDENTITY_B)); // held, not timed out
    await settle();
    const third = t.store.saveIdentity(identity(IDENTITY_A.replace('aaaa', 'cccc'))); // queued
    t.release(); // the first lands; its repair queues behind the third
    await settle();
    t.release(); // the second lands; the third is sent and lands
    await Promise.all([second, third]);
    await settle();
    // The third was sent after the first landed: it already left the key as the session wants.
    expect(t.setItems()).toHaveLength(3);
    expect(JSON.parse(t.values.get(keys.identity) as string).identityId).toContain('cccc');
  });

  it('a repair write that fails is reported as a failed setItem', async () => {
    const t = setUp('hold', 'ok', 'throw');
    await timedOut(t, t.store.saveIdentity(identity(IDENTITY_A)));
    await t.store.saveIdentity(identity(IDENTITY_B));
    t.release();
    await settle();
    expect(t.setItems()).toHaveLength(3);
    expect(t.operations()).toEqual([
      ['setItem', keys.identity],
      ['setItem', keys.identity],
    ]);
    expect(t.errors[1]?.message).toMatch(/adapter down/);
  });

  it('a repair remove that fails is reported as a failed removeItem', async () => {
    // Calls: the held write, the two removes of removeKeys(), then the repair's remove.
    const t = setUp('hold', 'ok', 'ok', 'throw');
    await timedOut(t, t.store.saveIdentity(identity(IDENTITY_A)));
    await t.store.removeKeys();
    t.release(); // the write lands after the remove…
    await settle();
    // …the remove is sent again, and its failure reported.
    expect(t.calls.at(-1)).toEqual(['removeItem', keys.identity]);
    expect(t.operations()).toEqual([
      ['setItem', keys.identity],
      ['removeItem', keys.identity],
    ]);
  });

  it('a repair remove that lands leaves the key removed, reporting only the time-out', async () => {
    const t = setUp('hold');
    await timedOut(t, t.store.saveIdentity(identity(IDENTITY_A)));
    await t.store.removeKeys();
    t.release();
    await settle();
    expect(t.calls.at(-1)).toEqual(['removeItem', keys.identity]);
    expect(t.values.has(keys.identity)).toBe(false);
    expect(t.operations()).toEqual([['setItem', keys.identity]]);
  });
});

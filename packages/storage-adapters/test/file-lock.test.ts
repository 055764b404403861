import { mkdtemp, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageAdapterError } from '../src/errors.js';
import { createFileLock } from '../src/file-lock.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'identity-pool-lock-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const lockAt = (name: string, times: { lockTimeoutMs?: number; staleLockMs?: number } = {}) =>
  createFileLock({
    lockPath: join(directory, `${name}.lock`),
    directory,
    tag: name,
    lockTimeoutMs: times.lockTimeoutMs ?? 2_000,
    staleLockMs: times.staleLockMs ?? 500,
    fail: (message) => new StorageAdapterError('fileStorage', message),
  });

const plantStale = async (path: string) => {
  await writeFile(path, '99999\n', { mode: 0o600 });
  const old = new Date(Date.now() - 60_000);
  await utimes(path, old, old);
};

describe('the file lock', () => {
  it('two processes that judged one lock stale: the late breaker leaves the fresh lock taken meanwhile', async () => {
    const lockPath = join(directory, 'race.lock');
    await plantStale(lockPath);
    const early = lockAt('race');
    const late = lockAt('race');
    const seenByLate = await late.look(); // judged stale…
    expect(seenByLate?.text).toBe('99999\n');
    const held = await early.acquire(); // …meanwhile another process breaks it and takes the lock
    await late.breakStale(seenByLate!); // the late breaker acts on what it saw
    expect(await held.stillHeld()).toBe(true);
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await held.release()).toBe(true);
  });

  it('breakers take turns: one finding another at work leaves the lock; a crashed breaker’s turn expires', async () => {
    const lockPath = join(directory, 'turns.lock');
    const mutex = join(directory, '.turns.break');
    await plantStale(lockPath);
    const lock = lockAt('turns', { staleLockMs: 500 });
    const seen = (await lock.look())!;
    await writeFile(mutex, '', { mode: 0o600 }); // another process is breaking it right now
    await lock.breakStale(seen);
    expect(await readFile(lockPath, 'utf8')).toBe('99999\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(mutex, old, old); // …or it crashed while breaking
    await lock.breakStale(seen); // removes the crashed breaker's mutex
    await lock.breakStale(seen); // and now breaks the lock
    await expect(readFile(lockPath, 'utf8')).rejects.toThrow(/ENOENT/);
    const held = await lock.acquire();
    expect(await held.release()).toBe(true);
  });

  it('a live holder keeps its lock fresh: another writer waits its timeout instead of breaking it', async () => {
    const holder = lockAt('fresh', { staleLockMs: 100 });
    const held = await holder.acquire();
    const started = performance.now();
    await expect(lockAt('fresh', { lockTimeoutMs: 500, staleLockMs: 100 }).acquire()).rejects.toThrow(
      /stayed locked for 500 ms/,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    expect(await held.stillHeld()).toBe(true);
    expect(await held.release()).toBe(true);
  });

  it('a holder whose lock was broken knows it, and leaves the new lock alone', async () => {
    const lockPath = join(directory, 'stolen.lock');
    const held = await lockAt('stolen').acquire();
    await unlink(lockPath);
    await writeFile(lockPath, '{"pid":1,"host":"elsewhere","nonce":"n","time":0}', { mode: 0o600 });
    expect(await held.stillHeld()).toBe(false);
    expect(await held.release()).toBe(false);
    expect(await readFile(lockPath, 'utf8')).toContain('elsewhere');
  });
});

import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StorageAdapterError } from './errors.js';
import { checkPrivate, errorCode, type FileFailure } from './file-safety.js';

/**
 * The lock of one store file, shared by every process that writes it.
 *
 * Taking it: the owner's record (`{ pid, host, nonce, time }`) is written to a private temporary
 * file, which is then hard-linked to the lock's name — `link` fails when the name exists, so one
 * process wins, and the lock never exists without its record. While held, the lock's mtime is
 * refreshed every third of `staleLockMs`, so a live holder's lock never looks stale.
 *
 * Breaking it: a lock is stale when its owner is dead on this host, or when nobody refreshed it
 * for `staleLockMs` (a crash on another host, an older version's lock). Breakers take turns, look
 * again, rename it to a unique name and keep it broken only if what was renamed is exactly the lock
 * judged stale; otherwise it is put back. So two processes that both judged one lock stale never
 * remove a third's fresh lock.
 *
 * Waiting: a bounded, jittered back-off until `lockTimeoutMs`; every failure that waiting cannot
 * cure (a lock that cannot be removed, a lock another user owns) fails at once.
 */
export interface FileLockOptions {
  lockPath: string;
  directory: string;
  /** Names of temporary files start with this (`.<tag>.`), so a sweep can find them. */
  tag: string;
  lockTimeoutMs: number;
  staleLockMs: number;
  fail: FileFailure;
}

export interface HeldLock {
  /** Whether the lock is still this holder's (not broken by another process meanwhile). */
  stillHeld(): Promise<boolean>;
  /** Removes the lock if it is still this holder's; resolves whether it was. */
  release(): Promise<boolean>;
}

interface LockRecord {
  pid: number;
  host: string;
  nonce: string;
  time: number;
}

/** What was seen at the lock's name: its content and identity, to break exactly that one. */
interface SeenLock {
  text: string;
  ino: number;
  mtimeMs: number;
}

let thisHost: string | undefined;
/** The host, and on Linux the PID namespace: a PID means the same process only within both. */
export function hostIdentity(): string {
  if (thisHost === undefined) {
    let namespace = '';
    try {
      namespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      // Not Linux, or no /proc: the host name alone.
    }
    thisHost = `${hostname()}${namespace ? `|${namespace}` : ''}`;
  }
  return thisHost;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // alive, another user's
  }
}

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockRecord> | null;
    if (typeof value?.pid === 'number' && typeof value.host === 'string' && typeof value.nonce === 'string') {
      return value as LockRecord;
    }
  } catch {
    // An older version's lock (`<pid>\n`), or one still being written by a fallback: judged by age.
  }
  return undefined;
}

export function isStale(seen: SeenLock, staleLockMs: number, now = Date.now()): boolean {
  const record = parseRecord(seen.text);
  if (record && record.host === hostIdentity() && record.pid !== process.pid && !isAlive(record.pid)) {
    return true;
  }
  return now - seen.mtimeMs > staleLockMs;
}

export function createFileLock(options: FileLockOptions) {
  const { lockPath, directory, tag, fail } = options;
  const unique = () => randomBytes(9).toString('hex');

  /** Reads the lock at its name, checking it is this user's; undefined when there is none. */
  const look = async (path = lockPath): Promise<SeenLock | undefined> => {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw fail(`cannot read the lock ${path}`, error);
    }
    try {
      const info = await handle.stat();
      checkPrivate(info, path, 'lock');
      return { text: await handle.readFile('utf8'), ino: info.ino, mtimeMs: info.mtimeMs };
    } finally {
      await handle.close();
    }
  };

  const sameLock = (a: SeenLock | undefined, b: SeenLock) =>
    !!a && a.ino === b.ino && a.text === b.text && a.mtimeMs === b.mtimeMs;

  /**
   * Breaks the lock `seen` if it is still the one at the lock's name. Breakers take turns through
   * a small mutex (`.<tag>.break`, held for a few system calls) and look again once they hold it,
   * so a breaker that judged a lock stale a moment ago never removes the fresh lock another
   * process took since. A mutex left by a crashed breaker is removed once older than `staleLockMs`.
   */
  const breakStale = async (seen: SeenLock): Promise<boolean> => {
    const mutex = join(directory, `.${tag}.break`);
    try {
      await (await open(mutex, 'wx', 0o600)).close();
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw fail(`cannot remove the stale lock ${lockPath}`, error);
      const age = await lstat(mutex).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > options.staleLockMs) await unlink(mutex).catch(() => undefined);
      return false; // another process is breaking it: wait and look again
    }
    try {
      if (!sameLock(await look(), seen)) return false; // released, or broken and taken again meanwhile
      const aside = join(directory, `.${tag}.${unique()}.stale`);
      try {
        await rename(lockPath, aside);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return false;
        throw fail(`cannot remove the stale lock ${lockPath}`, error);
      }
      // Its owner may have released it and another process taken the name in the instant between
      // the look and the rename: then put that lock back (its holder checks before it commits).
      const broken = sameLock(await look(aside).catch(() => undefined), seen);
      if (!broken) await link(aside, lockPath).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
      return broken;
    } finally {
      await unlink(mutex).catch(() => undefined);
    }
  };

  /** Tries once to take the lock; undefined when another process holds it. */
  const tryTake = async (): Promise<HeldLock | undefined> => {
    const record: LockRecord = { pid: process.pid, host: hostIdentity(), nonce: unique(), time: Date.now() };
    const text = JSON.stringify(record);
    const draft = join(directory, `.${tag}.${record.nonce}.lk`);
    let handle: FileHandle;
    try {
      handle = await open(draft, 'wx', 0o600);
    } catch (error) {
      throw fail(`cannot create the lock ${lockPath}`, error);
    }
    // The handle is kept while the lock is held: it is the lock's own inode, to refresh its mtime.
    let lockHandle: FileHandle | undefined;
    try {
      await handle.writeFile(text);
      await link(draft, lockPath);
      lockHandle = handle;
    } catch (error) {
      const why = errorCode(error);
      if (why === 'EPERM' || why === 'ENOTSUP' || why === 'ENOSYS') {
        lockHandle = await takeWithoutLink(text); // a file system without hard links
      } else if (why !== 'EEXIST') {
        throw fail(`cannot create the lock ${lockPath}`, error);
      }
    } finally {
      await unlink(draft).catch(() => undefined);
      if (lockHandle !== handle) await handle.close();
    }
    return lockHandle && holding(lockHandle, text);
  };

  /** For file systems without hard links: create the lock exclusively, then write the record. */
  const takeWithoutLink = async (text: string): Promise<FileHandle | undefined> => {
    let handle: FileHandle;
    try {
      handle = await open(lockPath, 'wx', 0o600);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return undefined;
      throw fail(`cannot create the lock ${lockPath}`, error);
    }
    try {
      await handle.writeFile(text);
      return handle;
    } catch (error) {
      await handle.close();
      await unlink(lockPath).catch(() => undefined);
      throw fail(`cannot write the lock ${lockPath}`, error);
    }
  };

  const holding = (handle: FileHandle, text: string): HeldLock => {
    // Refresh the mtime so other processes never judge a live holder's lock stale.
    const heartbeat = setInterval(
      () => {
        const now = new Date();
        void handle.utimes(now, now).catch(() => undefined);
      },
      Math.max(10, Math.floor(options.staleLockMs / 3)),
    );
    heartbeat.unref?.();
    const stillHeld = async () => (await look().catch(() => undefined))?.text === text;
    return {
      stillHeld,
      async release() {
        clearInterval(heartbeat);
        const held = await stillHeld();
        if (held) await unlink(lockPath).catch(() => undefined);
        await handle.close().catch(() => undefined);
        return held;
      },
    };
  };

  /** Takes the lock, or rejects within `lockTimeoutMs`; never spins (each turn waits or does I/O). */
  const acquire = async (): Promise<HeldLock> => {
    const deadline = Date.now() + options.lockTimeoutMs;
    let backoffMs = 2;
    for (;;) {
      const held = await tryTake();
      if (held) return held;
      const seen = await look();
      // Broken: take it at once (still within the deadline, so even endless stale locks end).
      const broke = seen && isStale(seen, options.staleLockMs) && (await breakStale(seen));
      if (broke && Date.now() < deadline) continue;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new StorageAdapterError(
          'fileStorage',
          `${lockPath} stayed locked for ${options.lockTimeoutMs} ms`,
        );
      }
      if (seen) {
        await sleep(Math.min(left, backoffMs * (0.5 + Math.random())));
        backoffMs = Math.min(backoffMs * 2, 50);
      }
    }
  };

  return { acquire, look, breakStale };
}

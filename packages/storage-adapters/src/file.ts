import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, lstat, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { StorageAdapter } from '@identity-pool/core';
import { reason, StorageAdapterError } from './errors.js';
import { createFileLock } from './file-lock.js';
import { checkPrivate, errorCode } from './file-safety.js';

export interface FileStorageOptions {
  /** The JSON file holding every key; its directory is created (mode 0700) when missing. */
  path: string;
  /**
   * How long a write waits for another process's lock before it fails; default 3000 ms, below
   * the core's storage-call timeout, so a stuck lock costs a sign-in a reported error, not a hang.
   */
  lockTimeoutMs?: number;
  /**
   * A lock nobody has refreshed for this long is left over from a crash (holders refresh theirs
   * while they write) and is broken; it must be below `lockTimeoutMs`. Default 1500 ms, or half of
   * `lockTimeoutMs` when that is shorter. A lock whose owner is dead on this host is broken at once.
   */
  staleLockMs?: number;
}

export interface FileStorage extends StorageAdapter {
  readonly path: string;
  /** Resolves when every write issued so far is on disk. */
  dispose(): Promise<void>;
}

const FORMAT = 1;
/** The longest file name (bytes) most file systems accept. */
const NAME_MAX = 255;
const fail = (message: string, cause?: unknown) =>
  new StorageAdapterError('fileStorage', cause === undefined ? message : `${message}: ${reason(cause)}`, {
    cause,
  });

function checkTimes(options: FileStorageOptions) {
  const lockTimeoutMs = options.lockTimeoutMs ?? 3000;
  const staleLockMs = options.staleLockMs ?? Math.min(1500, lockTimeoutMs / 2);
  for (const [name, value] of [
    ['lockTimeoutMs', lockTimeoutMs],
    ['staleLockMs', staleLockMs],
  ] as const) {
    if (!(Number.isFinite(value) && value > 0))
      throw fail(`${name} must be a positive number of milliseconds`);
  }
  if (staleLockMs >= lockTimeoutMs) {
    throw fail(
      `staleLockMs (${staleLockMs}) must be below lockTimeoutMs (${lockTimeoutMs}), so a crashed writer's lock is broken before a write gives up`,
    );
  }
  return { lockTimeoutMs, staleLockMs };
}

/**
 * The names beside the store file: its lock (`<file>.lock`, or a short hidden name when that
 * would be too long) and the prefix of its temporary files, `.<tag>.`, short whatever the length
 * of the store's name.
 */
function namesOf(path: string) {
  const directory = dirname(path);
  const base = basename(path);
  const tag = createHash('sha256').update(base).digest('hex').slice(0, 12);
  const lockName = Buffer.byteLength(`${base}.lock`) <= NAME_MAX ? `${base}.lock` : `.${tag}.lock`;
  return { directory, base, tag, lockPath: join(directory, lockName) };
}

/**
 * A JSON file as a storage adapter, for Node CLIs and servers (Node only).
 *
 * Every write is atomic and durable before it resolves: the whole file is written to a private
 * temporary file (0600) in the same directory, flushed with `fsync`, renamed over the old one, and
 * the directory is flushed; a reader in any process sees the old file or the new one. Writers of
 * all processes take turns through a lock file (see `file-lock.ts`): a write fails within
 * `lockTimeoutMs` rather than wait longer, and a crashed writer's lock is broken — at once when it
 * died on this host. Temporary files of crashed writers are removed by the next writer. The store
 * file, its lock and its directory must belong to the current user and not be writable by group or
 * others, or the adapter refuses them (`UnsafeStorageFileError`). An unreadable file is reported
 * (the core treats its keys as missing) and is not overwritten.
 */
export function fileStorage(options: FileStorageOptions): FileStorage {
  const path = resolve(options.path);
  const { lockTimeoutMs, staleLockMs } = checkTimes(options);
  const { directory, base, tag, lockPath } = namesOf(path);
  const lock = createFileLock({ lockPath, directory, tag, lockTimeoutMs, staleLockMs, fail });
  let queue: Promise<unknown> = Promise.resolve();
  let directoryReady: Promise<void> | undefined;

  /** Checks the directory is private to this user; creates it (0700) first when `create`. */
  const checkDirectory = async (create: boolean): Promise<boolean> => {
    if (create) {
      directoryReady ??= mkdir(directory, { recursive: true, mode: 0o700 }).then(
        () => undefined,
        (error) => {
          directoryReady = undefined;
          throw fail(`cannot create the directory of ${path}`, error);
        },
      );
      await directoryReady;
    }
    try {
      checkPrivate(await stat(directory), directory, 'directory');
      return true;
    } catch (error) {
      if (!create && errorCode(error) === 'ENOENT') return false;
      throw error instanceof StorageAdapterError ? error : fail(`cannot inspect ${directory}`, error);
    }
  };

  const load = async (): Promise<Map<string, string>> => {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return new Map();
      throw fail(`cannot read ${path}`, error);
    }
    let text: string;
    try {
      checkPrivate(await handle.stat(), path, 'store file');
      text = await handle.readFile('utf8');
    } catch (error) {
      throw error instanceof StorageAdapterError ? error : fail(`cannot read ${path}`, error);
    } finally {
      await handle.close();
    }
    return parseStore(text);
  };

  const parseStore = (text: string): Map<string, string> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw fail(`${path} is not valid JSON; it is left as it is`);
    }
    const items = (parsed as { v?: unknown; items?: unknown } | null)?.items;
    if ((parsed as { v?: unknown }).v !== FORMAT || typeof items !== 'object' || items === null) {
      throw fail(`${path} is not a file this adapter wrote; it is left as it is`);
    }
    return new Map(
      Object.entries(items).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  };

  const save = async (items: Map<string, string>) => {
    const temporary = join(directory, `.${tag}.${randomBytes(9).toString('hex')}.tmp`);
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ v: FORMAT, items: Object.fromEntries(items) }), 'utf8');
      await handle.sync();
      await handle.close();
      await rename(temporary, path);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    // Make the rename itself durable; not possible on every platform (Windows), so best effort.
    const handleOfDirectory = await open(directory, 'r').catch(() => undefined);
    await handleOfDirectory
      ?.sync()
      .catch(() => undefined)
      .finally(() => handleOfDirectory.close());
  };

  /**
   * Removes what crashed writers left: under the lock no other writer is between writing its
   * temporary file and renaming it, so every temporary file of this store is garbage (and may hold
   * a secret). Lock drafts, broken locks and breakers' turns go once older than `staleLockMs`.
   */
  const sweep = async () => {
    const olderVersion = new RegExp(`^${escapeRegExp(base)}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
    for (const name of await readdir(directory).catch(() => [] as string[])) {
      const ours = name.startsWith(`.${tag}.`);
      const file = join(directory, name);
      if ((ours && name.endsWith('.tmp')) || olderVersion.test(name)) {
        await unlink(file).catch(() => undefined);
      } else if (ours && (name.endsWith('.lk') || name.endsWith('.stale') || name.endsWith('.break'))) {
        const info = await lstat(file).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > staleLockMs) await unlink(file).catch(() => undefined);
      }
    }
  };

  /** Runs the cycles of this adapter one at a time, in the order they were asked for. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };

  const update = (change: (items: Map<string, string>) => boolean) =>
    serial(async () => {
      await checkDirectory(true);
      const held = await lock.acquire();
      let wasHeld = true;
      try {
        await sweep();
        const items = await load();
        if (!change(items)) return;
        // Another process broke the lock (this one stalled past `staleLockMs`): do not commit.
        if (!(await held.stillHeld())) throw fail(`the lock ${lockPath} was broken by another process`);
        await save(items);
      } catch (error) {
        throw error instanceof StorageAdapterError ? error : fail(`cannot write ${path}`, error);
      } finally {
        wasHeld = await held.release();
      }
      if (!wasHeld) {
        throw fail(`the lock ${lockPath} was broken by another process while writing; the write may be lost`);
      }
    });

  return {
    path,
    getItem: (key) =>
      serial(async () => ((await checkDirectory(false)) ? ((await load()).get(key) ?? null) : null)),
    setItem: (key, value) =>
      update((items) => {
        items.set(key, String(value));
        return true;
      }),
    removeItem: (key) => update((items) => items.delete(key)),
    async dispose() {
      await queue;
    },
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export { StorageAdapterError } from './errors.js';
export { UnsafeStorageFileError } from './file-safety.js';

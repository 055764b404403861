import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { StorageAdapter } from '@identity-pool/core';
import { reason, StorageAdapterError } from './errors.js';

export interface FileStorageOptions {
  /** The JSON file holding every key; its directory is created (mode 0700) when missing. */
  path: string;
  /** How long a write waits for another process's lock; default 10 000 ms. */
  lockTimeoutMs?: number;
  /** A lock older than this is left over from a crashed process and is broken; default 30 000 ms. */
  staleLockMs?: number;
}

export interface FileStorage extends StorageAdapter {
  readonly path: string;
  /** Resolves when every write issued so far is on disk. */
  dispose(): Promise<void>;
}

const FORMAT = 1;
const fail = (message: string, cause?: unknown) =>
  new StorageAdapterError('fileStorage', cause === undefined ? message : `${message}: ${reason(cause)}`, {
    cause,
  });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const code = (error: unknown) => (error as { code?: string } | null)?.code;

/**
 * A JSON file as a storage adapter, for Node CLIs and servers (Node only).
 *
 * Every write is atomic: the whole file is written to a temporary file in the same directory
 * (mode 0600), flushed with `fsync`, and renamed over the old one, so a reader — in this process or
 * another — sees the old file or the new one, never half of one. Read-modify-write cycles take a
 * lock file (`<path>.lock`, created exclusively) so two processes writing at once never lose each
 * other's keys. An unreadable file is reported (the core treats its keys as missing) and is not
 * overwritten.
 */
export function fileStorage(options: FileStorageOptions): FileStorage {
  const path = resolve(options.path);
  const lockPath = `${path}.lock`;
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  const staleLockMs = options.staleLockMs ?? 30_000;
  let queue: Promise<unknown> = Promise.resolve();
  let directoryReady: Promise<void> | undefined;

  const ensureDirectory = () => {
    directoryReady ??= mkdir(dirname(path), { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (error) => {
        directoryReady = undefined;
        throw fail(`cannot create the directory of ${path}`, error);
      },
    );
    return directoryReady;
  };

  const load = async (): Promise<Map<string, string>> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (code(error) === 'ENOENT') return new Map();
      throw fail(`cannot read ${path}`, error);
    }
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
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ v: FORMAT, items: Object.fromEntries(items) }), 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    // Make the rename itself durable; not possible on every platform (Windows), so best effort.
    const directory = await open(dirname(path), 'r').catch(() => undefined);
    await directory
      ?.sync()
      .catch(() => undefined)
      .finally(() => directory.close());
  };

  const lock = async (): Promise<() => Promise<void>> => {
    const deadline = Date.now() + lockTimeoutMs;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return () => unlink(lockPath).catch(() => undefined);
      } catch (error) {
        if (code(error) !== 'EEXIST') throw fail(`cannot create the lock ${lockPath}`, error);
      }
      const age = await stat(lockPath).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > staleLockMs) {
        // Left by a crashed process: move it aside atomically, so only one process breaks it.
        const aside = `${lockPath}.${randomBytes(6).toString('hex')}.stale`;
        await rename(lockPath, aside).then(
          () => rm(aside, { force: true }),
          () => undefined,
        );
        continue;
      }
      if (Date.now() > deadline) throw fail(`${lockPath} stayed locked for ${lockTimeoutMs} ms`);
      await sleep(2 + Math.random() * 10);
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
      await ensureDirectory();
      const unlock = await lock();
      try {
        const items = await load();
        if (change(items)) await save(items);
      } catch (error) {
        throw error instanceof StorageAdapterError ? error : fail(`cannot write ${path}`, error);
      } finally {
        await unlock();
      }
    });

  return {
    path,
    getItem: (key) => serial(async () => (await load()).get(key) ?? null),
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

export { StorageAdapterError } from './errors.js';

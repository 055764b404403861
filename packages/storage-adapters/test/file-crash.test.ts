/**
 * The file adapter under crashes and hostile directories: many processes, SIGKILL at random
 * moments, locks left behind, files planted by other users. Each writer is a real Node process
 * running the bundled adapter (support/file-writer.mjs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import {
  chmod,
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStorage, UnsafeStorageFileError } from '../src/file.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65_534;
let root: string;
let bundle: string;
let writerScript: string;

beforeAll(async () => {
  // World-readable, so a writer running as another user (`nobody`) can load the bundle.
  root = await mkdtemp(join(tmpdir(), 'identity-pool-crash-'));
  await chmod(root, 0o755);
  bundle = join(root, 'file-adapter.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../src/file.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'silent',
  });
  writerScript = join(root, 'file-writer.mjs');
  await copyFile(fileURLToPath(new URL('./support/file-writer.mjs', import.meta.url)), writerScript);
  await chmod(bundle, 0o644);
  await chmod(writerScript, 0o644);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh private directory for one store. */
const privateDir = async (name: string) => {
  const dir = join(root, `${name}-${randomInt(1e9)}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
};

interface Writer {
  child: ChildProcess;
  /** Keys whose `setItem` the process reported as resolved. */
  resolved: string[];
  errors: string[];
  exited: Promise<number | null>;
}

interface WriterOptions {
  size?: number;
  uid?: number;
  /** Epoch ms at which to start writing, to line writers up. */
  startAt?: number;
}

const startWriter = (path: string, writer: string, count: number, options: WriterOptions = {}): Writer => {
  const { size = 300, uid, startAt = 0 } = options;
  const args = [writerScript, pathToFileURL(bundle).href, path, writer, String(count), String(size)];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, START_AT: String(startAt) },
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  const result: Writer = {
    child,
    resolved: [],
    errors: [],
    exited: new Promise((done) => child.on('exit', done)),
  };
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('ok ')) result.resolved.push(line.slice(3));
      else if (line) result.errors.push(line);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => result.errors.push(chunk.toString()));
  return result;
};

/** A write that gave up waiting for the lock and said so: allowed under load, never a silent loss. */
const lockWaitGaveUp = /^error fileStorage: .*stayed locked for \d+ ms$/;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Within `ms`, or `'timed out'`. */
const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, sleep(ms).then(() => 'timed out' as const)]);

const readStore = async (path: string) =>
  (JSON.parse(await readFile(path, 'utf8')) as { items: Record<string, string> }).items;

/** A lock as a crashed writer of an older version, or on another host, leaves it: nobody refreshes it. */
const plantLock = async (lockPath: string, content: string, ageMs: number) => {
  await writeFile(lockPath, content, { mode: 0o600 });
  const then = new Date(Date.now() - ageMs);
  await utimes(lockPath, then, then);
};

describe('fileStorage under crashes', () => {
  it('an old lock and 8 processes writing at once: every write that resolved is there', async () => {
    const rounds = Number(process.env.ROUNDS ?? 20);
    let resolved = 0;
    for (let round = 0; round < rounds; round += 1) {
      const path = join(await privateDir('old-lock'), 'store.json');
      await plantLock(`${path}.lock`, '99999\n', 60_000);
      const startAt = Date.now() + 600; // every process sees the old lock at the same moment
      const writers = Array.from({ length: 8 }, (_, i) =>
        startWriter(path, `w${i}`, Number(process.env.PER ?? 1), { startAt }),
      );
      await Promise.all(writers.map((w) => w.exited));
      // Under load a write may give up waiting (it says so); none may claim a write it lost.
      expect(writers.flatMap((w) => w.errors).filter((e) => !lockWaitGaveUp.test(e))).toEqual([]);
      const items = await readStore(path);
      for (const key of writers.flatMap((w) => w.resolved)) {
        expect(items[key], `${key} resolved but is missing (round ${round})`).toBeDefined();
        resolved += 1;
      }
    }
    expect(resolved).toBeGreaterThan(rounds * 8 * Number(process.env.PER ?? 1) * 0.9);
  }, 60_000);

  it('a writer killed while holding the lock costs the next writer less than one lock timeout, and its temp file goes', async () => {
    const dir = await privateDir('killed-holder');
    const path = join(dir, 'store.json');
    // Large values make each write long enough to catch the writer in the middle of one.
    const writer = startWriter(path, 'victim', 10_000, { size: 4_000_000 });
    let caught = false;
    const deadline = Date.now() + 15_000;
    while (!caught && Date.now() < deadline) {
      await sleep(5 + randomInt(20));
      writer.child.kill('SIGSTOP');
      const names = await readdir(dir);
      const temporary = names.filter((name) => name !== 'store.json' && !name.startsWith('store.json.lock'));
      if (names.includes('store.json.lock') && temporary.length > 0 && writer.resolved.length > 0) {
        // What a killed writer leaves is private to the user, and the next writer removes it.
        for (const name of temporary) expect((await stat(join(dir, name))).mode & 0o077).toBe(0);
        writer.child.kill('SIGKILL');
        caught = true;
      } else {
        writer.child.kill('SIGCONT');
      }
    }
    await writer.exited;
    expect(caught, 'the writer was never caught holding the lock with a temp file').toBe(true);

    const next = fileStorage({ path });
    const started = performance.now();
    await next.setItem('next', 'written after the crash');
    const costMs = performance.now() - started;
    const again = performance.now();
    await next.setItem('next', 'written after the crash');
    console.log(
      `[file-crash] the first write after a writer was killed holding the lock took ${costMs.toFixed(0)} ms (the next one ${(performance.now() - again).toFixed(0)} ms; 4 MB store)`,
    );
    expect(costMs).toBeLessThan(1_000); // its pid is dead on this host: no need to wait for staleness
    expect(await readdir(dir)).toEqual(['store.json']);
    const items = await readStore(path);
    for (const key of writer.resolved) expect(items[key], key).toBeDefined();
    expect(items.next).toBe('written after the crash');
  }, 40_000);

  it('a lock nobody keeps fresh (a writer on another host) is broken within the default lock timeout', async () => {
    const path = join(await privateDir('foreign-lock'), 'store.json');
    const lock = JSON.stringify({ pid: 4242, host: 'some-other-host', nonce: 'abc', time: Date.now() });
    await plantLock(`${path}.lock`, lock, 0);
    const storage = fileStorage({ path });
    const started = performance.now();
    await storage.setItem('k', 'v');
    const costMs = performance.now() - started;
    console.log(`[file-crash] a lock from another host, never refreshed, cost ${costMs.toFixed(0)} ms`);
    expect(costMs).toBeLessThan(4_000); // below the core's storage-call timeout (5 s)
    expect(await storage.getItem('k')).toBe('v');
  }, 20_000);

  it('a stale lock that cannot be removed (read-only directory) fails the write at once, without spinning', async () => {
    const dir = await privateDir('read-only');
    const path = join(dir, 'store.json');
    const uid = isRoot ? NOBODY : undefined; // root may write anywhere: run the writer as nobody
    await plantLock(`${path}.lock`, '99999\n', 60_000);
    if (uid !== undefined) {
      await chown(dir, uid, uid);
      await chown(`${path}.lock`, uid, uid);
    }
    await chmod(dir, 0o500);
    const writer = startWriter(path, 'w', 1, { uid });
    const started = performance.now();
    const code = await within(5_000, writer.exited);
    if (code === 'timed out') writer.child.kill('SIGKILL');
    expect(code, 'the writer neither wrote nor failed within 5 s').toBe(1);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(writer.errors.join('\n')).toMatch(/cannot (create the|remove the stale) lock .*store\.json\.lock/);
    await chmod(dir, 0o700);
  }, 20_000);

  it.skipIf(!isRoot)(
    'another user’s lock is refused with a clear error, and left where it is (root only)',
    async () => {
      const path = join(await privateDir('foreign-user-lock'), 'store.json');
      await plantLock(`${path}.lock`, '99999\n', 60_000);
      await chown(`${path}.lock`, NOBODY, NOBODY);
      const storage = fileStorage({ path });
      const error = await Promise.resolve(storage.setItem('k', 'v')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsafeStorageFileError);
      expect((error as Error).message).toMatch(/store\.json\.lock is owned by uid 65534/);
      expect((await stat(`${path}.lock`)).uid).toBe(NOBODY);
    },
  );

  it('temporary files an older version’s killed writers left are removed by the next writer', async () => {
    const dir = await privateDir('older-temp');
    const path = join(dir, 'store.json');
    const leftover = join(dir, 'store.json.12345.0123456789ab.tmp');
    await writeFile(leftover, '{"v":1,"items":{"k":"SECRET-SESSION-TOKEN"}}', { mode: 0o600 });
    await fileStorage({ path }).setItem('k', 'v');
    expect(await readdir(dir)).toEqual(['store.json']);
  });

  it('file names up to 255 characters work, and leave nothing beside the store', async () => {
    for (const length of [250, 255]) {
      const dir = await privateDir('long-name');
      const name = `${'n'.repeat(length - 5)}.json`;
      const storage = fileStorage({ path: join(dir, name) });
      await storage.setItem('k', 'v');
      expect(await storage.getItem('k')).toBe('v');
      expect(await readdir(dir)).toEqual([name]);
    }
  });

  it('SIGKILL at random moments: no resolved write is lost, the file parses, no temp file survives the next writer', async () => {
    const budgetMs = Number(process.env.SOAK_MS ?? 6_000);
    const started = Date.now();
    let rounds = 0;
    let kills = 0;
    let resolvedWrites = 0;
    let lost = 0;
    let worstNextWriterMs = 0;
    let gaveUp = 0;
    while (Date.now() - started < budgetMs) {
      rounds += 1;
      const dir = await privateDir('soak');
      const path = join(dir, 'store.json');
      const writers = Array.from({ length: 8 }, (_, i) => startWriter(path, `r${rounds}w${i}`, 40));
      const killers = writers.map(async (writer) => {
        if (randomInt(2) === 0) return;
        await sleep(30 + randomInt(400));
        if (writer.child.exitCode === null && writer.child.kill('SIGKILL')) kills += 1;
      });
      await Promise.all([...killers, ...writers.map((w) => w.exited)]);
      const next = fileStorage({ path });
      const before = performance.now();
      await next.setItem('next writer', 'after the kills');
      worstNextWriterMs = Math.max(worstNextWriterMs, performance.now() - before);
      const items = await readStore(path);
      for (const writer of writers) {
        expect(writer.errors.filter((e) => !lockWaitGaveUp.test(e))).toEqual([]);
        gaveUp += writer.errors.length;
        for (const key of writer.resolved) {
          resolvedWrites += 1;
          if (items[key] === undefined || JSON.parse(items[key]).i === undefined) lost += 1;
        }
      }
      // Nothing but the store holds a value: a writer killed while it took the lock leaves its
      // lock draft (`.lk`: pid, host, nonce, time), a breaker killed in its turn an empty mutex
      // (`.break`); the next writer's sweep removes both once they are stale. No temp file.
      const left = (await readdir(dir)).filter((name) => name !== 'store.json');
      for (const name of left) {
        expect(name).toMatch(/\.(break|lk)$/);
        const text = await readFile(join(dir, name), 'utf8');
        const fields = text === '' ? 'empty' : Object.keys(JSON.parse(text)).sort().join();
        expect(fields).toMatch(/^(empty|host,nonce,pid,time)$/);
      }
    }
    console.log(
      `[file-crash] SIGKILL soak: ${rounds} rounds × 8 processes, ${kills} killed, ${resolvedWrites} resolved writes, ${lost} lost, ${gaveUp} gave up waiting (reported); the next writer took at most ${worstNextWriterMs.toFixed(0)} ms`,
    );
    expect(lost).toBe(0);
    expect(kills).toBeGreaterThan(0);
    expect(worstNextWriterMs).toBeLessThan(1_000);
  }, 60_000);
});

describe('fileStorage refuses files others could have planted or changed', () => {
  it('a store file group or others can write is refused, and left as it is', async () => {
    const path = join(await privateDir('group-writable'), 'store.json');
    await writeFile(path, '{"v":1,"items":{"k":"planted"}}', { mode: 0o600 });
    await chmod(path, 0o666);
    const storage = fileStorage({ path });
    await expect(storage.getItem('k')).rejects.toThrow(UnsafeStorageFileError);
    await expect(storage.getItem('k')).rejects.toThrow(/store\.json is writable by group or others/);
    await expect(storage.setItem('k', 'v')).rejects.toThrow(/writable by group or others/);
    expect(await readFile(path, 'utf8')).toBe('{"v":1,"items":{"k":"planted"}}');
  });

  it.skipIf(!isRoot)('a store file another user owns is refused, and left as it is (root only)', async () => {
    const path = join(await privateDir('planted'), 'store.json');
    await writeFile(path, '{"v":1,"items":{"k":"planted"}}', { mode: 0o600 });
    await chown(path, NOBODY, NOBODY);
    const storage = fileStorage({ path });
    await expect(storage.getItem('k')).rejects.toThrow(/store\.json is owned by uid 65534, not by uid 0/);
    await expect(storage.setItem('k', 'v')).rejects.toThrow(UnsafeStorageFileError);
    expect(await readFile(path, 'utf8')).toBe('{"v":1,"items":{"k":"planted"}}');
  });

  it('a directory others can write to is refused', async () => {
    const dir = await privateDir('shared-dir');
    await chmod(dir, 0o777);
    const storage = fileStorage({ path: join(dir, 'store.json') });
    await expect(storage.setItem('k', 'v')).rejects.toThrow(/is writable by group or others/);
    expect(await readdir(dir)).toEqual([]);
  });
});

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createIdentityPoolAuth } from '@identity-pool/core';
import { startEmulator } from '@identity-pool/emulator';
import { storageAdapterSuite } from '@identity-pool/testkit';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStorage } from '../src/file.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'identity-pool-file-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

storageAdapterSuite(
  it,
  ({ store, namespace }) => fileStorage({ path: join(root, store, `${namespace}.json`) }),
  {
    name: 'fileStorage',
  },
);

describe('fileStorage on disk', () => {
  it('creates the directory 0700 and the file 0600, and writes no temporary file left behind', async () => {
    const dir = join(root, 'modes', 'nested');
    const storage = fileStorage({ path: join(dir, 'session.json') });
    await storage.setItem('k', 'v');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'modes'))).mode & 0o777).toBe(0o700);
    expect((await stat(storage.path)).mode & 0o777).toBe(0o600);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['session.json']);
    expect(JSON.parse(await readFile(storage.path, 'utf8'))).toEqual({ v: 1, items: { k: 'v' } });
  });

  it('an unreadable file is reported, not overwritten; sign-in still works', async () => {
    const path = join(root, 'corrupt.json');
    await writeFile(path, '{"v":1,"items":{"half', { mode: 0o600 });
    const storage = fileStorage({ path });
    await expect(storage.getItem('k')).rejects.toThrow(/corrupt\.json is not valid JSON/);
    await expect(storage.setItem('k', 'v')).rejects.toThrow(/not valid JSON/);
    expect(await readFile(path, 'utf8')).toBe('{"v":1,"items":{"half');

    const emulator = await startEmulator();
    try {
      const auth = createIdentityPoolAuth({
        identityPoolId: emulator.createPool().identityPoolId,
        endpoint: emulator.endpoint,
        storage,
      });
      const errors: Error[] = [];
      auth.on('error', ({ error }) => errors.push(error));
      expect((await auth.getCredentials()).identityId).toMatch(/^us-east-1:/);
      expect(errors.map((e) => e.name)).toContain('StorageError');
      auth.stop();
    } finally {
      await emulator.close();
    }
  });

  it('a lock left by a crashed process is broken once stale', async () => {
    const path = join(root, 'stale.json');
    await writeFile(`${path}.lock`, '99999\n', { mode: 0o600 });
    const { utimes } = await import('node:fs/promises');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    const storage = fileStorage({ path, staleLockMs: 1_000 });
    await storage.setItem('k', 'v');
    expect(await storage.getItem('k')).toBe('v');
  });

  it('a lock its holder keeps fresh, held too long, makes the write fail clearly within the timeout', async () => {
    const path = join(root, 'held.json');
    await writeFile(`${path}.lock`, '1\n', { mode: 0o600 });
    const { utimes } = await import('node:fs/promises');
    // A live holder refreshes its lock; one stuck for longer than the timeout is not broken.
    const holder = setInterval(() => {
      const now = new Date();
      void utimes(`${path}.lock`, now, now).catch(() => undefined);
    }, 20);
    try {
      const storage = fileStorage({ path, lockTimeoutMs: 300, staleLockMs: 100 });
      const started = performance.now();
      await expect(storage.setItem('k', 'v')).rejects.toThrow(/stayed locked for 300 ms/);
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      clearInterval(holder);
      await rm(`${path}.lock`);
    }
  });

  it('refuses timings where a crashed writer’s lock would outlast a write’s wait', () => {
    expect(() => fileStorage({ path: join(root, 'x.json'), lockTimeoutMs: 1000, staleLockMs: 1000 })).toThrow(
      /staleLockMs \(1000\) must be below lockTimeoutMs \(1000\)/,
    );
    expect(() => fileStorage({ path: join(root, 'x.json'), lockTimeoutMs: -1 })).toThrow(
      /lockTimeoutMs must be/,
    );
  });

  it('two processes hammering one file: it always parses and no write is lost', async () => {
    const bundle = join(root, 'file-adapter.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../src/file.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    const path = join(root, 'hammered', 'shared.json');
    const count = 120;
    const child = (writer: string) =>
      new Promise<void>((resolve, reject) => {
        const process_ = spawn(
          process.execPath,
          [
            fileURLToPath(new URL('./support/file-hammer.mjs', import.meta.url)),
            pathToFileURL(bundle).href,
            path,
            writer,
            String(count),
          ],
          { stdio: ['ignore', 'inherit', 'pipe'] },
        );
        let stderr = '';
        process_.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        process_.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`${writer}: ${code}\n${stderr}`)),
        );
      });
    let reads = 0;
    let done = false;
    const reader = (async () => {
      while (!done) {
        const text = await readFile(path, 'utf8').catch((error) =>
          error.code === 'ENOENT' ? undefined : '',
        );
        if (text !== undefined) {
          expect(() => JSON.parse(text), 'a reader saw a half-written file').not.toThrow();
          reads += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await Promise.all([child('a'), child('b')]).finally(() => {
      done = true;
    });
    await reader;
    expect(reads).toBeGreaterThan(10);
    const { items } = JSON.parse(await readFile(path, 'utf8')) as { items: Record<string, string> };
    for (const writer of ['a', 'b']) {
      for (let i = 0; i < count; i += 1) {
        const removed = i % 10 === 8;
        expect(items[`${writer}-${i}`] === undefined, `${writer}-${i}`).toBe(removed);
        if (!removed) expect(JSON.parse(items[`${writer}-${i}`]!)).toMatchObject({ writer, i });
      }
    }
    expect(items.shared).toMatch(new RegExp(`^[ab]:${count - 1}$`));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  }, 60_000);
});

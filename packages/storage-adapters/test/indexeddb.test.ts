import { storageAdapterSuite } from '@identity-pool/testkit';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { indexedDbStorage } from '../src/indexeddb.js';

// fake-indexeddb in Node; the same suite runs in real Chromium and Firefox in browser.*.test.ts.
const factory = new IDBFactory();
storageAdapterSuite(
  it,
  ({ store, namespace }) => indexedDbStorage({ indexedDB: factory, dbName: store, storeName: namespace }),
  { name: 'indexedDbStorage (fake-indexeddb)' },
);

const request = <T>(r: IDBRequest<T> | IDBOpenDBRequest, events: string[] = []) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result as T);
    r.onerror = () => reject(r.error);
    if ('onblocked' in r) r.onblocked = () => events.push('blocked');
  });

describe('indexedDbStorage connection handling', () => {
  it('opens the database lazily, on the first call', async () => {
    const idb = new IDBFactory();
    const open = vi.spyOn(idb, 'open');
    const storage = indexedDbStorage({ indexedDB: idb, dbName: 'lazy' });
    expect(open).not.toHaveBeenCalled();
    expect(await storage.getItem('k')).toBeNull();
    expect(open).toHaveBeenCalled();
    await storage.dispose();
  });

  it('closes on another connection’s versionchange, so its upgrade is not blocked, then reopens', async () => {
    const idb = new IDBFactory();
    const storage = indexedDbStorage({ indexedDB: idb, dbName: 'shared' });
    await storage.setItem('k', 'before');
    const events: string[] = [];
    const upgrade = idb.open('shared', 5);
    upgrade.onupgradeneeded = () => upgrade.result.createObjectStore('theirs');
    const other = await request<IDBDatabase>(upgrade, events);
    expect(events).toEqual([]);
    expect(other.version).toBe(5);
    expect(await storage.getItem('k')).toBe('before');
    await storage.setItem('k', 'after');
    other.close();
    expect(await storage.getItem('k')).toBe('after');
    await storage.dispose();
  });

  it('a blocked upgrade rejects after blockedTimeoutMs, and the next call succeeds once unblocked', async () => {
    const idb = new IDBFactory();
    // Another tab holds version 1 open and ignores versionchange.
    const stubborn = await request<IDBDatabase>(idb.open('blocked', 1));
    const storage = indexedDbStorage({
      indexedDB: idb,
      dbName: 'blocked',
      storeName: 'ours',
      blockedTimeoutMs: 100,
    });
    await expect(storage.setItem('k', 'v')).rejects.toThrow(
      /stayed blocked by another connection for 100 ms/,
    );
    stubborn.close();
    await storage.setItem('k', 'v');
    expect(await storage.getItem('k')).toBe('v');
    await storage.dispose();
  });

  it('dispose() closes the connection (deleting the database is not blocked); a later call reopens', async () => {
    const idb = new IDBFactory();
    const storage = indexedDbStorage({ indexedDB: idb, dbName: 'disposed' });
    await storage.setItem('k', 'v');
    await storage.dispose();
    const events: string[] = [];
    await request(idb.deleteDatabase('disposed'), events);
    expect(events).toEqual([]);
    expect(await storage.getItem('k')).toBeNull();
    await storage.setItem('k', 'again');
    expect(await storage.getItem('k')).toBe('again');
    await storage.dispose();
  });

  it('rejects clearly where there is no IndexedDB', async () => {
    const storage = indexedDbStorage({ dbName: 'none' });
    await expect(storage.getItem('k')).rejects.toThrow(/IndexedDB is not available/);
  });
});

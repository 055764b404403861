import type { StorageAdapter } from '@identity-pool/core';
import { reason, StorageAdapterError } from './errors.js';

export interface IndexedDbStorageOptions {
  /** Default `identity-pool`. */
  dbName?: string;
  /** Default `keyval`; created on first use (upgrading the database when it already exists). */
  storeName?: string;
  /** The `IDBFactory`; default `globalThis.indexedDB` (pass `fake-indexeddb`'s in Node tests). */
  indexedDB?: IDBFactory;
  /** How long to wait when opening is blocked by another tab's open connection; default 10 000 ms. */
  blockedTimeoutMs?: number;
}

export interface IndexedDbStorage extends StorageAdapter {
  /** Closes the connection; a later call opens it again. */
  dispose(): Promise<void>;
}

const fail = (message: string, cause?: unknown) =>
  new StorageAdapterError(
    'indexedDbStorage',
    cause === undefined ? message : `${message}: ${reason(cause)}`,
    {
      cause,
    },
  );

/**
 * IndexedDB as a storage adapter: one object store of string values. The database is opened on
 * first use, not when the adapter is made. When another tab upgrades the database
 * (`versionchange`) the connection is closed at once so that tab is not blocked, and the next call
 * opens it again; when this adapter's own upgrade is blocked it waits up to `blockedTimeoutMs`,
 * then rejects (the core reports it) and tries again on the next call. Writes resolve when their
 * transaction completes.
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): IndexedDbStorage {
  const dbName = options.dbName ?? 'identity-pool';
  const storeName = options.storeName ?? 'keyval';
  const blockedTimeoutMs = options.blockedTimeoutMs ?? 10_000;
  let connecting: Promise<IDBDatabase> | undefined;
  let active: IDBDatabase | undefined;

  const factory = (): IDBFactory => {
    const found = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!found) throw fail('IndexedDB is not available in this runtime');
    return found;
  };

  const openOnce = (version?: number) =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = version === undefined ? factory().open(dbName) : factory().open(dbName, version);
      let timer: ReturnType<typeof setTimeout> | undefined;
      let gaveUp = false;
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName);
      };
      request.onblocked = () => {
        timer ??= setTimeout(() => {
          gaveUp = true;
          reject(fail(`opening "${dbName}" stayed blocked by another connection for ${blockedTimeoutMs} ms`));
        }, blockedTimeoutMs);
      };
      request.onsuccess = () => {
        if (timer) clearTimeout(timer);
        if (gaveUp) request.result.close();
        else resolve(request.result);
      };
      request.onerror = () => {
        if (timer) clearTimeout(timer);
        reject(request.error);
      };
    });

  const open = async (): Promise<IDBDatabase> => {
    let version: number | undefined;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      let db: IDBDatabase;
      try {
        db = await openOnce(version);
      } catch (error) {
        // Someone upgraded past the version we asked for: open whatever is current.
        if ((error as { name?: string } | null)?.name === 'VersionError') {
          version = undefined;
          continue;
        }
        throw error instanceof StorageAdapterError ? error : fail(`cannot open "${dbName}"`, error);
      }
      if (!db.objectStoreNames.contains(storeName)) {
        // The database exists without our store: upgrade it to add the store.
        version = db.version + 1;
        db.close();
        continue;
      }
      const forget = () => {
        if (active === db) {
          active = undefined;
          connecting = undefined;
        }
      };
      db.onversionchange = () => {
        db.close();
        forget();
      };
      // Closed by the browser (storage cleared, disk error): open again on the next call.
      db.onclose = forget;
      active = db;
      return db;
    }
    throw fail(`cannot open "${dbName}" with the object store "${storeName}"`);
  };

  const connect = (): Promise<IDBDatabase> => {
    if (!connecting) {
      const attempt = open();
      connecting = attempt;
      attempt.catch(() => {
        if (connecting === attempt) connecting = undefined;
      });
    }
    return connecting;
  };

  const run = async <T>(
    mode: IDBTransactionMode,
    operation: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T> => {
    for (let attempt = 0; ; attempt += 1) {
      const db = await connect();
      let transaction: IDBTransaction;
      try {
        transaction = db.transaction(storeName, mode);
      } catch (error) {
        // The connection closed under us (versionchange, dispose): open again once.
        if (attempt < 2 && (error as { name?: string } | null)?.name === 'InvalidStateError') {
          if (active === db) {
            active = undefined;
            connecting = undefined;
          }
          continue;
        }
        throw fail('cannot start a transaction', error);
      }
      return new Promise<T>((resolve, reject) => {
        const request = operation(transaction.objectStore(storeName));
        transaction.oncomplete = () => resolve(request.result);
        transaction.onerror = () => reject(fail(`${mode} failed`, transaction.error ?? request.error));
        transaction.onabort = () => reject(fail(`${mode} was aborted`, transaction.error ?? undefined));
      });
    }
  };

  return {
    async getItem(key) {
      const value = await run('readonly', (store) => store.get(key));
      return typeof value === 'string' ? value : null;
    },
    async setItem(key, value) {
      await run('readwrite', (store) => store.put(String(value), key));
    },
    async removeItem(key) {
      await run('readwrite', (store) => store.delete(key));
    },
    async dispose() {
      const pending = connecting;
      connecting = undefined;
      active = undefined;
      const db = await pending?.catch(() => undefined);
      db?.close();
    },
  };
}

export { StorageAdapterError } from './errors.js';

// The tests that run inside real browsers (see ../browser.*.test.ts). Imported by the page
// bundle, which runs them, and by Node, which only collects their names.
import { storageAdapterSuite } from '@identity-pool/testkit';
import { encryptedStorage } from '../../src/encrypted.js';
import { StorageAdapterError } from '../../src/errors.js';
import { indexedDbStorage } from '../../src/indexeddb.js';
import { webStorage } from '../../src/web-storage.js';

type Test = (name: string, fn: () => Promise<void>) => void;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

// The emulator is Node-only: the end-to-end group runs in the Node tests of each adapter.
const groups = { endToEnd: false };

export function registerBrowserTests(test: Test): void {
  storageAdapterSuite(
    test,
    ({ store, namespace }) => webStorage(localStorage, { prefix: `${store}:${namespace}` }),
    {
      name: 'webStorage (localStorage)',
      groups,
    },
  );
  storageAdapterSuite(
    test,
    ({ store, namespace }) => webStorage(sessionStorage, { prefix: `${store}:${namespace}` }),
    { name: 'webStorage (sessionStorage)', groups },
  );
  storageAdapterSuite(
    test,
    ({ store, namespace }) => indexedDbStorage({ dbName: store, storeName: namespace }),
    {
      name: 'indexedDbStorage (IndexedDB)',
      groups,
    },
  );
  let key: Promise<CryptoKey> | undefined;
  storageAdapterSuite(
    test,
    async ({ store, namespace }) => {
      key ??= crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      return encryptedStorage(webStorage(localStorage, { prefix: `${store}:${namespace}` }), {
        key: await key,
      });
    },
    { name: 'encryptedStorage over webStorage (WebCrypto)', groups },
  );

  test('webStorage (localStorage): a real QuotaExceededError keeps the value in memory', async () => {
    const storage = webStorage(localStorage, { prefix: 'quota:' });
    const chunk = 'x'.repeat(512 * 1024);
    let filled = 0;
    try {
      for (; filled < 40; filled += 1) localStorage.setItem(`filler-${filled}`, chunk);
      throw new Error('localStorage never ran out of quota');
    } catch (error) {
      check((error as Error).name === 'QuotaExceededError', `filling failed with ${(error as Error).name}`);
    }
    try {
      let thrown: unknown;
      try {
        storage.setItem('big', 'y'.repeat(1024 * 1024));
      } catch (error) {
        thrown = error;
      }
      check(thrown instanceof StorageAdapterError, 'setItem did not throw a StorageAdapterError');
      check(/QuotaExceededError/.test((thrown as Error).message), (thrown as Error).message);
      check((await storage.getItem('big'))?.length === 1024 * 1024, 'the value was not kept in memory');
      check(localStorage.getItem('quota:big') === null, 'the value reached localStorage');
    } finally {
      for (let i = 0; i <= filled; i += 1) localStorage.removeItem(`filler-${i}`);
    }
    storage.setItem('big', 'small now');
    check(localStorage.getItem('quota:big') === 'small now', 'after freeing space the write did not land');
    check(storage.memoryOnlyKeys.length === 0, 'the key stayed memory-only');
    storage.removeItem('big');
  });

  test('indexedDbStorage (IndexedDB): another tab’s upgrade is not blocked, and the adapter reopens', async () => {
    const storage = indexedDbStorage({ dbName: 'versionchange-test' });
    await storage.setItem('k', 'before');
    const blocked: string[] = [];
    const other = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('versionchange-test', 7);
      request.onupgradeneeded = () => request.result.createObjectStore('theirs');
      request.onblocked = () => blocked.push('blocked');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    check(blocked.length === 0, 'the other connection’s upgrade was blocked');
    check(other.version === 7, `version ${other.version}`);
    check((await storage.getItem('k')) === 'before', 'the value was lost across the upgrade');
    await storage.setItem('k', 'after');
    other.close();
    check((await storage.getItem('k')) === 'after', 'a write after the upgrade did not land');
    await storage.dispose();
    await new Promise((resolve, reject) => {
      const request = indexedDB.deleteDatabase('versionchange-test');
      request.onsuccess = resolve;
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('dispose() left the connection open'));
    });
  });
}

/** Across a page reload: written before it by one page, read after it by the next. */
export async function writeBeforeReload(): Promise<void> {
  webStorage(localStorage, { prefix: 'reload:' }).setItem('k', 'survives 🔐');
  const idb = indexedDbStorage({ dbName: 'reload' });
  await idb.setItem('k', 'survives 🔐');
  await idb.dispose();
}

export async function readAfterReload(): Promise<[string | null, string | null]> {
  const idb = indexedDbStorage({ dbName: 'reload' });
  const values: [string | null, string | null] = [
    webStorage(localStorage, { prefix: 'reload:' }).getItem('k') as string | null,
    await idb.getItem('k'),
  ];
  await idb.dispose();
  return values;
}

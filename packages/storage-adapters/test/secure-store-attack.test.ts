/**
 * The secure-store adapter attacked as an outside reviewer would: writes killed between the chunks
 * and the manifest (a stand-in that throws or never answers at call N), manifests planted in the
 * keychain (huge, negative, NaN counts, generations naming another key's entries), keys whose
 * escaped forms or chunk names could meet, concurrent writes and reads of one key, values at the
 * 2048-byte and maxValueBytes boundaries in multi-byte UTF-8, and removals that fail half-way.
 * Every failure must be a StorageAdapterError without the value, nothing stored may be lost, and
 * nothing may be left in the keychain once a key is removed.
 */
import { createIdentityPoolAuth } from '@identity-pool/core';
import { startEmulator } from '@identity-pool/emulator';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { StorageAdapterError } from '../src/errors.js';
import {
  SECURE_STORE_CHUNK_BYTES,
  SECURE_STORE_WRITE_WAIT_MS,
  type SecureStoreLike,
  secureStore,
  secureStoreKey,
  utf8Length,
} from '../src/secure-store.js';
import { FakeExpoSecureStoreModule, loadSecureStore, removeBundle } from './support/expo-secure-store.js';

afterAll(removeBundle);

const MANIFEST = '\u0000chunks:';
let devices = 0;

/** expo-secure-store's JS over a fresh device, and that device's keychain as the native side keeps it. */
async function fresh() {
  const device = `attack-${devices++}`;
  const loaded = await loadSecureStore(device);
  const keychain = () => FakeExpoSecureStoreModule.devices.get(`${device}/app`) ?? new Map<string, string>();
  return { ...loaded, keychain };
}

type Fault = 'throw' | 'hang' | undefined;

/** SecureStore with a fault chosen per call: `plan(method, key, n)` (n counts every call from 1). */
function faulty(
  store: SecureStoreLike,
  plan: (method: string, key: string, n: number) => Fault,
): SecureStoreLike {
  let n = 0;
  const wrap =
    <A extends unknown[], R>(method: string, call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const fault = plan(method, String(args[0]), ++n);
      if (fault === 'throw') return Promise.reject(new Error('killed: SECRET-IN-NATIVE-MESSAGE'));
      if (fault === 'hang') return new Promise<R>(() => {});
      return call(...args);
    };
  return {
    AFTER_FIRST_UNLOCK: store.AFTER_FIRST_UNLOCK,
    getItemAsync: wrap('get', store.getItemAsync.bind(store)),
    setItemAsync: wrap('set', store.setItemAsync.bind(store)),
    deleteItemAsync: wrap('delete', store.deleteItemAsync.bind(store)),
  } as SecureStoreLike;
}

const KEY = 'identity-pool:v1:us-east-1:00000000-0000-0000-0000-000000000000:credentials';
const big = (seed: string) => `${seed}:${'é🔐x'.repeat(1200)}`; // about 8 400 bytes: five chunks
/** The error an adapter call ended with (its answer may be synchronous, as `Awaitable` allows). */
const failure = (answer: unknown) =>
  Promise.resolve(answer).then(
    () => undefined,
    (error: unknown) => error,
  );

describe('secureStore under attack: key and chunk names', () => {
  /** Decodes secureStoreKey's escaping: the inverse exists, so the escaping is injective. */
  const unescapeKey = (stored: string) =>
    stored.replace(/_([0-9a-f]{4})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

  it('the escaping is injective (it can be undone) and an escaped key never contains the chunk separator "."', () => {
    const tricky = [
      'a',
      'a.0',
      'a.b.0',
      'a_002e0',
      'a:b',
      'a_b',
      '_',
      '__',
      '',
      '.',
      '..',
      'é',
      '🔐',
      '\ud83d',
      'a-b',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const randomKeys = Array.from({ length: 2_000 }, () =>
      Array.from({ length: random() % 12 }, () => String.fromCharCode(random() % 0x10000)).join(''),
    );
    for (const key of [...tricky, ...randomKeys]) {
      const stored = secureStoreKey(key);
      expect(unescapeKey(stored)).toBe(key);
      expect(stored).toMatch(/^[A-Za-z0-9_-]*$/);
    }
  });

  it('a key named like another key’s chunk ("<key>.<generation>.0") does not overwrite that chunk', async () => {
    const { SecureStore } = await fresh();
    const storage = secureStore(SecureStore);
    const value = big('kept');
    await storage.setItem('a', value);
    const pointer = String(await SecureStore.getItemAsync(secureStoreKey('a')));
    const generation = pointer.slice(MANIFEST.length).split(':')[0];
    await storage.setItem(`a.${generation}.0`, 'planted');
    expect(await storage.getItem('a')).toBe(value);
    await storage.removeItem(`a.${generation}.0`);
    expect(await storage.getItem('a')).toBe(value);
  });

  it.each([
    ['names another key’s entry', `${MANIFEST}b:1`],
    ['names a generation with a dot', `${MANIFEST}x.y:1`],
    ['has a huge count', `${MANIFEST}g:999999999`],
    ['has a negative count', `${MANIFEST}g:-1`],
    ['has a NaN count', `${MANIFEST}g:NaN`],
    ['has a fractional count', `${MANIFEST}g:1.5`],
    ['has an empty generation', `${MANIFEST}:1`],
  ])(
    'a planted manifest that %s reads as missing and is never followed outside the key',
    async (_name, planted) => {
      const { SecureStore, native } = await fresh();
      const storage = secureStore(SecureStore);
      await storage.setItem('a.b.0', 'another key’s value');
      await SecureStore.setItemAsync(secureStoreKey('a'), planted);
      expect(await storage.getItem('a')).toBeNull();
      // Replacing or removing it deletes at most as many entries as maxValueBytes allows chunks.
      const before = native.calls.length;
      await storage.setItem('a', 'fresh');
      await storage.removeItem('a');
      const deletes = native.calls.slice(before).filter((call) => call.method === 'delete').length;
      expect(deletes).toBeLessThanOrEqual(Math.ceil(16_384 / (SECURE_STORE_CHUNK_BYTES - 3)) + 2);
      expect(await storage.getItem('a.b.0')).toBe('another key’s value');
    },
  );
});

describe('secureStore under attack: writes killed half-way', () => {
  it('a write killed between the chunks and the manifest keeps the old value; the next write leaves no orphan chunk', async () => {
    const { SecureStore, keychain } = await fresh();
    const base = secureStoreKey(KEY);
    let killManifest = false;
    const store = faulty(SecureStore, (method, key) =>
      killManifest && method === 'set' && key === base ? 'throw' : undefined,
    );
    const storage = secureStore(store);
    await storage.setItem(KEY, big('old'));
    killManifest = true;
    const error = await failure(storage.setItem(KEY, big('new')));
    expect(error).toBeInstanceOf(StorageAdapterError);
    expect(String((error as Error).message)).not.toMatch(/SECRET|new:/);
    expect(await storage.getItem(KEY)).toBe(big('old'));
    killManifest = false;
    await storage.setItem(KEY, big('newer'));
    expect(await storage.getItem(KEY)).toBe(big('newer'));
    await storage.removeItem(KEY);
    expect([...keychain().keys()]).toEqual([]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])(
    'a write killed at its call %i keeps the old value and a later removal empties the keychain',
    async (step) => {
      const { SecureStore, keychain } = await fresh();
      let calls = 0;
      let armed = false;
      const store = faulty(SecureStore, () => (armed && ++calls === step ? 'throw' : undefined));
      const storage = secureStore(store);
      await storage.setItem(KEY, big('old'));
      armed = true;
      const error = await failure(storage.setItem(KEY, big('new')));
      armed = false;
      if (error !== undefined) expect(error).toBeInstanceOf(StorageAdapterError);
      expect([big('old'), big('new')]).toContain(await storage.getItem(KEY));
      await storage.removeItem(KEY);
      expect([...keychain().keys()]).toEqual([]);
    },
  );

  it('a write that never answers at its third call leaves the old value readable', async () => {
    const { SecureStore } = await fresh();
    let calls = 0;
    let armed = false;
    const storage = secureStore(faulty(SecureStore, () => (armed && ++calls === 3 ? 'hang' : undefined)));
    await storage.setItem(KEY, big('old'));
    armed = true;
    void storage.setItem(KEY, big('new'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    armed = false;
    expect(await storage.getItem(KEY)).toBe(big('old'));
  });

  it('a write that never answers holds its key for SECURE_STORE_WRITE_WAIT_MS, then the next write goes ahead', async () => {
    const { SecureStore, keychain } = await fresh();
    let calls = 0;
    let armed = false;
    const storage = secureStore(faulty(SecureStore, () => (armed && ++calls === 3 ? 'hang' : undefined)));
    await storage.setItem(KEY, big('old'));
    armed = true;
    void storage.setItem(KEY, big('new')); // hangs writing its journal
    await new Promise((resolve) => setTimeout(resolve, 5));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let done = false;
      const next = Promise.resolve(storage.setItem(KEY, big('newer'))).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(SECURE_STORE_WRITE_WAIT_MS - 1);
      expect(done).toBe(false); // queued behind the hung write
      await vi.advanceTimersByTimeAsync(1);
      await next;
    } finally {
      vi.useRealTimers();
    }
    expect(await storage.getItem(KEY)).toBe(big('newer'));
    await storage.removeItem(KEY);
    expect([...keychain().keys()]).toEqual([]);
  });

  it('a removal whose chunk delete fails can be retried and then leaves nothing behind', async () => {
    const { SecureStore, keychain } = await fresh();
    const base = secureStoreKey(KEY);
    let failChunks = false;
    const store = faulty(SecureStore, (method, key) =>
      failChunks && method === 'delete' && key.startsWith(`${base}.`) ? 'throw' : undefined,
    );
    const storage = secureStore(store);
    await storage.setItem(KEY, big('old'));
    failChunks = true;
    expect(await failure(storage.removeItem(KEY))).toBeInstanceOf(StorageAdapterError);
    failChunks = false;
    await storage.removeItem(KEY);
    expect(await storage.getItem(KEY)).toBeNull();
    expect([...keychain().keys()]).toEqual([]);
  });
});

describe('secureStore under attack: one key used concurrently', () => {
  it('concurrent setItem / removeItem on one key: the last call wins and no chunk is orphaned', async () => {
    const { SecureStore, keychain } = await fresh();
    const storage = secureStore(SecureStore);
    await Promise.all([
      storage.setItem(KEY, big('1')),
      storage.setItem(KEY, big('2')),
      storage.removeItem(KEY),
      storage.setItem(KEY, big('3')),
      storage.setItem(KEY, 'small'),
      storage.setItem(KEY, big('4')),
    ]);
    expect(await storage.getItem(KEY)).toBe(big('4'));
    const chunkCount = Math.ceil(utf8Length(big('4')) / (SECURE_STORE_CHUNK_BYTES - 3));
    expect(keychain().size).toBeLessThanOrEqual(chunkCount + 1);
    await storage.removeItem(KEY);
    expect([...keychain().keys()]).toEqual([]);
  });

  it('two adapters over the same SecureStore share the queue: concurrent writes orphan nothing', async () => {
    const { SecureStore, keychain } = await fresh();
    const first = secureStore(SecureStore);
    const second = secureStore(SecureStore);
    await Promise.all([
      first.setItem(KEY, big('1')),
      second.setItem(KEY, big('2')),
      first.setItem(KEY, big('3')),
    ]);
    expect(await second.getItem(KEY)).toBe(big('3'));
    await second.removeItem(KEY);
    expect([...keychain().keys()]).toEqual([]);
  });

  it('a read overtaken by a write returns the old value or the new one, never nothing', async () => {
    const { SecureStore } = await fresh();
    const base = secureStoreKey(KEY);
    let gate: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      gate = resolve;
    });
    let holdNextChunkRead = false;
    const reader: SecureStoreLike = {
      ...faulty(SecureStore, () => undefined),
      async getItemAsync(key, options) {
        if (holdNextChunkRead && key.startsWith(`${base}.`)) {
          holdNextChunkRead = false;
          await held;
        }
        return SecureStore.getItemAsync(key, options);
      },
    };
    const writer = secureStore(SecureStore);
    await writer.setItem(KEY, big('old'));
    holdNextChunkRead = true;
    const read = secureStore(reader).getItem(KEY);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writer.setItem(KEY, big('new'));
    gate?.();
    expect([big('old'), big('new')]).toContain(await read);
  });
});

describe('secureStore under attack: byte boundaries in multi-byte UTF-8', () => {
  it.each([
    ['2048 bytes of "é" (1 024 characters)', 1, 'é'.repeat(1024)],
    ['2048 bytes of "🔐" (1 024 UTF-16 units)', 1, '🔐'.repeat(512)],
    ['2049 bytes: one over', 2, `${'é'.repeat(1024)}x`],
    ['an emoji straddling the 2048th byte', 2, `${'x'.repeat(2046)}🔐`],
    ['1 400 characters, 4 200 bytes', 3, '日'.repeat(1400)],
  ])('%s is stored as %i piece(s) and read back exactly', async (_name, values, value) => {
    const { SecureStore, native } = await fresh();
    const storage = secureStore(SecureStore);
    await storage.setItem(KEY, value);
    // A chunked value: its pieces, the manifest, and the journal naming the generation in play.
    expect(native.calls.filter((call) => call.method === 'set').length).toBe(values === 1 ? 1 : values + 2);
    expect(await storage.getItem(KEY)).toBe(value);
  });

  it('maxValueBytes counts bytes, not characters: exactly at it is stored, one byte over is refused', async () => {
    const { SecureStore } = await fresh();
    const storage = secureStore(SecureStore, { maxValueBytes: 6000 });
    const atLimit = '🔐'.repeat(1500); // 3 000 UTF-16 units, 6 000 bytes
    await storage.setItem(KEY, atLimit);
    expect(await storage.getItem(KEY)).toBe(atLimit);
    const over = `${'🔐'.repeat(1499)}é日`; // 5 996 + 2 + 3 = 6 001 bytes, 3 000 units
    expect(over.length).toBe(3000);
    const error = await failure(storage.setItem(KEY, over));
    expect(error).toBeInstanceOf(StorageAdapterError);
    expect((error as Error).message).toMatch(/6001 bytes, over maxValueBytes \(6000\)/);
    expect(await storage.getItem(KEY)).toBe(atLimit);
  });
});

describe('secureStore under attack: a native side answering with the wrong shapes', () => {
  it.each([
    ['undefined (a missing import)', undefined],
    ['null', null],
    ['a string', 'expo-secure-store'],
    ['an object without deleteItemAsync', { getItemAsync() {}, setItemAsync() {} }],
  ])('secureStore(%s) is refused with a StorageAdapterError naming what is missing', (_name, store) => {
    const make = () => secureStore(store as unknown as SecureStoreLike);
    expect(make).toThrow(StorageAdapterError);
    expect(make).toThrow(/getItemAsync, setItemAsync and deleteItemAsync/);
  });

  it.each([
    ['a number', 42],
    ['an object', { value: 'x' }],
    ['a boolean', true],
  ])(
    'a read answering %s fails with a StorageAdapterError (no TypeError), and nothing stored is touched',
    async (_name, answer) => {
      const { SecureStore, keychain } = await fresh();
      await secureStore(SecureStore).setItem(KEY, 'kept');
      const odd = {
        ...faulty(SecureStore, () => undefined),
        getItemAsync: async () => answer,
      } as unknown as SecureStoreLike;
      const storage = secureStore(odd);
      for (const attempt of [storage.getItem(KEY), storage.setItem(KEY, 'new'), storage.removeItem(KEY)]) {
        const error = await failure(attempt);
        expect(error).toBeInstanceOf(StorageAdapterError);
        expect((error as Error).message).toMatch(/read/);
      }
      expect(keychain().get(secureStoreKey(KEY))).toBe('kept');
    },
  );

  it('a read answering undefined (a missing entry, as some stand-ins say it) reads as missing', async () => {
    const { SecureStore } = await fresh();
    const odd = {
      ...faulty(SecureStore, () => undefined),
      getItemAsync: async () => undefined,
    } as unknown as SecureStoreLike;
    expect(await secureStore(odd).getItem(KEY)).toBeNull();
  });
});

describe('secureStore under attack: end to end through a session', () => {
  it('a keychain write failing with the value in its message reaches the app as StorageErrors without it; the session still serves', async () => {
    const emulator = await startEmulator();
    try {
      const { SecureStore } = await fresh();
      const identityPoolId = emulator.createPool().identityPoolId;
      // A native side that echoes what it was asked to write into its error (as some do).
      const leaky: SecureStoreLike = {
        ...faulty(SecureStore, () => undefined),
        setItemAsync: async (key, value) => {
          throw new Error(`cannot write ${value} to ${key}`);
        },
      };
      const session = createIdentityPoolAuth({
        identityPoolId,
        endpoint: emulator.endpoint,
        persistCredentials: true,
        storage: secureStore(leaky),
      });
      const errors: Error[] = [];
      session.on('error', ({ error }) => errors.push(error));
      const credentials = await session.getCredentials();
      await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2), { timeout: 2_000 }); // identity, credentials
      session.stop();
      expect(credentials.identityId).toMatch(/^us-east-1:/); // served from memory despite the failures
      for (const error of errors) {
        expect(error.name).toBe('StorageError');
        const seen = `${JSON.stringify(error, Object.getOwnPropertyNames(error))} ${String(error.cause)} ${error.stack}`;
        for (const secret of [credentials.sessionToken, credentials.secretAccessKey]) {
          expect(seen).not.toContain(secret);
        }
      }
    } finally {
      await emulator.close();
    }
  });
});

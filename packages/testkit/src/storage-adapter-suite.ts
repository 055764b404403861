/**
 * `storageAdapterSuite`: the conformance tests every identity-pool `StorageAdapter` passes.
 * Runner-injected: pass vitest's `it` (or any `(name, fn) => void`); it imports no test library.
 */
import { createIdentityPoolAuth, type IdentityPoolAuth, type StorageAdapter } from '@identity-pool/core';

/** Registers one test, like vitest's or jest's `it`/`test`. */
type TestFunction = (name: string, fn: () => Promise<void>) => void;

/** The groups of the suite; each can be switched off with `options.groups`. */
export type StorageSuiteGroup =
  | 'basics'
  | 'isolation'
  | 'persistence'
  | 'concurrency'
  | 'removeItem'
  | 'values'
  | 'endToEnd';

export const storageSuiteGroups: readonly StorageSuiteGroup[] = [
  'basics',
  'isolation',
  'persistence',
  'concurrency',
  'removeItem',
  'values',
  'endToEnd',
];

/** What `makeStorage` is asked for. */
export interface StorageFactoryContext {
  /**
   * Names the backing store (a file, a database, a Redis key prefix). Unique per test; two
   * adapters made with the same `store` and `namespace` must see the same data (persistence).
   */
  store: string;
  /**
   * A namespace inside the store (a key prefix, an object store): two adapters over one store
   * with different namespaces must not see each other's keys.
   */
  namespace: string;
}

/** An adapter, optionally with a `dispose()` the suite calls when a test is done with it. */
export type SuiteStorage = StorageAdapter & { dispose?(): unknown };

export interface StorageAdapterSuiteOptions {
  /** Prefix of every test name; defaults to `storage adapter`. */
  name?: string;
  /**
   * Groups to run (all by default). Switch off `persistence` for adapters that forget on
   * `dispose()` (memory), and `endToEnd` where the emulator cannot run (a browser page).
   */
  groups?: Partial<Record<StorageSuiteGroup, boolean>>;
  /** Size of the large value in characters; default 50 000. */
  largeValueLength?: number;
  /** Called after each test, once its adapters are disposed (delete files, flush a database…). */
  cleanup?: (context: StorageFactoryContext) => unknown;
}

class ConformanceError extends Error {
  override name = 'StorageAdapterConformanceError';
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message);
}

function show(value: unknown): string {
  if (typeof value === 'string' && value.length > 80) return `a string of ${value.length} characters`;
  return JSON.stringify(value) ?? String(value);
}

function checkEqual(actual: unknown, expected: unknown, what: string): void {
  check(actual === expected, `${what}: expected ${show(expected)}, got ${show(actual)}`);
}

let storeCounter = 0;
function uniqueStore(): string {
  storeCounter += 1;
  return `ipsuite-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${storeCounter}`;
}

/** A key shaped like the ones the core writes (under its `storageKeyPrefix`, default `identity-pool`). */
const coreKey = (name: string, storageKeyPrefix = 'identity-pool') =>
  `${storageKeyPrefix}:v1:us-east-1:00000000-0000-0000-0000-000000000000:${name}`;

/** Values the adapter must hand back unchanged. */
const unicodeValues = [
  'plain',
  '',
  ' leading and trailing spaces ',
  'ünïcödé — “quotes” ‘single’ «guillemets»',
  '日本語のテキスト 中文 한국어',
  'emoji 🔐🪪👩‍👩‍👧‍👦 flags 🇩🇪🇯🇵 and skin tones 👍🏽',
  'combining e\u0301 and zero-width\u200bspace\u200d',
  'control \u0000 nul \u0001 \t tab \n newline \r\n crlf',
  '{"json":"inside","escaped":"\\"quotes\\" and \\\\ backslash","n":[1,2.5,-3e10]}',
  'astral 𝄞 𝕏 𠀀',
];

/**
 * Registers the conformance tests of a storage adapter: missing keys are `null`, values come back
 * exactly (unicode, 50 KB), namespaces and stores are isolated (also namespaces that run into keys), a new adapter over the same store
 * sees what an earlier one wrote, concurrent writes all land and writes issued in order end in
 * the last one, `removeItem` is idempotent, and `createIdentityPoolAuth` over the adapter against
 * the emulator restarts warm (one call; none with `persistCredentials`).
 *
 * @param makeStorage makes a fresh adapter; called once or more per test, with the test's
 *   `store` and a `namespace`.
 */
export function storageAdapterSuite(
  test: TestFunction,
  makeStorage: (context: StorageFactoryContext) => SuiteStorage | Promise<SuiteStorage>,
  options: StorageAdapterSuiteOptions = {},
): void {
  const prefix = options.name ?? 'storage adapter';
  const enabled = (group: StorageSuiteGroup) => options.groups?.[group] ?? true;
  const largeLength = options.largeValueLength ?? 50_000;

  interface Harness {
    store: string;
    /** A new adapter over this test's store (namespace `main` unless given). */
    open(namespace?: string, store?: string): Promise<SuiteStorage>;
    dispose(storage: SuiteStorage): Promise<void>;
  }

  const run = (
    group: StorageSuiteGroup,
    name: string,
    body: (h: Harness) => Promise<void>,
    alsoNeeds?: StorageSuiteGroup,
  ) => {
    if (!enabled(group) || (alsoNeeds && !enabled(alsoNeeds))) return;
    test(`${prefix}: ${group}: ${name}`, async () => {
      const store = uniqueStore();
      const open: SuiteStorage[] = [];
      const contexts: StorageFactoryContext[] = [];
      const harness: Harness = {
        store,
        async open(namespace = 'main', otherStore = store) {
          const context = { store: otherStore, namespace };
          const storage = await makeStorage(context);
          check(
            storage && typeof storage.getItem === 'function' && typeof storage.setItem === 'function',
            'makeStorage must return an object with getItem, setItem and removeItem',
          );
          check(typeof storage.removeItem === 'function', 'the adapter has no removeItem');
          open.push(storage);
          if (!contexts.some((c) => c.store === otherStore && c.namespace === namespace)) {
            contexts.push(context);
          }
          return storage;
        },
        async dispose(storage) {
          const index = open.indexOf(storage);
          if (index >= 0) open.splice(index, 1);
          await storage.dispose?.();
        },
      };
      try {
        await body(harness);
      } finally {
        for (const storage of open.reverse()) await storage.dispose?.();
        for (const context of contexts) await options.cleanup?.(context);
      }
    });
  };

  run('basics', 'getItem of a key never written is null', async ({ open }) => {
    const storage = await open();
    checkEqual(await storage.getItem(coreKey('identity')), null, 'getItem of a missing key');
    checkEqual(await storage.getItem('never-written'), null, 'getItem of a missing key');
  });

  run('basics', 'setItem then getItem returns the value, and overwriting replaces it', async ({ open }) => {
    const storage = await open();
    const key = coreKey('identity');
    await storage.setItem(key, '{"v":1,"identityId":"us-east-1:abc"}');
    checkEqual(await storage.getItem(key), '{"v":1,"identityId":"us-east-1:abc"}', 'getItem after setItem');
    await storage.setItem(key, 'second');
    checkEqual(await storage.getItem(key), 'second', 'getItem after overwriting');
  });

  run('basics', 'removeItem makes getItem null and leaves other keys alone', async ({ open }) => {
    const storage = await open();
    await storage.setItem(coreKey('identity'), 'identity');
    await storage.setItem(coreKey('credentials'), 'credentials');
    await storage.removeItem(coreKey('credentials'));
    checkEqual(await storage.getItem(coreKey('credentials')), null, 'getItem of a removed key');
    checkEqual(await storage.getItem(coreKey('identity')), 'identity', 'getItem of the key kept');
  });

  run('removeItem', 'removeItem of a key never written resolves', async ({ open }) => {
    const storage = await open();
    await storage.removeItem(coreKey('never-written'));
    checkEqual(await storage.getItem(coreKey('never-written')), null, 'getItem after removeItem');
  });

  run('removeItem', 'removeItem twice resolves both times', async ({ open }) => {
    const storage = await open();
    await storage.setItem('k', 'v');
    await storage.removeItem('k');
    await storage.removeItem('k');
    checkEqual(await storage.getItem('k'), null, 'getItem after removing twice');
    await storage.setItem('k', 'again');
    checkEqual(await storage.getItem('k'), 'again', 'getItem after writing a removed key again');
  });

  run('isolation', 'two namespaces of one store do not see each other', async ({ open }) => {
    const a = await open('a');
    const b = await open('b');
    const key = coreKey('identity');
    await a.setItem(key, 'from a');
    checkEqual(await b.getItem(key), null, 'namespace b reading a key only a wrote');
    await b.setItem(key, 'from b');
    checkEqual(await a.getItem(key), 'from a', 'namespace a after b wrote the same key');
    await b.removeItem(key);
    checkEqual(await a.getItem(key), 'from a', 'namespace a after b removed the same key');
  });

  run('isolation', 'two stores do not see each other', async ({ open, store }) => {
    const a = await open('main', store);
    const b = await open('main', `${store}-other`);
    await a.setItem('shared-key', 'from a');
    checkEqual(await b.getItem('shared-key'), null, 'store b reading a key only store a wrote');
    await b.setItem('shared-key', 'from b');
    await b.removeItem('shared-key');
    checkEqual(await a.getItem('shared-key'), 'from a', 'store a after store b wrote and removed');
  });

  run(
    'isolation',
    'namespaces that run into keys never share one: "tenant" + "1x:…" is not "tenant1" + "x:…"',
    async ({ open }) => {
      const namespaces = ['tenant', 'tenant1'];
      const keyPrefixes = ['1x', 'x'];
      const adapters = await Promise.all(namespaces.map((namespace) => open(namespace)));
      for (const [n, storage] of adapters.entries()) {
        for (const keyPrefix of keyPrefixes) {
          await storage.setItem(coreKey('identity', keyPrefix), `${namespaces[n]} + ${keyPrefix}`);
        }
      }
      for (const [n, storage] of adapters.entries()) {
        for (const keyPrefix of keyPrefixes) {
          checkEqual(
            await storage.getItem(coreKey('identity', keyPrefix)),
            `${namespaces[n]} + ${keyPrefix}`,
            `namespace ${namespaces[n]}, key prefix ${keyPrefix}`,
          );
        }
      }
    },
  );

  run('persistence', 'a new adapter over the same store reads what an earlier one wrote', async (h) => {
    const first = await h.open();
    await first.setItem(coreKey('identity'), 'kept');
    await first.setItem(coreKey('credentials'), 'removed later');
    await first.removeItem(coreKey('credentials'));
    await h.dispose(first);
    const second = await h.open();
    checkEqual(await second.getItem(coreKey('identity')), 'kept', 'a new adapter reading a written key');
    checkEqual(await second.getItem(coreKey('credentials')), null, 'a new adapter reading a removed key');
  });

  run('persistence', 'two adapters open at once over one store see each other’s writes', async (h) => {
    const first = await h.open();
    const second = await h.open();
    await first.setItem('k', 'from first');
    checkEqual(await second.getItem('k'), 'from first', 'the second adapter reading the first one’s write');
    await second.removeItem('k');
    checkEqual(await first.getItem('k'), null, 'the first adapter after the second removed the key');
  });

  run('concurrency', '50 concurrent writes of distinct keys all land', async ({ open }) => {
    const storage = await open();
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    await Promise.all(keys.map((key) => storage.setItem(key, `value of ${key}`)));
    const values = await Promise.all(keys.map((key) => storage.getItem(key)));
    values.forEach((value, i) => {
      checkEqual(value, `value of ${keys[i]}`, `key-${i} after concurrent writes`);
    });
  });

  run('concurrency', 'writes and removes issued in order end in the last one', async ({ open }) => {
    const storage = await open();
    const key = coreKey('identity');
    const pending: Array<unknown> = [];
    for (let i = 0; i < 20; i += 1) {
      pending.push(storage.setItem(key, `write ${i}`));
      if (i % 5 === 4) pending.push(storage.removeItem(key));
    }
    pending.push(storage.setItem(key, 'last'));
    await Promise.all(pending);
    checkEqual(await storage.getItem(key), 'last', 'the key after writes issued in order');
    await Promise.all([storage.setItem(key, 'x'), storage.removeItem(key)]);
    checkEqual(await storage.getItem(key), null, 'the key after a write then a remove issued together');
  });

  run(
    'concurrency',
    'concurrent writes from two adapters over one store leave a written value',
    async (h) => {
      const a = await h.open();
      const b = await h.open();
      const written = new Set<string>();
      const pending: Array<unknown> = [];
      for (let i = 0; i < 10; i += 1) {
        for (const [name, storage] of [
          ['a', a],
          ['b', b],
        ] as const) {
          const value = JSON.stringify({ writer: name, i, padding: 'x'.repeat(200) });
          written.add(value);
          pending.push(storage.setItem('contended', value));
          pending.push(storage.setItem(`${name}-${i}`, value));
        }
      }
      await Promise.all(pending);
      for (const storage of [a, b]) {
        const value = await storage.getItem('contended');
        check(
          value !== null && written.has(value),
          `the contended key holds ${show(value)}, not a written value`,
        );
      }
      for (let i = 0; i < 10; i += 1) {
        check((await a.getItem(`b-${i}`)) !== null, `b-${i}, written through the other adapter, is missing`);
      }
    },
    // Two adapters share data only where the store persists beyond one instance.
    'persistence',
  );

  run('values', 'unicode, control characters and JSON come back unchanged', async ({ open }) => {
    const storage = await open();
    for (const [i, value] of unicodeValues.entries()) await storage.setItem(`value-${i}`, value);
    for (const [i, value] of unicodeValues.entries()) {
      checkEqual(await storage.getItem(`value-${i}`), value, `value ${i}`);
    }
  });

  run('values', 'keys with colons, slashes, spaces and unicode are distinct and exact', async ({ open }) => {
    const storage = await open();
    const keys = [
      coreKey('identity'),
      coreKey('credentials'),
      'a/b\\c d',
      'ключ:🔑',
      'K',
      'k',
      'k ',
      '.hidden',
      '__proto__',
      'constructor',
    ];
    for (const key of keys) await storage.setItem(key, `value for ${key}`);
    for (const key of keys) checkEqual(await storage.getItem(key), `value for ${key}`, `key ${show(key)}`);
  });

  run('values', `a ${Math.round(largeLength / 1000)} KB value comes back unchanged`, async ({ open }) => {
    const storage = await open();
    const unit = 'Aé日🔐0123456789abcdef"\\\n';
    const large = unit.repeat(Math.ceil(largeLength / unit.length)).slice(0, largeLength);
    await storage.setItem(coreKey('credentials'), large);
    const back = await storage.getItem(coreKey('credentials'));
    checkEqual(back?.length, large.length, 'length of the large value');
    check(back === large, 'the large value came back changed');
  });

  const endToEnd = (name: string, body: (h: Harness, env: EndToEnd) => Promise<void>) =>
    run('endToEnd', name, async (h) => {
      const { startEmulator } = await import('@identity-pool/emulator');
      const emulator = await startEmulator();
      const sessions: IdentityPoolAuth[] = [];
      const errors: string[] = [];
      const env: EndToEnd = {
        identityPoolId: emulator.createPool().identityPoolId,
        calls: () => emulator.calls.length,
        session(storage, persistCredentials = false) {
          const auth = createIdentityPoolAuth({
            identityPoolId: env.identityPoolId,
            endpoint: emulator.endpoint,
            storage,
            persistCredentials,
            retry: { baseDelayMs: 1 },
          });
          auth.on('error', ({ error }) => errors.push(`${error.name}: ${error.message}`));
          sessions.push(auth);
          return auth;
        },
        // Over a persistent adapter a restart opens a new one; otherwise it reuses the same.
        async restart(auth, storage) {
          auth.stop();
          if (!enabled('persistence')) return storage;
          await h.dispose(storage);
          return h.open();
        },
      };
      try {
        await body(h, env);
        check(errors.length === 0, `the sessions reported errors: ${errors.join('; ')}`);
      } finally {
        for (const auth of sessions) auth.stop();
        await emulator.close();
      }
    });

  interface EndToEnd {
    identityPoolId: string;
    calls(): number;
    session(storage: StorageAdapter, persistCredentials?: boolean): IdentityPoolAuth;
    restart(auth: IdentityPoolAuth, storage: SuiteStorage): Promise<SuiteStorage>;
  }

  endToEnd('createIdentityPoolAuth restarts warm: the stored identity, one call', async (h, env) => {
    let storage = await h.open();
    const first = env.session(storage);
    const credentials = await first.getCredentials();
    checkEqual(env.calls(), 2, 'calls of a cold start (GetId, GetCredentialsForIdentity)');
    storage = await env.restart(first, storage);
    const second = env.session(storage);
    checkEqual(await second.getIdentityId(), credentials.identityId, 'identity ID after the restart');
    const again = await second.getCredentials();
    checkEqual(again.identityId, credentials.identityId, 'identity ID of the new credentials');
    checkEqual(env.calls(), 3, 'calls after a warm start (one GetCredentialsForIdentity)');
  });

  endToEnd('with persistCredentials a restart makes no call', async (h, env) => {
    let storage = await h.open();
    const first = env.session(storage, true);
    const credentials = await first.getCredentials();
    const before = env.calls();
    storage = await env.restart(first, storage);
    const second = env.session(storage, true);
    const again = await second.getCredentials();
    checkEqual(env.calls(), before, 'calls after a warm start with persisted credentials');
    checkEqual(again.accessKeyId, credentials.accessKeyId, 'access key ID after the restart');
    checkEqual(again.sessionToken, credentials.sessionToken, 'session token after the restart');
    checkEqual(again.expiration.getTime(), credentials.expiration.getTime(), 'expiration after the restart');
  });

  endToEnd('clear() removes the pool’s keys: the next session is a new guest', async (h, env) => {
    let storage = await h.open();
    const first = env.session(storage, true);
    const { identityId } = await first.getCredentials();
    await first.clear();
    storage = await env.restart(first, storage);
    const second = env.session(storage, true);
    const again = await second.getCredentials();
    check(again.identityId !== identityId, 'the session after clear() reused the cleared identity');
    checkEqual(env.calls(), 4, 'calls of two cold starts');
  });
}

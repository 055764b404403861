import { memoryStorage, type StorageAdapter } from '@identity-pool/core';
import { type StorageFactoryContext, storageAdapterSuite } from '@identity-pool/testkit';
import { describe, expect, it } from 'vitest';

// The suite must catch broken adapters: run it with a collecting runner and see what fails.
async function runSuite(
  make: (context: StorageFactoryContext) => StorageAdapter,
  groups: Parameters<typeof storageAdapterSuite>[2] = {},
) {
  const tests: Array<{ name: string; fn: () => Promise<void> }> = [];
  storageAdapterSuite((name, fn) => tests.push({ name, fn }), make, { name: 'x', ...groups });
  const failed: string[] = [];
  for (const test of tests) {
    await test.fn().catch(() => failed.push(test.name));
  }
  return { names: tests.map((t) => t.name), failed };
}

const offline = { groups: { endToEnd: false, persistence: false } } as const;

describe('storageAdapterSuite', () => {
  it('passes a correct adapter and registers only the groups switched on', async () => {
    const { names, failed } = await runSuite(() => memoryStorage(), offline);
    expect(failed).toEqual([]);
    expect(names.length).toBe(13);
    expect(names.some((n) => n.includes('persistence') || n.includes('endToEnd'))).toBe(false);
    expect(names.every((n) => n.startsWith('x: '))).toBe(true);
  });

  it('catches undefined for a missing key', async () => {
    const { failed } = await runSuite(() => {
      const inner = memoryStorage();
      return { ...inner, getItem: (key) => inner.getItem(key) ?? (undefined as unknown as null) };
    }, offline);
    expect(failed).toContain('x: basics: getItem of a key never written is null');
  });

  it('catches namespaces and stores that share keys', async () => {
    const shared = memoryStorage();
    const { failed } = await runSuite(() => shared, offline);
    expect(failed).toEqual(
      expect.arrayContaining([
        'x: isolation: two namespaces of one store do not see each other',
        'x: isolation: two stores do not see each other',
      ]),
    );
  });

  it('catches a namespace joined to keys with no separator ("tenant" + "1x" = "tenant1" + "x")', async () => {
    const stores = new Map<string, ReturnType<typeof memoryStorage>>();
    const { failed } = await runSuite(({ store, namespace }) => {
      const inner = stores.get(store) ?? stores.set(store, memoryStorage()).get(store)!;
      return {
        getItem: (key) => inner.getItem(namespace + key),
        setItem: (key, value) => inner.setItem(namespace + key, value),
        removeItem: (key) => inner.removeItem(namespace + key),
      };
    }, offline);
    expect(failed).toEqual([
      'x: isolation: namespaces that run into keys never share one: "tenant" + "1x:…" is not "tenant1" + "x:…"',
    ]);
  });

  it('catches truncated values and mangled unicode', async () => {
    const { failed } = await runSuite(() => {
      const inner = memoryStorage();
      return {
        ...inner,
        setItem: (key, value) => inner.setItem(key, value.normalize('NFC').slice(0, 10_000)),
      };
    }, offline);
    expect(failed).toEqual(
      expect.arrayContaining([
        'x: values: a 50 KB value comes back unchanged',
        'x: values: unicode, control characters and JSON come back unchanged',
      ]),
    );
  });

  it('catches an adapter that forgets across instances, and end to end a restart costs a GetId', async () => {
    const { failed } = await runSuite(() => memoryStorage());
    expect(failed).toEqual(
      expect.arrayContaining([
        'x: persistence: a new adapter over the same store reads what an earlier one wrote',
        'x: endToEnd: createIdentityPoolAuth restarts warm: the stored identity, one call',
        'x: endToEnd: with persistCredentials a restart makes no call',
      ]),
    );
  });

  it('catches writes that land out of order', async () => {
    const { failed } = await runSuite(() => {
      const inner = memoryStorage();
      return {
        ...inner,
        setItem: (key, value) =>
          new Promise<void>((resolve) =>
            setTimeout(() => resolve(inner.setItem(key, value)), Math.random() * 5),
          ),
      };
    }, offline);
    expect(failed).toContain('x: concurrency: writes and removes issued in order end in the last one');
  });
});

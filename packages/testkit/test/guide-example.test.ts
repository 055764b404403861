import { readFileSync } from 'node:fs';
import { storageAdapterSuite } from '@identity-pool/testkit';
import { expect, it } from 'vitest';
import { kvStorage } from './guide/kv-storage.js';

// The worked example of docs/writing-a-storage-adapter.md, tested as the guide says to.
const stores = new Map<string, Map<string, string>>();
const storeFor = (name: string) => stores.get(name) ?? stores.set(name, new Map()).get(name)!;
storageAdapterSuite(it, ({ store, namespace }) => kvStorage(storeFor(store), { prefix: `${namespace}:` }), {
  name: 'kvStorage (the guide’s example)',
});

it('the guide shows the example adapter exactly as tested', () => {
  const guide = readFileSync(new URL('../../../docs/writing-a-storage-adapter.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('./guide/kv-storage.ts', import.meta.url), 'utf8');
  expect(guide).toContain(`\`\`\`ts\n// kv-storage.ts\n${example}\`\`\``);
});

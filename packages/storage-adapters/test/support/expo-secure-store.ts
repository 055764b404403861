/**
 * expo-secure-store's own JavaScript layer (its build/SecureStore.js: key and value checks, option
 * passing) over a stand-in for its native module `ExpoSecureStore`, the only part mocked: esbuild
 * bundles the package with `expo` (whose `requireNativeModule` hands out native modules) replaced
 * by a module returning {@link FakeExpoSecureStoreModule}. The stand-in keeps one keychain per
 * `keychainService` per named store, and refuses values over 2048 bytes, the size expo-secure-store
 * documents as the limit above which a write may fail.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { SecureStoreLike } from '../../src/secure-store.js';

const require = createRequire(import.meta.url);

export const NATIVE_VALUE_LIMIT_BYTES = 2048;

/** What the native module saw: every call, with its options (never asserted on values here). */
export interface NativeCall {
  method: string;
  key: string;
  options: Record<string, unknown> | undefined;
}

/** The native side: keychains by store name and service, as a device keeps them across launches. */
export class FakeExpoSecureStoreModule {
  static readonly devices = new Map<string, Map<string, string>>();
  readonly calls: NativeCall[] = [];
  readonly AFTER_FIRST_UNLOCK = 0;
  readonly WHEN_UNLOCKED = 5;
  /** Set to make the next native calls fail, as a locked keychain does. */
  failing: Error | undefined;

  constructor(private readonly device: string) {}

  private keychain(options: Record<string, unknown> | undefined) {
    const name = `${this.device}/${String(options?.keychainService ?? 'app')}`;
    const keychain = FakeExpoSecureStoreModule.devices.get(name) ?? new Map<string, string>();
    FakeExpoSecureStoreModule.devices.set(name, keychain);
    return keychain;
  }
  private record(method: string, key: string, options: Record<string, unknown> | undefined) {
    this.calls.push({ method, key, options });
    if (this.failing) throw this.failing;
  }
  async getValueWithKeyAsync(key: string, options?: Record<string, unknown>) {
    this.record('get', key, options);
    return this.keychain(options).get(key) ?? null;
  }
  async setValueWithKeyAsync(value: string, key: string, options?: Record<string, unknown>) {
    this.record('set', key, options);
    if (Buffer.byteLength(value, 'utf8') > NATIVE_VALUE_LIMIT_BYTES) {
      throw Object.assign(new Error('value too large for the keychain'), { code: 'ERR_SECURESTORE_SET' });
    }
    this.keychain(options).set(key, value);
  }
  async deleteValueWithKeyAsync(key: string, options?: Record<string, unknown>) {
    this.record('delete', key, options);
    this.keychain(options).delete(key);
  }
}

let bundled: Promise<string> | undefined;

/** expo-secure-store's JS, bundled once, with `expo` reading the native module from a global. */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [require.resolve('expo-secure-store')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
    plugins: [
      {
        name: 'expo-native-modules',
        setup(b) {
          b.onResolve({ filter: /^expo$/ }, () => ({ path: 'expo', namespace: 'native' }));
          b.onLoad({ filter: /.*/, namespace: 'native' }, () => ({
            contents:
              'export function requireNativeModule(name) { return globalThis.__expoNativeModules[name]; }',
          }));
        },
      },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'expo-secure-store-'));
  const file = join(dir, 'secure-store.mjs');
  await writeFile(file, result.outputFiles[0]!.text);
  return file;
}

/**
 * A fresh load of expo-secure-store's module over a native stand-in for `device` (the same device
 * name sees the same keychains: an app relaunched).
 */
export async function loadSecureStore(device: string): Promise<{
  SecureStore: SecureStoreLike & Record<string, unknown>;
  native: FakeExpoSecureStoreModule;
}> {
  bundled ??= bundle();
  const file = await bundled;
  const native = new FakeExpoSecureStoreModule(device);
  (globalThis as { __expoNativeModules?: unknown }).__expoNativeModules = { ExpoSecureStore: native };
  // A new module instance per load (the query), so each takes its own native module.
  const SecureStore = (await import(
    `${pathToFileURL(file).href}?device=${encodeURIComponent(device)}&n=${loads++}`
  )) as SecureStoreLike & Record<string, unknown>;
  return { SecureStore, native };
}
let loads = 0;

export async function removeBundle(): Promise<void> {
  if (!bundled) return;
  const file = await bundled;
  await rm(join(file, '..'), { recursive: true, force: true });
}

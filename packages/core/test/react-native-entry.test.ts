/**
 * The `react-native` entry is index.ts without the SDK transport (Metro would bundle the AWS SDK's
 * Node HTTP handler through its lazy import and fail): same exports otherwise, and nothing in it
 * reaches the SDK.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as main from '../src/index.js';
import * as reactNative from '../src/index.react-native.js';

const packageJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));

describe('the react-native entry', () => {
  it('exports everything index.ts does except sdkTransport', () => {
    const expected = Object.keys(main).filter((name) => name !== 'sdkTransport');
    expect(Object.keys(reactNative).sort()).toEqual(expected.sort());
  });

  it('is what the react-native condition names, and its default transport is the fetch transport', () => {
    expect(packageJson.exports['.']['react-native'].default).toBe('./dist/index.react-native.js');
    expect(packageJson.imports['#default-transport']['react-native'].default).toBe(
      './dist/transports/default.browser.js',
    );
    // The react-native condition is looked at before the others (Metro takes the first match).
    expect(Object.keys(packageJson.exports['.']).indexOf('react-native')).toBeLessThan(
      Object.keys(packageJson.exports['.']).indexOf('default'),
    );
  });
});

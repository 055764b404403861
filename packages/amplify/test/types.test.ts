/**
 * This package restates Amplify's provider types so it needs no Amplify at run time; here the
 * TypeScript compiler checks them against `@aws-amplify/core`'s own declarations (type-compat.ts),
 * and checks these tests too.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

it('amplifyCredentialsProvider(auth) is an Amplify CredentialsAndIdentityIdProvider (tsc)', () => {
  let output = '';
  try {
    execFileSync(`${root}node_modules/.bin/tsc`, ['-p', 'packages/amplify/test/tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
    });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(output).toBe('');
});

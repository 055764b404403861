/**
 * `writeWebIdentityTokenFile`: the file the AWS SDK's `fromTokenFile` reads, against the
 * emulator's STS (the basic flow).
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
import { defaultRoles } from '@identity-pool/emulator';
import { afterEach, describe, expect, it, vi } from 'vitest';
// The core package's emulator harness (one emulator per file, a pool per test).
import { useEmulator } from '../../core/test/support/emulator.js';
import { writeWebIdentityTokenFile } from '../src/developer.js';

const env = useEmulator();
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'token-file-'));
  dirs.push(dir);
  return dir;
};

describe('writeWebIdentityTokenFile', () => {
  it('writes a 0600 token file that fromTokenFile turns into credentials, and prints the profile', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const path = join(await tempDir(), 'token');
    const printed: string[] = [];
    const file = await writeWebIdentityTokenFile({
      auth,
      path,
      roleArn: defaultRoles.unauthenticated,
      print: (text) => printed.push(text),
    });
    try {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(file.profile).toContain(`role_arn = ${defaultRoles.unauthenticated}`);
      expect(file.profile).toContain(`web_identity_token_file = ${path}`);
      expect(printed).toEqual([file.profile]);
      expect(file.expiresAt()).toBeGreaterThan(Date.now() + 9 * 60_000);

      const provider = fromTokenFile({
        roleArn: defaultRoles.unauthenticated,
        webIdentityTokenFile: path,
        roleSessionName: 'token-file-test',
        clientConfig: { region: 'us-east-1', endpoint: env.emulator.endpoint },
      });
      const credentials = await provider();
      expect(credentials.accessKeyId).toMatch(/^ASIA/);
      expect(credentials.sessionToken).toBeTruthy();
      const sts = env.emulator.calls.filter((c) => c.operation === 'AssumeRoleWithWebIdentity');
      expect(sts.at(-1)).toMatchObject({ identityId: await auth.getIdentityId(), status: 200 });
    } finally {
      await file.stop();
    }
  });

  it('replaces the token atomically before it expires, and stop() ends it cleanly', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const dir = await tempDir();
    const path = join(dir, 'token');
    // Cognito tokens live 600 s: refreshing 599 s early means about one second from now.
    const file = await writeWebIdentityTokenFile({
      auth,
      path,
      roleArn: defaultRoles.unauthenticated,
      refreshBeforeSeconds: 599,
    });
    const first = await readFile(path, 'utf8');
    await vi.waitFor(async () => expect(await readFile(path, 'utf8')).not.toBe(first), {
      timeout: 5000,
      interval: 100,
    });
    expect(env.calls(pool, 'GetOpenIdToken').length).toBeGreaterThanOrEqual(2);
    await file.stop();
    const calls = env.calls(pool, 'GetOpenIdToken').length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(env.calls(pool, 'GetOpenIdToken')).toHaveLength(calls);
    expect(await readdir(dir)).toEqual(['token']); // no temp file left behind
    await file.stop({ remove: true });
    expect(await readdir(dir)).toEqual([]);
  });

  it('an authenticated session writes an authenticated token (its logins are sent)', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    await auth.login({
      providerName: 'graph.facebook.com',
      token: env.emulator.idp.mintToken('graph.facebook.com', { subject: 'file-user' }),
    });
    const path = join(await tempDir(), 'token');
    const file = await writeWebIdentityTokenFile({ auth, path, roleArn: defaultRoles.authenticated });
    try {
      const credentials = await fromTokenFile({
        roleArn: defaultRoles.authenticated,
        webIdentityTokenFile: path,
        clientConfig: { region: 'us-east-1', endpoint: env.emulator.endpoint },
      })();
      expect(credentials.accessKeyId).toMatch(/^ASIA/);
      expect(env.calls(pool, 'GetOpenIdToken').at(-1)?.loginProviders).toEqual(['graph.facebook.com']);
    } finally {
      await file.stop();
    }
  });
});

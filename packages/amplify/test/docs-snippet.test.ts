/**
 * docs/amplify.md's snippet, run as written against the emulator, with the real aws-amplify. Only
 * what a test must change is changed: `amplify_outputs.json` is one for the emulator's pool, the
 * session gets the emulator's endpoint (and a memory store: Node has no `localStorage`), and the
 * package is imported from its sources.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeJWT } from '@aws-amplify/core';
import { startEmulator } from '@identity-pool/emulator';
import { fetchAuthSession, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { afterAll, expect, it } from 'vitest';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/amplify.md', import.meta.url)), 'utf8');
const snippet = doc.split(/^## The three lines$/m)[1]?.match(/```ts\n([\s\S]*?)```/)?.[1];
const dir = fileURLToPath(new URL('./.docs-snippet/', import.meta.url));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('docs/amplify.md: the three lines give Amplify guest, then signed-in, credentials of one identity', async () => {
  expect(snippet, 'docs/amplify.md has a ```ts block under "## The three lines"').toBeTypeOf('string');
  const userPoolId = 'us-east-1_DocsEmu1';
  const loginsKey = `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
  const emulator = await startEmulator();
  try {
    const { identityPoolId } = emulator.createPool({
      supportedLoginProviders: { [loginsKey]: 'docs-client' },
    });
    const outputs = {
      version: '1.4',
      auth: {
        aws_region: 'us-east-1',
        user_pool_id: userPoolId,
        user_pool_client_id: 'docs-client',
        identity_pool_id: identityPoolId,
        unauthenticated_identities_enabled: true,
      },
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}amplify_outputs.json`, JSON.stringify(outputs));
    const runnable = (snippet as string)
      .replace("from '@identity-pool/amplify'", "from '../../src/index.js'")
      .replace(
        'storage: localStorage',
        `storage: memoryStorage(), endpoint: ${JSON.stringify(emulator.endpoint)}`,
      )
      .replace(
        "import { createIdentityPoolAuth } from '@identity-pool/core';",
        "import { createIdentityPoolAuth, memoryStorage } from '@identity-pool/core';",
      );
    expect(runnable).not.toBe(snippet);
    writeFileSync(`${dir}app.ts`, runnable);
    await import(/* @vite-ignore */ `${dir}app.ts`);

    const guest = await fetchAuthSession();
    expect(guest.credentials?.accessKeyId).toMatch(/^ASIA/);
    expect(emulator.identities(identityPoolId).map((i) => i.identityId)).toEqual([guest.identityId]);

    const tokens = emulator.idp.mintUserPoolTokens(userPoolId, {
      clientId: 'docs-client',
      subject: 'docs-user',
    });
    await cognitoUserPoolsTokenProvider.tokenOrchestrator.setTokens({
      tokens: {
        idToken: decodeJWT(tokens.idToken),
        accessToken: decodeJWT(tokens.accessToken),
        clockDrift: 0,
        username: 'docs-user',
      },
    });
    const signedIn = await fetchAuthSession();
    expect(signedIn.identityId).toBe(guest.identityId);
    expect(emulator.identity(guest.identityId as string)?.logins).toEqual({ [loginsKey]: 'docs-user' });

    await signOut();
    const after = await fetchAuthSession();
    expect(after.identityId).not.toBe(guest.identityId);
  } finally {
    await emulator.close();
  }
});

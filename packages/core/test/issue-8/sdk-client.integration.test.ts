/**
 * `auth.credentialProvider` as `credentials` of a real AWS SDK v3 client (S3), against a local
 * HTTP server that reads the SigV4 `Authorization` header and `x-amz-security-token`.
 */
import { createServer, type Server } from 'node:http';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityPoolAuth } from '../../src/index.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { useEmulator } from '../support/emulator.js';

const MINUTE = 60_000;
// The SDK keeps credentials until 5 minutes before their expiry on the real clock. Starting the
// session's clock 58 minutes in the past makes every credential "about to expire" for the SDK,
// so it asks the provider on each request — and the session answers from its own cache.
const clock = new ControlledClock(Date.now() - 58 * MINUTE);
const env = useEmulator({ clock });

const seen: Array<{ accessKeyId: string | undefined; sessionToken: string | undefined }> = [];
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const authorization = String(request.headers.authorization ?? '');
    seen.push({
      accessKeyId: /Credential=([^/]+)\//.exec(authorization)?.[1],
      sessionToken: request.headers['x-amz-security-token'] as string | undefined,
    });
    request.resume();
    response.writeHead(authorization.startsWith('AWS4-HMAC-SHA256 ') ? 200 : 403).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const nextCredentials = (auth: IdentityPoolAuth) =>
  new Promise<void>((resolve) => {
    const off = auth.on('credentials', () => {
      off();
      resolve();
    });
  });

describe('credentials in a real AWS SDK client', () => {
  it('S3 signs with the identity’s credentials, and with the new ones after a refresh', async () => {
    const pool = env.pool();
    const auth = env.auth({ identityPoolId: pool });
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: url,
      forcePathStyle: true,
      credentials: auth.credentialProvider,
      maxAttempts: 1,
    });
    await s3.send(new HeadBucketCommand({ Bucket: 'photos' }));
    const first = await auth.getCredentials();
    expect(seen.at(-1)).toEqual({ accessKeyId: first.accessKeyId, sessionToken: first.sessionToken });

    const refreshed = nextCredentials(auth);
    clock.advance(55 * MINUTE); // the session's refresh timer fires
    await refreshed;
    const second = await auth.getCredentials();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);

    await s3.send(new HeadBucketCommand({ Bucket: 'photos' }));
    expect(seen.at(-1)).toEqual({ accessKeyId: second.accessKeyId, sessionToken: second.sessionToken });
    s3.destroy();
  });
});

/**
 * Amplify's categories sign their requests with the credentials `fetchAuthSession()` returns, so
 * with `amplifyCredentialsProvider` they sign with the session's. Shown with the REST API
 * category (IAM-signed, SigV4) against a local server that records what it receives.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { get } from 'aws-amplify/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useAmplifyWithEmulator } from './support.js';

const env = useAmplifyWithEmulator();
const received: IncomingHttpHeaders[] = [];
const server = createServer((request, response) => {
  received.push(request.headers);
  response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
let endpoint = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The access key a SigV4 `Authorization` header names, and the session token sent with it. */
const signer = (headers: IncomingHttpHeaders | undefined) => ({
  accessKeyId: /Credential=([^/]+)\//.exec(String(headers?.authorization))?.[1],
  sessionToken: headers?.['x-amz-security-token'],
});

it('the REST API category signs with the session’s credentials: the guest’s, then the signed-in user’s', async () => {
  const app = await env.setup({ restApiEndpoint: endpoint });
  await get({ apiName: 'items', path: '/items' }).response;
  const guest = await app.auth.getCredentials();
  expect(String(received.at(-1)?.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
  expect(signer(received.at(-1))).toEqual({
    accessKeyId: guest.accessKeyId,
    sessionToken: guest.sessionToken,
  });

  await app.signIn('ivan');
  await get({ apiName: 'items', path: '/items' }).response;
  const user = await app.auth.getCredentials();
  expect(user.identityId).toBe(guest.identityId);
  expect(user.accessKeyId).not.toBe(guest.accessKeyId);
  expect(signer(received.at(-1))).toEqual({ accessKeyId: user.accessKeyId, sessionToken: user.sessionToken });
});

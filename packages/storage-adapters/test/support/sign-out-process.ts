/**
 * One "server process" of the two-process sign-out test (`redis-sign-out.test.ts`): a session of
 * `IDENTITY_POOL_ID` over `redisStorage` on `REDIS_URL` under `PREFIX`, with a subscriber when
 * `PUSH=1`. It reads one JSON command a line on stdin and answers one JSON line on stdout; its
 * `identityChanged` events are printed too, with the time they happened (epoch ms, sub-ms).
 */
import { createInterface } from 'node:readline';
import { createIdentityPoolAuth, fetchTransport } from '@identity-pool/core';
import { createClient } from 'redis';
import { redisStorage } from '../../src/redis.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const now = () => performance.timeOrigin + performance.now();
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const client = createClient({ url: env('REDIS_URL') });
client.on('error', () => {});
await client.connect();
const subscriber = process.env.PUSH === '1' ? client.duplicate() : undefined;
if (subscriber) {
  subscriber.on('error', () => {});
  await subscriber.connect();
}
const auth = createIdentityPoolAuth({
  identityPoolId: env('IDENTITY_POOL_ID'),
  transport: fetchTransport({ endpoint: env('COGNITO_ENDPOINT') }),
  storage: redisStorage(client, { prefix: env('PREFIX'), ...(subscriber ? { subscriber } : {}) }),
  retry: { baseDelayMs: 1 },
});
auth.on('identityChanged', (event) => print({ event: 'identityChanged', at: now(), ...event }));

type Command =
  | { id: number; op: 'login'; token: string }
  | { id: number; op: 'credentials'; force?: boolean }
  | { id: number; op: 'logout' }
  | { id: number; op: 'exit' };

const answer = async (command: Command): Promise<object> => {
  switch (command.op) {
    case 'login': {
      const credentials = await auth.login({ providerName: 'graph.facebook.com', token: command.token });
      return { identityId: credentials.identityId, authenticated: auth.getState().authenticated };
    }
    case 'credentials': {
      const credentials = await auth.getCredentials({ forceRefresh: command.force === true });
      return { identityId: credentials.identityId, authenticated: auth.getState().authenticated };
    }
    case 'logout': {
      const startedAt = now();
      await auth.logout();
      return { startedAt, resolvedAt: now() };
    }
    case 'exit':
      auth.stop();
      await subscriber?.quit();
      await client.quit();
      setTimeout(() => process.exit(0), 10);
      return {};
  }
};

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as Command;
  answer(command).then(
    (result) => print({ id: command.id, ...result }),
    (error: Error) => print({ id: command.id, error: { name: error.name, message: error.message } }),
  );
}

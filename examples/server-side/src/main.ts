/**
 * One server process: `IDENTITY_POOL_ID=… REDIS_URL=redis://… [COGNITO_ENDPOINT=…] [PORT=…] node dist/main.js`.
 * Start several (different ports, same Redis) and a user's identity is the same in all of them.
 */
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { createIdentityServer } from './server.js';

const identityPoolId = process.env.IDENTITY_POOL_ID;
if (!identityPoolId) throw new Error('IDENTITY_POOL_ID is required');
const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
redis.on('error', (error: Error) => console.warn(`redis: ${error.message}`));
await redis.connect();
// Pub/sub needs a connection of its own: logouts in other processes arrive on it.
const redisSubscriber = redis.duplicate();
redisSubscriber.on('error', (error: Error) => console.warn(`redis subscriber: ${error.message}`));
await redisSubscriber.connect();

const app = createIdentityServer({
  identityPoolId,
  redis,
  redisSubscriber,
  ...(process.env.COGNITO_ENDPOINT ? { endpoint: process.env.COGNITO_ENDPOINT } : {}),
});
app.server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`LISTENING ${(app.server.address() as AddressInfo).port}`);
});

const shutdown = async () => {
  await app.close();
  await redisSubscriber.quit();
  await redis.quit();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

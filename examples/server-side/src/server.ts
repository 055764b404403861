/**
 * A Node HTTP server that serves many users from one process. Each signed-in user of the app
 * (here: the `x-user-id` header, standing for the app's own session) gets a
 * `createIdentityPoolAuth` of their own, created on their first request and kept in a map owned by
 * this server instance — no module state — so users never share credentials. Identities are kept
 * in Redis under a per-user prefix: any number of server processes behind a load balancer share
 * them, and a user's identity created by one process is reused by the others. A logout through
 * any process signs the user out in all of them: the sign-out is recorded in Redis and published
 * to the other processes' subscriber connection, so they forget the user's identity within
 * milliseconds (without `redisSubscriber`: at their next request to Cognito for that user).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createIdentityPoolAuth, fetchTransport, type IdentityPoolAuth } from '@identity-pool/core';
import {
  type RedisClientLike,
  type RedisSubscriberLike,
  redisStorage,
} from '@identity-pool/storage-adapters/redis';

export interface IdentityServerOptions {
  identityPoolId: string;
  /** The Cognito Identity endpoint (the emulator in tests); default AWS's. */
  endpoint?: string;
  /** A connected node-redis or ioredis client, shared by this process's sessions. */
  redis: RedisClientLike;
  /** A second connection (node-redis: `redis.duplicate()`), to hear of logouts in other processes at once. */
  redisSubscriber?: RedisSubscriberLike;
  /** Sessions idle this long are stopped and dropped (their identity stays in Redis). Default 15 min. */
  idleMs?: number;
}

export interface IdentityServer {
  readonly server: Server;
  /** Users with a live session in this process. */
  sessionCount(): number;
  /** Stops every session and the HTTP server (not the Redis client, which the caller owns). */
  close(): Promise<void>;
}

interface UserSession {
  auth: IdentityPoolAuth;
  lastUsed: number;
}

const USER_ID = /^[\w.@-]{1,128}$/;

export function createIdentityServer(options: IdentityServerOptions): IdentityServer {
  const idleMs = options.idleMs ?? 15 * 60_000;
  const sessions = new Map<string, UserSession>();
  const transport = fetchTransport(options.endpoint ? { endpoint: options.endpoint } : {});

  const sessionOf = (userId: string): IdentityPoolAuth => {
    let session = sessions.get(userId);
    if (!session) {
      const auth = createIdentityPoolAuth({
        identityPoolId: options.identityPoolId,
        transport,
        // One key space per user: `app:user:<id>:identity-pool:v1:<pool>:identity`.
        storage: redisStorage(options.redis, {
          prefix: `app:user:${userId}:`,
          ...(options.redisSubscriber ? { subscriber: options.redisSubscriber } : {}),
        }),
      });
      auth.on('error', ({ error }) =>
        console.warn(`[${process.pid}] ${userId}: ${error.name}: ${error.message}`),
      );
      session = { auth, lastUsed: Date.now() };
      sessions.set(userId, session);
    }
    session.lastUsed = Date.now();
    return session.auth;
  };

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [userId, session] of sessions) {
        if (now - session.lastUsed > idleMs) {
          session.auth.stop();
          sessions.delete(userId);
        }
      }
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();

  const readBody = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://server.invalid');
    if (url.pathname === '/healthz')
      return send(response, 200, { pid: process.pid, sessions: sessions.size });
    const userId = request.headers['x-user-id'];
    if (typeof userId !== 'string' || !USER_ID.test(userId)) {
      return send(response, 401, { error: 'x-user-id header required' });
    }
    const auth = sessionOf(userId);
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /credentials') {
      // What a route handler would pass to an AWS SDK client: `credentials: auth.credentialProvider`.
      const credentials = await auth.getCredentials();
      return send(response, 200, {
        pid: process.pid,
        identityId: credentials.identityId,
        expiration: credentials.expiration.toISOString(),
        state: auth.getState(),
      });
    }
    if (route === 'POST /login') {
      const body = await readBody(request);
      const credentials = await auth.login({
        providerName: String(body.providerName),
        token: String(body.token),
      });
      return send(response, 200, {
        pid: process.pid,
        identityId: credentials.identityId,
        state: auth.getState(),
      });
    }
    if (route === 'POST /logout') {
      await auth.logout();
      return send(response, 200, { pid: process.pid, state: auth.getState() });
    }
    return send(response, 404, { error: `no route ${route}` });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      // IdentityPoolError messages carry no secrets, so they can be shown as they are.
      send(response, 502, { error: error.name, message: error.message });
    });
  });

  return {
    server,
    sessionCount: () => sessions.size,
    async close() {
      clearInterval(sweep);
      for (const session of sessions.values()) session.auth.stop();
      sessions.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

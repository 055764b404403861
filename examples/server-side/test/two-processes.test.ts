/**
 * Two server processes sharing one real redis-server (a free loopback port): a user's identity
 * created by process A is reused by process B without a GetId, users get identities of their
 * own, and each process keeps one session per user; a logout through one process signs the user
 * out in the other, which neither serves nor stores the signed-out identity again (issue 12 §3).
 * Skipped loudly without redis-server, failing under CI=true.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { build } from 'esbuild';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RedisServer,
  redisServerMissing,
  startRedisServer,
} from '../../../packages/storage-adapters/test/support/redis-server.js';

const missing = redisServerMissing();
if (missing && process.env.CI === 'true') throw new Error(`CI=true and ${missing}`);
if (missing) console.warn(`\n⚠️  SKIPPING the two-process server test: ${missing}\n`);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Process {
  child: ChildProcess;
  origin: string;
  get(path: string, userId: string): Promise<{ status: number; body: Record<string, unknown> }>;
  post(
    path: string,
    userId: string,
    body?: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

async function startProcess(script: string, env: Record<string, string>): Promise<Process> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    child,
    origin,
    async get(path, userId) {
      const response = await fetch(`${origin}${path}`, { headers: { 'x-user-id': userId } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async post(path, userId, body = {}) {
      const response = await fetch(`${origin}${path}`, {
        method: 'POST',
        headers: { 'x-user-id': userId, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe.skipIf(missing !== undefined)('server-side: two processes, one Redis', () => {
  let redisServer: RedisServer;
  let emulator: Emulator;
  let a: Process;
  let b: Process;
  let identityPoolId: string;

  beforeAll(async () => {
    const outdir = here('../node_modules/.cache/server-side');
    await mkdir(outdir, { recursive: true });
    // The example's own entry, bundled from source (redis stays a package import).
    await build({
      entryPoints: [here('../src/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      external: ['redis', '@aws-sdk/*'],
      outfile: `${outdir}/main.mjs`,
      logLevel: 'silent',
    });
    [redisServer, emulator] = await Promise.all([startRedisServer(), startEmulator()]);
    identityPoolId = emulator.createPool().identityPoolId;
    const env = {
      IDENTITY_POOL_ID: identityPoolId,
      REDIS_URL: redisServer.url,
      COGNITO_ENDPOINT: emulator.endpoint,
    };
    [a, b] = await Promise.all([
      startProcess(`${outdir}/main.mjs`, env),
      startProcess(`${outdir}/main.mjs`, env),
    ]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await emulator?.close();
    await redisServer?.stop();
  });

  it("a user's identity created in one process is reused by the other", async () => {
    expect(a.child.pid).not.toBe(b.child.pid);

    // Alice's first request lands on A: one GetId, the identity goes to Redis.
    const first = await a.get('/credentials', 'alice');
    expect(first.status).toBe(200);
    expect(first.body.pid).toBe(a.child.pid);
    const aliceId = first.body.identityId as string;
    expect(aliceId).toMatch(/^us-east-1:/);
    expect(emulator.callCount('GetId')).toBe(1);

    // Her next request lands on B: the same identity, read from Redis, and no new GetId.
    const second = await b.get('/credentials', 'alice');
    expect(second.status).toBe(200);
    expect(second.body.pid).toBe(b.child.pid);
    expect(second.body.identityId).toBe(aliceId);
    expect(emulator.callCount('GetId')).toBe(1);
    expect(emulator.identities(identityPoolId)).toHaveLength(1);

    // Many users at once on both processes: each gets one identity of their own, the same on A and B.
    const users = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    const onA = await Promise.all(users.map((user) => a.get('/credentials', user)));
    const onB = await Promise.all(users.map((user) => b.get('/credentials', user)));
    const idsA = onA.map((r) => r.body.identityId);
    expect(new Set(idsA).size).toBe(users.length);
    expect(idsA).not.toContain(aliceId);
    expect(onB.map((r) => r.body.identityId)).toEqual(idsA);
    expect(emulator.callCount('GetId')).toBe(1 + users.length);

    // One session per user in each process, alice included.
    for (const server of [a, b]) {
      const health = await fetch(`${server.origin}/healthz`).then((r) => r.json());
      expect(health).toMatchObject({ sessions: users.length + 1 });
    }

    // A request without a user is refused, and creates no session.
    expect((await a.get('/credentials', '')).status).toBe(401);
  });

  it('a logout through A signs her out in B: B serves and stores her identity no more', async () => {
    const token = () => emulator.idp.mintToken('graph.facebook.com', { subject: 'carol' });
    const signedIn = await a.post('/login', 'carol', { providerName: 'graph.facebook.com', token: token() });
    expect(signedIn.status).toBe(200);
    const carolId = signedIn.body.identityId as string;
    // Her requests also land on B, where she signed in too (a load balancer without stickiness).
    expect(
      (await b.post('/login', 'carol', { providerName: 'graph.facebook.com', token: token() })).body,
    ).toMatchObject({ identityId: carolId, state: { authenticated: true } });
    expect((await b.get('/credentials', 'carol')).body).toMatchObject({ identityId: carolId });

    const redis = createClient({ url: redisServer.url });
    redis.on('error', () => {});
    await redis.connect();
    const identityKey = `app:user:carol:identity-pool:v1:${identityPoolId}:identity`;
    try {
      expect((await a.post('/logout', 'carol')).status).toBe(200);
      expect(await redis.get(identityKey)).toBeNull();
      // B hears of it through Redis pub/sub; at the latest its next request is the last to see her.
      const after = [];
      for (let i = 0; i < 3; i++) after.push((await b.get('/credentials', 'carol')).body);
      for (const body of after.slice(1)) {
        expect(body.identityId).not.toBe(carolId);
        expect(body).toMatchObject({ state: { authenticated: false } });
      }
      // Her identity was not written back: Redis holds the guest identity B made after the logout.
      const stored = JSON.parse((await redis.get(identityKey)) as string) as { identityId: string };
      expect(stored.identityId).not.toBe(carolId);
      expect(stored.identityId).toBe(after.at(-1)?.identityId);
    } finally {
      await redis.quit();
    }
  });
});

/**
 * Issue 12 §5, time: every timer delay is one `setTimeout` accepts, the refresh timer does not
 * keep a Node process alive once the app is done with its session, and sessions that got their
 * credentials together do not all refresh in the same second.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY_MS, systemClock, toTimerClock } from '../../src/clock.js';
import { createIdentityPoolAuth } from '../../src/index.js';
import type { CognitoIdentityTransport } from '../../src/types.js';
import { ControlledClock } from '../support/controlled-clock.js';
import { POOL_ID } from '../support/fixtures.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const coreDir = join(import.meta.dirname, '..', '..');

describe('timer delays are clamped to what setTimeout accepts', () => {
  it('the system clock: 30 days is no TimeoutOverflowWarning and no 1 ms timer', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    let fired = false;
    const id = systemClock.setTimeout(
      () => {
        fired = true;
      },
      30 * 24 * HOUR,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    systemClock.clearTimeout(id);
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
    expect(fired).toBe(false);
  });

  it('a clock with timers of its own gets clamped delays too', () => {
    const delays: number[] = [];
    const clock = toTimerClock({
      now: () => 0,
      setTimeout: (_fn: () => void, ms: number) => delays.push(ms),
      clearTimeout: () => {},
    });
    for (const ms of [30 * 24 * HOUR, Number.POSITIVE_INFINITY, -5, Number.NaN, 1_000])
      clock.setTimeout(() => {}, ms);
    expect(delays).toEqual([MAX_TIMER_DELAY_MS, MAX_TIMER_DELAY_MS, 0, 0, 1_000]);
  });
});

describe('a Node process that is done with its session exits', () => {
  it('creates a session, gets credentials, lets go: the process exits on its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'identity-pool-exit-'));
    try {
      const script = `
        import { createIdentityPoolAuth } from './src/index.ts';
        const auth = createIdentityPoolAuth({
          identityPoolId: '${POOL_ID}',
          transport: {
            getId: async () => ({ identityId: 'us-east-1:aaaaaaaa-0000-4000-8000-000000000000' }),
            getCredentialsForIdentity: async ({ identityId }) => ({
              identityId,
              credentials: { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3600_000) },
            }),
          },
        });
        const credentials = await auth.getCredentials();
        console.log('got', credentials.accessKeyId);
      `;
      const result = await build({
        stdin: { contents: script, resolveDir: coreDir, sourcefile: 'exit.ts', loader: 'ts' },
        bundle: true,
        format: 'esm',
        platform: 'node',
        conditions: ['source'],
        external: ['@aws-sdk/*'],
        write: false,
        logLevel: 'silent',
      });
      const file = join(dir, 'exit.mjs');
      writeFileSync(file, result.outputFiles[0]?.text ?? '');
      const started = Date.now();
      const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      const code = await new Promise<number | string>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve('still running after 5 s');
        }, 5_000);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode ?? -1);
        });
      });
      expect(output).toContain('got ASIA1');
      expect(code).toBe(0);
      console.log(`the child process exited on its own ${Date.now() - started} ms after it started`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe('refreshes of sessions that got their credentials together are spread', () => {
  it('200 sessions, one instant: refreshes spread over the window, none later than it opens', async () => {
    const clock = new ControlledClock();
    const refreshedAt: number[] = [];
    const issuedAt = clock.now();
    const sessions = Array.from({ length: 200 }, (_, i) => {
      const identityId = `us-east-1:${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
      let calls = 0;
      const transport: CognitoIdentityTransport = {
        getId: async () => ({ identityId }),
        getCredentialsForIdentity: async () => {
          if (calls++ > 0) refreshedAt.push(clock.now());
          return {
            identityId,
            credentials: {
              accessKeyId: `ASIA${i}`,
              secretAccessKey: 's',
              sessionToken: 't',
              expiration: new Date(clock.now() + HOUR),
            },
          };
        },
      };
      return createIdentityPoolAuth({ identityPoolId: POOL_ID, transport, clock });
    });
    await Promise.all(sessions.map((auth) => auth.getCredentials()));
    // Timer by timer, letting each refresh reach the service before time moves on.
    const end = issuedAt + HOUR - 5 * MINUTE;
    for (let due = clock.nextDue(); due !== undefined && due <= end; due = clock.nextDue()) {
      clock.fireNext();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    for (const auth of sessions) auth.stop();

    const expiry = issuedAt + HOUR;
    expect(refreshedAt).toHaveLength(200);
    // Rule 1: every refresh starts no later than refreshWindowSeconds (300 s) before expiry…
    expect(Math.max(...refreshedAt)).toBeLessThanOrEqual(expiry - 5 * MINUTE);
    // …and none more than one window earlier.
    expect(Math.min(...refreshedAt)).toBeGreaterThanOrEqual(expiry - 10 * MINUTE);
    const seconds = new Set(refreshedAt.map((at) => Math.floor(at / 1000)));
    const spread = Math.max(...refreshedAt) - Math.min(...refreshedAt);
    const busiestSecond = Math.max(
      ...[...seconds].map((s) => refreshedAt.filter((at) => Math.floor(at / 1000) === s).length),
    );
    console.log(
      `200 sessions: refreshes over ${(spread / 1000).toFixed(1)} s, in ${seconds.size} distinct seconds, at most ${busiestSecond} in one second`,
    );
    expect(spread).toBeGreaterThanOrEqual(0.9 * 5 * MINUTE);
    expect(busiestSecond).toBeLessThanOrEqual(5);
  });
});

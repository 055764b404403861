/**
 * JavaScriptCore's `jsc` shell as a child process, this process playing the host application.
 * The engine has timers but no network: the guest's transport prints each Cognito call on stdout
 * and blocks on `readline()` for the answer, which this host gets from the AWS SDK transport
 * (`sdkTransport`) against the emulator.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CognitoIdentityTransport } from '@identity-pool/core';
import { sdkTransport } from '@identity-pool/core/sdk-transport';
import type { CallResult } from '../../src/embedded/host.js';
import type { EmbeddedConfig, EmbeddedReport } from '../../src/entries/embedded.js';
import type { ScenarioConfig } from '../../src/scenario.js';
import { engineVersion, type HostRecord, jscBinary, RUN_TIMEOUT_MS, recordingScript } from './embedded.js';

/** The host side of the jsc bridge: the Cognito operations the guest may call, run by the AWS SDK. */
function hostOperations(config: ScenarioConfig) {
  const transport: CognitoIdentityTransport = sdkTransport({
    region: config.identityPoolId.split(':')[0]!,
    endpoint: config.endpoint,
  });
  return async (operation: string, input: never): Promise<CallResult> => {
    try {
      if (operation === 'GetId') return { ok: true, value: await transport.getId(input) };
      if (operation === 'GetCredentialsForIdentity') {
        const value = await transport.getCredentialsForIdentity(input);
        const expiration = value.credentials.expiration.getTime();
        return { ok: true, value: { ...value, credentials: { ...value.credentials, expiration } } };
      }
      return { ok: false, error: { name: 'Error', message: `no such operation ${operation}`, operation } };
    } catch (error) {
      const e = error as Error & { code?: string; statusCode?: number; serviceMessage?: string };
      const message = e.serviceMessage ?? e.message;
      return {
        ok: false,
        error: { name: e.name, message, operation, code: e.code, statusCode: e.statusCode },
      };
    }
  };
}

/**
 * What the jsc host evaluates before the bundle: `__host` over the shell's `print` and blocking
 * `readline()` (one Cognito call at a time, answered on stdin), and `quit()` once reported, since
 * the shell keeps running while any engine timer is pending.
 */
function jscPrelude(config: EmbeddedConfig): string {
  return `globalThis.console = { log: log, info: log, warn: log, error: log };
function log() {
  print('LOG ' + Array.prototype.join.call(arguments, ' '));
}
globalThis.__host = {
  engine: ${JSON.stringify(engineVersion('jsc'))},
  config: ${JSON.stringify(JSON.stringify(config))},
  call(operation, inputJson) {
    print('CALL ' + JSON.stringify({ operation: operation, input: JSON.parse(inputJson) }));
    return readline();
  },
  report(json) {
    if (typeof __touched === 'object') print('TOUCHED ' + JSON.stringify([...__touched]));
    print('REPORT ' + json);
    quit();
  },
};
`;
}

export interface JscRunOptions {
  /** Record the globals the bundle touches (see {@link recordingScript}). */
  recordGlobals?: boolean;
}

/** Runs the bundle in a `jsc` child process; this process answers its calls. */
export async function runJsc<R = EmbeddedReport>(
  script: string,
  config: EmbeddedConfig,
  options: JscRunOptions = {},
): Promise<R & HostRecord & { touched?: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'identity-pool-jsc-'));
  const operations = hostOperations(config);
  try {
    await writeFile(join(dir, 'host.js'), jscPrelude(config));
    await writeFile(join(dir, 'embedded.js'), options.recordGlobals ? recordingScript(script) : script);
    const child = spawn(jscBinary, ['host.js', 'embedded.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    // The guest may die with a call unanswered: a write to its closed stdin is not an error here.
    child.stdin.on('error', () => {});
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const kill = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    let report: string | undefined;
    let touched: string[] | undefined;
    const hostLog: string[] = [];
    let hostCalls = 0;
    const other: string[] = [];
    // One call at a time: the guest is blocked in readline() until its answer is written.
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('CALL ')) {
        hostCalls++;
        const { operation, input } = JSON.parse(line.slice('CALL '.length)) as {
          operation: string;
          input: never;
        };
        child.stdin.write(`${JSON.stringify(await operations(operation, input))}\n`);
      } else if (line.startsWith('REPORT ')) report = line.slice('REPORT '.length);
      else if (line.startsWith('TOUCHED ')) touched = JSON.parse(line.slice('TOUCHED '.length)) as string[];
      else if (line.startsWith('LOG ')) hostLog.push(line.slice('LOG '.length));
      else other.push(line);
    }
    const code = await exited;
    clearTimeout(kill);
    if (!report) {
      throw new Error(`no report from jsc (exit ${code})\nstdout:\n${other.join('\n')}\nstderr:\n${stderr}`);
    }
    return { ...(JSON.parse(report) as R), hostCalls, hostLog, ...(touched ? { touched } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

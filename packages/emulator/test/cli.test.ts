import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArguments } from '../src/index.js';

const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const poolA = 'eu-central-1:0a0a0a0a-1111-2222-3333-444444444444';
const poolB = 'us-east-1:0b0b0b0b-1111-2222-3333-444444444444';

describe('CLI arguments', () => {
  it('has defaults', () => {
    expect(parseCliArguments([])).toEqual({
      kind: 'run',
      options: {
        port: 4566,
        host: '127.0.0.1',
        region: 'us-east-1',
        poolIds: [],
        allowGuests: true,
        log: false,
      },
    });
  });

  it('reads every option, in both --flag value and --flag=value forms', () => {
    expect(
      parseCliArguments([
        '--port=0',
        '--host',
        '0.0.0.0',
        '--pool',
        poolA,
        `--pool=${poolB}`,
        '--no-guest',
        '--log',
      ]),
    ).toEqual({
      kind: 'run',
      options: {
        port: 0,
        host: '0.0.0.0',
        region: 'us-east-1',
        poolIds: [poolA, poolB],
        allowGuests: false,
        log: true,
      },
    });
    expect(parseCliArguments(['--', '--region', 'eu-west-3'])).toMatchObject({
      options: { region: 'eu-west-3' },
    });
  });

  it('asks for help', () => {
    expect(parseCliArguments(['--port', '1', '--help'])).toEqual({ kind: 'help' });
    expect(parseCliArguments(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['serve'], "Unexpected argument 'serve'"],
    [['--port'], '--port needs a value'],
    [['--port', 'http'], '--port must be an integer between 0 and 65535'],
    [['--port', '70000'], '--port must be an integer between 0 and 65535'],
    [['--pool', 'US-EAST-1:ABC'], '--pool must be <region>:<guid>'],
    [['--pool', '--no-guest'], '--pool needs a value'],
    [['--no-guest=yes'], '--no-guest takes no value'],
    [['--region', 'mars'], '--region must look like us-east-1'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArguments(argv)).toThrow(CliUsageError);
    expect(() => parseCliArguments(argv)).toThrow(message);
  });
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function runCli(args: string[]): {
  child: ChildProcess;
  output: () => Finished;
  finished: Promise<Finished>;
} {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, output: () => ({ code: child.exitCode, stdout, stderr }), finished };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the CLI');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!existsSync(cliPath))('CLI process (dist/cli.js)', () => {
  it('serves the pools it was given and stops on SIGTERM', async () => {
    const cli = runCli(['--port', '0', '--pool', poolA, '--no-guest']);
    await waitFor(() => cli.output().stdout.includes('admin API'));
    const { stdout } = cli.output();
    const endpoint = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`${poolA} (guests not allowed)`);

    const response = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityService.GetId',
      },
      body: JSON.stringify({ IdentityPoolId: poolA }),
    });
    expect(response.headers.get('x-amzn-errortype')).toBe('NotAuthorizedException:');

    cli.child.kill('SIGTERM');
    expect((await cli.finished).code).toBe(0);
  });

  it('prints usage for --help', async () => {
    const result = await runCli(['--help']).finished;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: identity-pool-emulator');
  });

  it('exits 2 with a clear message and no stack trace on a bad flag', async () => {
    const result = await runCli(['--bogus']).finished;
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "identity-pool-emulator: Unknown option '--bogus'\nRun 'identity-pool-emulator --help' for usage.\n",
    );
  });
});

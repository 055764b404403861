#!/usr/bin/env node
/** `identity-pool-emulator`: runs the emulator until SIGINT/SIGTERM. */
import { CliUsageError, cliUsage, parseCliArguments } from './cli-args.js';
import { startEmulator } from './emulator.js';

const programName = 'identity-pool-emulator';

async function main(argv: readonly string[]): Promise<void> {
  let command: ReturnType<typeof parseCliArguments>;
  try {
    command = parseCliArguments(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`${programName}: ${error.message}\nRun '${programName} --help' for usage.\n`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${cliUsage}\n`);
    return;
  }

  const { options } = command;
  const pools = (options.poolIds.length > 0 ? options.poolIds : [undefined]).map((identityPoolId) => ({
    ...(identityPoolId ? { identityPoolId } : {}),
    allowUnauthenticatedIdentities: options.allowGuests,
  }));
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      port: options.port,
      host: options.host,
      region: options.region,
      pools,
      ...(options.log ? { log: (line: string) => process.stdout.write(`${line}\n`) } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE'
        ? `port ${options.port} on ${options.host} is already in use (try --port 0)`
        : code === 'EADDRNOTAVAIL'
          ? `cannot bind to ${options.host}`
          : error instanceof Error
            ? error.message
            : String(error);
    process.stderr.write(`${programName}: ${reason}\n`);
    process.exitCode = 1;
    return;
  }

  const lines = [
    `Cognito Identity emulator listening on ${emulator.endpoint}`,
    `  region:    ${emulator.region}`,
    ...emulator
      .pools()
      .map(
        (pool) =>
          `  pool:      ${pool.identityPoolId} (guests ${pool.allowUnauthenticatedIdentities ? 'allowed' : 'not allowed'})`,
      ),
    `  developer: ${emulator.developerCredentials.accessKeyId} / ${emulator.developerCredentials.secretAccessKey} (signs GetOpenIdTokenForDeveloperIdentity)`,
    `  admin API: ${emulator.endpoint}/__admin/state`,
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (signal: NodeJS.Signals): void => {
    process.stdout.write(`Received ${signal}, stopping.\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${programName}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

/** The command line of `identity-pool-emulator`, parsed without side effects (so it is testable). */
import { regionGuidPattern } from './validation.js';

/** Settings of a CLI run. */
export interface CliOptions {
  port: number;
  host: string;
  /** Region of a generated pool ID. */
  region: string;
  /** Pools to create; one generated pool when empty. */
  poolIds: string[];
  /** `--no-guest` turns guest access off in every pool. */
  allowGuests: boolean;
  /** `--log`: print one line per request. */
  log: boolean;
}

/** What the command line asks for. */
export type CliCommand = { kind: 'help' } | { kind: 'run'; options: CliOptions };

/** A command line the CLI cannot run; the message says why. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** The default port of the CLI. */
export const defaultCliPort = 4566;

/** The `--help` text. */
export const cliUsage = `Usage: identity-pool-emulator [options]

A local Amazon Cognito Identity service (AWS JSON 1.1 over HTTP) with a fake identity provider.

Options:
  --port <n>       port to listen on (default ${defaultCliPort}; 0 = any free port)
  --host <host>    address to bind (default 127.0.0.1)
  --pool <id>      create an identity pool with this ID (<region>:<guid>); repeatable.
                   Without --pool, one pool with a generated ID is created
  --region <r>     region of the generated pool ID (default us-east-1)
  --no-guest       disallow unauthenticated (guest) identities in the pools
  --log            print one line per request
  -h, --help       show this help

Admin API: GET <endpoint>/__admin/state, POST /__admin/tokens, POST /__admin/faults, ...`;

const poolIdRegex = new RegExp(`^(?:${regionGuidPattern})$`);
const regionRegex = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new CliUsageError(`--port must be an integer between 0 and 65535, got '${value}'`);
  }
  return port;
}

/** Parses the arguments after `node cli.js`. Throws {@link CliUsageError} for a bad command line. */
export function parseCliArguments(argv: readonly string[]): CliCommand {
  const options: CliOptions = {
    port: defaultCliPort,
    host: '127.0.0.1',
    region: 'us-east-1',
    poolIds: [],
    allowGuests: true,
    log: false,
  };
  const args = [...argv];
  while (args.length > 0) {
    const arg = args.shift() as string;
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const takeValue = (): string => {
      const value = inlineValue ?? args.shift();
      if (value === undefined || value === '' || (inlineValue === undefined && value.startsWith('--'))) {
        throw new CliUsageError(`${flag} needs a value`);
      }
      return value;
    };
    const refuseValue = (): void => {
      if (inlineValue !== undefined) throw new CliUsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--':
        break; // end-of-options marker some script runners pass through
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '--port':
        options.port = parsePort(takeValue());
        break;
      case '--host':
        options.host = takeValue();
        break;
      case '--pool': {
        const poolId = takeValue();
        if (poolId.length > 55 || !poolIdRegex.test(poolId)) {
          throw new CliUsageError(`--pool must be <region>:<guid> with lowercase hex, got '${poolId}'`);
        }
        if (!options.poolIds.includes(poolId)) options.poolIds.push(poolId);
        break;
      }
      case '--region': {
        const region = takeValue();
        if (!regionRegex.test(region))
          throw new CliUsageError(`--region must look like us-east-1, got '${region}'`);
        options.region = region;
        break;
      }
      case '--no-guest':
        refuseValue();
        options.allowGuests = false;
        break;
      case '--log':
        refuseValue();
        options.log = true;
        break;
      default:
        throw new CliUsageError(
          flag.startsWith('-') ? `Unknown option '${flag}'` : `Unexpected argument '${flag}'`,
        );
    }
  }
  return { kind: 'run', options };
}

function splitOnce(arg: string): [string, string] {
  const index = arg.indexOf('=');
  return [arg.slice(0, index), arg.slice(index + 1)];
}

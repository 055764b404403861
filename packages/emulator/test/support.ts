import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { STSClient } from '@aws-sdk/client-sts';
import { afterEach } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../src/index.js';

/** A clock tests move by hand, shared by the emulator and the code under test. */
export class SimulatedClock {
  constructor(private ms = Date.UTC(2030, 0, 15, 12, 0, 0)) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A valid pool ID in `region`. */
export function poolId(region = 'us-east-1', guid = '11111111-2222-3333-4444-555555555555'): string {
  return `${region}:${guid}`;
}

export interface TestEmulator {
  emulator: Emulator;
  client: CognitoIdentityClient;
  clock: SimulatedClock;
}

const running: Array<{ emulator: Emulator; clients: Array<{ destroy(): void }> }> = [];

afterEach(async () => {
  for (const { emulator, clients } of running.splice(0)) {
    for (const client of clients) client.destroy();
    await emulator.close();
  }
});

/** A client of the real AWS SDK pointed at the emulator (closed after the test). */
export function sdkClient(
  emulator: Emulator,
  options: { maxAttempts?: number; signed?: boolean } = {},
): CognitoIdentityClient {
  const client = new CognitoIdentityClient({
    region: emulator.region,
    endpoint: emulator.endpoint,
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.signed ? { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } } : {}),
  });
  running.find((entry) => entry.emulator === emulator)?.clients.push(client);
  return client;
}

/** A client of the real AWS SDK signed with the emulator's developer credentials (closed after the test). */
export function developerClient(
  emulator: Emulator,
  credentials = emulator.developerCredentials,
): CognitoIdentityClient {
  const client = new CognitoIdentityClient({
    region: emulator.region,
    endpoint: emulator.endpoint,
    maxAttempts: 1,
    credentials,
  });
  running.find((entry) => entry.emulator === emulator)?.clients.push(client);
  return client;
}

/** A real `STSClient` pointed at the emulator (closed after the test). */
export function stsClient(emulator: Emulator): STSClient {
  const client = new STSClient({ region: emulator.region, endpoint: emulator.endpoint, maxAttempts: 1 });
  running.find((entry) => entry.emulator === emulator)?.clients.push(client);
  return client;
}

/** Starts an emulator on a simulated clock with one pool (unless `pools` is given), closed after the test. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const clock = new SimulatedClock();
  const emulator = await startEmulator({ clock, pools: [{ identityPoolId: poolId() }], ...options });
  running.push({ emulator, clients: [] });
  return { emulator, client: sdkClient(emulator), clock };
}

/** Runs a promise that must reject and returns the error. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

/** A raw AWS JSON 1.1 request with fetch. */
export function rawRequest(
  emulator: Emulator,
  operation: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${emulator.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityService.${operation}`,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

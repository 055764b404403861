import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AdminTarget, adminAllowMethods, adminPathPrefix, handleAdminRequest } from './admin.js';
import { createEmulatorCore, type EmulatorCore } from './core.js';
import { Delays } from './delays.js';
import { ServiceError } from './errors.js';
import { FaultQueue } from './faults.js';
import { BodyTooLargeError, jsonResponse, preflightResponse, readBody, writeResponse } from './http.js';
import { type IdentityRecord, NotFoundError, snapshotIdentity } from './identity-store.js';
import { messages } from './messages.js';
import {
  baseHeaders,
  errorResponse,
  handleServiceRequest,
  type ServiceEndpointDependencies,
} from './service-endpoint.js';
import type { CallRecord, Emulator, EmulatorOptions } from './types.js';

/** Where the public key of the OpenID tokens is served, as on the real service. */
export const jwksPath = '/.well-known/jwks_uri';

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a local Amazon Cognito Identity service speaking AWS JSON 1.1 over HTTP, for the real
 * `@aws-sdk/client-cognito-identity` (or any client) to talk to:
 *
 * ```ts
 * const emulator = await startEmulator({ pools: [{ allowUnauthenticatedIdentities: true }] });
 * const client = new CognitoIdentityClient({ region: emulator.region, endpoint: emulator.endpoint });
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const log = options.log;
  const core: EmulatorCore = await createEmulatorCore({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.pools ? { pools: options.pools } : {}),
    ...(options.credentialsTtlSeconds !== undefined
      ? { credentialsTtlSeconds: options.credentialsTtlSeconds }
      : {}),
    ...(options.developerCredentials ? { developerCredentials: options.developerCredentials } : {}),
    onUnexpectedError: (error) =>
      log?.(`internal error: ${error instanceof Error ? error.stack : String(error)}`),
  });
  const faults = new FaultQueue();
  const calls: CallRecord[] = [];
  const delays = new Delays();
  const statusCodes = options.statusCodes ?? 'wire';
  const endpointDependencies: ServiceEndpointDependencies = { core, faults, calls, statusCodes, delays, log };

  const requireIdentity = (identityId: string): IdentityRecord => {
    const identity = core.store.identity(identityId);
    if (!identity) throw new NotFoundError(messages.identityNotFound(identityId));
    return identity;
  };

  let address: AddressInfo | undefined;
  const host = options.host ?? '127.0.0.1';
  const firstPoolRegion = (): string | undefined => core.store.pools()[0]?.region;
  const emulator: Emulator = {
    get endpoint() {
      return `http://${formatHost(host)}:${address?.port ?? 0}`;
    },
    get port() {
      return address?.port ?? 0;
    },
    get region() {
      return firstPoolRegion() ?? core.defaultRegion;
    },
    close: () => closeServer(),
    createPool: (poolOptions) => core.store.createPool(poolOptions),
    updatePool: (identityPoolId, patch) => {
      core.store.updatePool(identityPoolId, patch);
    },
    deletePool: (identityPoolId) => core.store.deletePool(identityPoolId),
    pools: () => core.store.pools(),
    identity: (identityId) => {
      const identity = core.store.identity(identityId);
      return identity && snapshotIdentity(identity);
    },
    identities: (identityPoolId) => core.store.identities(identityPoolId).map(snapshotIdentity),
    deleteIdentity: (identityId) => core.store.delete(requireIdentity(identityId)),
    disableIdentity: (identityId) => core.store.disable(requireIdentity(identityId)),
    idp: {
      mintToken: (providerName, tokenOptions) => core.idp.mintToken(providerName, tokenOptions),
      mintUserPoolTokens: (userPoolId, tokenOptions) => core.idp.mintUserPoolTokens(userPoolId, tokenOptions),
    },
    get developerCredentials() {
      return { ...core.developerCredentials };
    },
    faults,
    calls,
    callCount: (operation) =>
      operation === undefined ? calls.length : calls.filter((call) => call.operation === operation).length,
    resetCalls: () => {
      calls.length = 0;
    },
    setClockOffset: (ms) => core.setClockOffset(ms),
    setCredentialsTtlSeconds: (seconds) => core.setCredentialsTtlSeconds(seconds),
    clockOffset: () => core.clockOffset(),
    openIdJwks: () =>
      core.openIdSigner.jwks([core.defaultRegion, ...core.store.pools().map((pool) => pool.region)]),
  };
  const admin: AdminTarget = emulator;

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://emulator.invalid').pathname;
    const isAdmin = path.startsWith(adminPathPrefix);
    if (request.method === 'OPTIONS') {
      writeResponse(response, preflightResponse(request, isAdmin ? adminAllowMethods : 'POST, OPTIONS'));
      return;
    }
    if (isAdmin) {
      const answer = handleAdminRequest(admin, request, await readBody(request));
      writeResponse(response, answer);
      log?.(`${request.method} ${path} -> ${answer.status}`);
      return;
    }
    if (request.method === 'GET' && path === jwksPath) {
      writeResponse(response, jsonResponse(200, emulator.openIdJwks()));
      return;
    }
    if (request.method !== 'POST') {
      const error = new ServiceError(
        'UnknownOperationException',
        messages.unknownOperation(`${request.method} ${path}`),
      );
      writeResponse(response, errorResponse(error, statusCodes, baseHeaders(randomUUID(), core.now())));
      return;
    }
    await handleServiceRequest(endpointDependencies, request, response);
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      const tooLarge = error instanceof BodyTooLargeError;
      if (!tooLarge) log?.(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
      // Whatever escapes the router still answers in the AWS error shape, as every other error does.
      const answer = tooLarge
        ? new ServiceError('RequestEntityTooLargeException', error.message)
        : new ServiceError('InternalErrorException', messages.internalError);
      writeResponse(response, errorResponse(answer, statusCodes, baseHeaders(randomUUID(), core.now())));
    });
  });

  let closing: Promise<void> | undefined;
  function closeServer(): Promise<void> {
    closing ??= new Promise<void>((resolve, reject) => {
      delays.releaseAll();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    return closing;
  }

  await listen(server, options.port ?? 0, host);
  address = server.address() as AddressInfo;
  return emulator;
}

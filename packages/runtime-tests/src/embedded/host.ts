/**
 * The embedding host as the guest bundle sees it: a `__host` global the host defines before it
 * evaluates the bundle. The host owns the network, in one of two ways (docs/embedding.md):
 * an HTTP `request` the guest's `fetchTransport` uses, or a `call` that runs each Cognito
 * operation on the host's side (a whole `CognitoIdentityTransport`).
 */
import {
  type CognitoIdentityTransport,
  type FetchLike,
  fetchTransport,
  NetworkError,
  ServiceError,
} from '@identity-pool/core';

export interface EmbeddingHost {
  /** The engine and its version, as the host knows them. */
  engine: string;
  /** The scenario config, JSON. */
  config: string;
  /** An HTTP POST: answers `{ status, headers, body }` as JSON. */
  request?(url: string, headersJson: string, body: string): Promise<string>;
  /** One Cognito operation run by the host: answers {@link CallResult} as JSON, now or later. */
  call?(operation: string, inputJson: string): string | Promise<string>;
  /** The guest's last word: the scenario report, JSON. */
  report(json: string): void;
}

/** What the host's side of a `call` answers. */
export type CallResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      error: { name: string; message: string; operation: string; code?: string; statusCode?: number };
    };

/** `fetch` over the host's `request`: headers and body as strings, one JSON answer. */
function fetchOverHost(request: NonNullable<EmbeddingHost['request']>): FetchLike {
  return async (url, init) => {
    const answer = JSON.parse(await request(url, JSON.stringify(init.headers), init.body)) as {
      status: number;
      headers: Record<string, string>;
      body: string;
    };
    const headers = new Map(Object.entries(answer.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      status: answer.status,
      headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
      text: async () => answer.body,
    };
  };
}

/** The error a host's failed `call` stands for, as core's own transports would throw it. */
function callError({ error }: Extract<CallResult, { ok: false }>): Error {
  if (error.name === 'ServiceError' && error.code) {
    return new ServiceError({
      code: error.code,
      message: error.message,
      operation: error.operation,
      statusCode: error.statusCode,
    });
  }
  return new NetworkError(error.operation, `${error.name}: ${error.message}`);
}

/** A transport whose every operation the host runs: inputs without their signal, dates as epoch ms. */
function transportOverHost(call: NonNullable<EmbeddingHost['call']>): CognitoIdentityTransport {
  const run = async (operation: string, input: { signal?: unknown }) => {
    const { signal: _signal, ...plain } = input;
    const result = JSON.parse(await call(operation, JSON.stringify(plain))) as CallResult;
    if (!result.ok) throw callError(result);
    return result.value as Record<string, unknown>;
  };
  return {
    getId: async (input) => (await run('GetId', input)) as { identityId: string },
    getCredentialsForIdentity: async (input) => {
      const value = (await run('GetCredentialsForIdentity', input)) as {
        identityId: string;
        credentials: {
          accessKeyId: string;
          secretAccessKey: string;
          sessionToken: string;
          expiration: number;
        };
      };
      return {
        ...value,
        credentials: { ...value.credentials, expiration: new Date(value.credentials.expiration) },
      };
    },
  };
}

/** The transport the host offers; `request` wins when the host offers both. */
export function hostTransport(host: EmbeddingHost, endpoint: string): CognitoIdentityTransport {
  if (host.request) return fetchTransport({ endpoint, fetch: fetchOverHost(host.request.bind(host)) });
  if (host.call) return transportOverHost(host.call.bind(host));
  throw new Error('__host offers neither request nor call');
}

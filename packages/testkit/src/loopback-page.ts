/**
 * `@identity-pool/testkit/loopback-page` — what a page on loopback needs to run this library in a
 * browser against the emulator: the esbuild options that bundle it (workspace packages from
 * source, never the AWS SDK), a server on a free port, and the route that hands the page tokens
 * of the emulator's fake identity provider. The browser demos and the login providers' Chromium
 * tests serve their pages with it.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Emulator, startEmulator } from '@identity-pool/emulator';

/** esbuild options for a page script: `build({ ...browserBundleOptions, entryPoints: [entry] })`. */
export const browserBundleOptions: {
  bundle: true;
  write: false;
  format: 'esm';
  platform: 'browser';
  target: string;
  conditions: string[];
  external: string[];
  logLevel: 'silent';
} = {
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  conditions: ['source'],
  external: ['@aws-sdk/*'],
  logLevel: 'silent',
};

/** Answers 200 with `body`, never cached. */
export function send(
  response: ServerResponse,
  type: string,
  body: string,
  headers: Record<string, string> = {},
) {
  response
    .writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', ...headers })
    .end(body);
}

/** Answers a request and returns true, or returns false: the server then answers 404 (204 for a favicon). */
export type Route = (url: URL, response: ServerResponse) => boolean;

export interface LoopbackServer {
  readonly port: number;
  /** `http://<originHost>:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

export interface LoopbackServerOptions {
  /** Default 0: a free port. */
  port?: number;
  /** The address to listen on; default 127.0.0.1. */
  host?: string;
  /** The host name in `origin`; default `host` (`localhost` is another origin than 127.0.0.1). */
  originHost?: string;
}

/** Serves `route` over HTTP on loopback. */
export async function startLoopbackServer(
  route: Route,
  options: LoopbackServerOptions = {},
): Promise<LoopbackServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!route(url, response)) response.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://${options.originHost ?? host}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The answer of a page's `/idp/token?provider=&subject=&audience=` route: a token of the
 * emulator's fake IdP valid for an hour, as `{ token, expiresIn }` JSON. `issuedAt` (epoch s)
 * lets a test issue it on the service's skewed clock.
 */
export function idpTokenAnswer(emulator: Emulator, url: URL, options: { issuedAt?: number } = {}): string {
  const token = emulator.idp.mintToken(url.searchParams.get('provider') ?? '', {
    subject: url.searchParams.get('subject') ?? 'demo-user',
    audience: url.searchParams.get('audience') ?? 'emulator',
    expiresInSeconds: 3600,
    ...(options.issuedAt === undefined ? {} : { issuedAt: options.issuedAt }),
  });
  return JSON.stringify({ token, expiresIn: 3600 });
}

/** A page on loopback and the emulator it talks to, with a pool of its own. */
export interface EmulatorPage {
  /** The page's URL (`<origin>/`). */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly emulator: Emulator;
  readonly identityPoolId: string;
  /** Closes the page's server, then the emulator. */
  close(): Promise<void>;
}

/** Answers a request and returns true, or returns false; `origin` is the page's. */
export type PageRoutes = (url: URL, response: ServerResponse, origin: string) => boolean;

export interface EmulatorPageOptions extends LoopbackServerOptions {
  /** The pool's `SupportedLoginProviders` (provider name → app ID). */
  loginProviders: Record<string, string>;
  /** The pool's ID, when the page was configured with one (an app's `amplify_outputs.json`); default a new one. */
  identityPoolId?: string;
  /**
   * Prepares the page (bundles, drawings) for the new pool and returns its routes; when it
   * throws, the emulator is closed. `/idp/token` is answered by `idpTokenAnswer` unless a route takes it.
   */
  routes(emulator: Emulator, identityPoolId: string): Promise<PageRoutes>;
}

/** Starts the emulator (on `host`), creates a pool, and serves the page's routes. */
export async function startEmulatorPage(options: EmulatorPageOptions): Promise<EmulatorPage> {
  const emulator = await startEmulator({ host: options.host ?? '127.0.0.1' });
  const { identityPoolId } = emulator.createPool({
    supportedLoginProviders: options.loginProviders,
    ...(options.identityPoolId === undefined ? {} : { identityPoolId: options.identityPoolId }),
  });
  let server: LoopbackServer;
  try {
    const routes = await options.routes(emulator, identityPoolId);
    server = await startLoopbackServer((url, response) => {
      if (routes(url, response, server.origin)) return true;
      if (url.pathname !== '/idp/token') return false;
      send(response, 'application/json', idpTokenAnswer(emulator, url));
      return true;
    }, options);
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return {
    url: `${server.origin}/`,
    origin: server.origin,
    port: server.port,
    emulator,
    identityPoolId,
    async close() {
      await server.close();
      await emulator.close();
    },
  };
}

/** Says where a demo (a page and its emulator) runs, and keeps it up until Ctrl-C or SIGTERM. */
export function serveUntilStopped(
  title: string,
  demo: { url: string; emulator: Emulator; close(): Promise<void> },
) {
  console.log(`${title}: ${demo.url}`);
  console.log(
    `Cognito Identity emulator: ${demo.emulator.endpoint} (admin API: ${demo.emulator.endpoint}/__admin/state)`,
  );
  console.log('Ctrl-C to stop.');
  const stop = () => {
    demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * The React demo server: the Cognito Identity emulator and the page on loopback, from one call.
 * The page (src/app.tsx, React 19, development build so StrictMode double-mounts) is bundled
 * with esbuild on start; Facebook is the localhost stand-in of `@identity-pool/testkit`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@identity-pool/emulator';
import { facebookSdkStandIn } from '@identity-pool/testkit/vendor-stand-ins';
import { build } from 'esbuild';

export const FACEBOOK_APP_ID = 'react-demo-facebook-app';

export interface ReactDemo {
  readonly url: string;
  readonly emulator: Emulator;
  readonly identityPoolId: string;
  close(): Promise<void>;
}

/** The app's script, from TypeScript (workspace packages from source, never the AWS SDK). */
async function bundleApp(): Promise<string> {
  const entry = fileURLToPath(new URL('../src/app.tsx', import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    conditions: ['source'],
    external: ['@aws-sdk/*'],
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

const html = (config: object) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>identity-pool React demo</title>
<link rel="icon" href="data:,"></head><body>
<div id="root"></div>
<script>window.__DEMO__ = ${JSON.stringify(config)};</script>
<script type="module" src="/app.js"></script>
</body></html>`;

export async function startReactDemo(options: { port?: number; host?: string } = {}): Promise<ReactDemo> {
  const host = options.host ?? '127.0.0.1';
  const emulator = await startEmulator({ host });
  const { identityPoolId } = emulator.createPool({
    supportedLoginProviders: { 'graph.facebook.com': FACEBOOK_APP_ID },
  });
  let appJs: string;
  try {
    appJs = await bundleApp();
  } catch (error) {
    await emulator.close();
    throw error;
  }
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (type: string, body: string) =>
      response
        .writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' })
        .end(body);
    switch (url.pathname) {
      case '/':
        return send(
          'text/html',
          html({
            endpoint: emulator.endpoint,
            identityPoolId,
            facebookAppId: FACEBOOK_APP_ID,
            facebookSdkUrl: `${origin}/connect.facebook.net/en_US/sdk.js`,
          }),
        );
      case '/app.js':
        return send('text/javascript', appJs);
      case '/connect.facebook.net/en_US/sdk.js':
        return send('text/javascript', facebookSdkStandIn);
      case '/idp/token': {
        const token = emulator.idp.mintToken(url.searchParams.get('provider') ?? '', {
          subject: url.searchParams.get('subject') ?? 'demo-user',
          audience: url.searchParams.get('audience') ?? 'emulator',
          expiresInSeconds: 3600,
        });
        return send('application/json', JSON.stringify({ token, expiresIn: 3600 }));
      }
      default:
        response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    emulator,
    identityPoolId,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await emulator.close();
    },
  };
}

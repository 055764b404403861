/**
 * The React demo server: the Cognito Identity emulator and the page on loopback, from one call.
 * The page (src/app.tsx, React 19, development build so StrictMode double-mounts) is bundled
 * with esbuild on start; Facebook is the localhost stand-in of `@identity-pool/testkit`.
 */
import { fileURLToPath } from 'node:url';
import type { Emulator } from '@identity-pool/emulator';
import { browserBundleOptions, send, startEmulatorPage } from '@identity-pool/testkit/loopback-page';
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
    ...browserBundleOptions,
    entryPoints: [entry],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
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

export function startReactDemo(options: { port?: number; host?: string } = {}): Promise<ReactDemo> {
  return startEmulatorPage({
    ...options,
    loginProviders: { 'graph.facebook.com': FACEBOOK_APP_ID },
    async routes(emulator, identityPoolId) {
      const appJs = await bundleApp();
      const config = (origin: string) => ({
        endpoint: emulator.endpoint,
        identityPoolId,
        facebookAppId: FACEBOOK_APP_ID,
        facebookSdkUrl: `${origin}/connect.facebook.net/en_US/sdk.js`,
      });
      return (url, response, origin) => {
        if (url.pathname === '/') send(response, 'text/html', html(config(origin)));
        else if (url.pathname === '/app.js') send(response, 'text/javascript', appJs);
        else if (url.pathname === '/connect.facebook.net/en_US/sdk.js')
          send(response, 'text/javascript', facebookSdkStandIn);
        else return false;
        return true;
      };
    },
  });
}

/**
 * The Amplify app's server: the Cognito Identity emulator, with the identity pool that
 * `amplify_outputs.json` names, and the page, built by `vite build` on start (kept in memory) and
 * served on loopback beside it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '@identity-pool/emulator';
import { send, startEmulatorPage } from '@identity-pool/testkit/loopback-page';
import { build, defaultClientConditions, type Rollup } from 'vite';

/** The app's folder (Vite's root), from src/ and from dist/ alike. */
const appRoot = fileURLToPath(new URL('..', import.meta.url));

/** The settings the app is built with, as an Amplify backend writes them. */
export const outputs: {
  auth: { aws_region: string; user_pool_id: string; user_pool_client_id: string; identity_pool_id: string };
} = JSON.parse(readFileSync(`${appRoot}src/amplify_outputs.json`, 'utf8'));

/** The `Logins` key of the app's user pool, which the pool accepts from its app client. */
export const USER_POOL_LOGIN = `cognito-idp.${outputs.auth.aws_region}.amazonaws.com/${outputs.auth.user_pool_id}`;

export interface AmplifyApp {
  readonly url: string;
  readonly emulator: Emulator;
  readonly identityPoolId: string;
  close(): Promise<void>;
}

/** `vite build` of the app for `endpoint`: file name (`index.html`, `assets/…`) → content. */
export async function buildApp(endpoint: string): Promise<Map<string, string>> {
  const output = (await build({
    configFile: false,
    root: appRoot,
    logLevel: 'silent',
    // Workspace packages from their TypeScript sources, as the tests use them.
    resolve: { conditions: ['source', ...defaultClientConditions] },
    define: { 'import.meta.env.VITE_IDENTITY_POOL_ENDPOINT': JSON.stringify(endpoint) },
    build: { write: false, target: 'es2022' },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const files = new Map<string, string>();
  for (const item of [output].flat().flatMap((o) => o.output))
    files.set(item.fileName, item.type === 'chunk' ? item.code : String(item.source));
  return files;
}

const contentType = (file: string) => (file.endsWith('.html') ? 'text/html' : 'text/javascript');

export function startAmplifyApp(options: { port?: number; host?: string } = {}): Promise<AmplifyApp> {
  return startEmulatorPage({
    ...options,
    identityPoolId: outputs.auth.identity_pool_id,
    loginProviders: { [USER_POOL_LOGIN]: outputs.auth.user_pool_client_id },
    async routes(emulator) {
      const files = await buildApp(emulator.endpoint);
      return (url, response) => {
        const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
        const body = files.get(file);
        if (body === undefined) return false;
        send(response, contentType(file), body);
        return true;
      };
    },
  });
}

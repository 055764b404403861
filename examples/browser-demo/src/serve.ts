/**
 * The demo server: the Cognito Identity emulator and the demo page on loopback, from one call.
 * The page (src/page.ts) is bundled with esbuild on start, and the statechart drawn from
 * `identityPoolMachine` with elkjs (src/statechart, as `pnpm diagram` draws docs/statechart.svg)
 * goes into its HTML, so the browser gets no layout code; the Facebook and Google SDKs are
 * localhost stand-ins (`@identity-pool/testkit/vendor-stand-ins`) whose tokens come from the emulator's fake IdP.
 */
import { fileURLToPath } from 'node:url';
import { identityPoolMachine } from '@identity-pool/core';
import type { Emulator } from '@identity-pool/emulator';
import { browserBundleOptions, send, startEmulatorPage } from '@identity-pool/testkit/loopback-page';
import { facebookSdkStandIn, googleGsiStandIn } from '@identity-pool/testkit/vendor-stand-ins';
import { build } from 'esbuild';
import { drawStatechart } from './statechart/index.js';

export const FACEBOOK_APP_ID = 'demo-facebook-app';
export const GOOGLE_CLIENT_ID = 'demo-client.apps.googleusercontent.com';

export interface DemoOptions {
  /** The page's port; default 0 (a free one). The emulator always takes a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface Demo {
  /** The page's URL. */
  readonly url: string;
  readonly emulator: Emulator;
  readonly identityPoolId: string;
  close(): Promise<void>;
}

/** The page's script, from TypeScript (workspace packages from source, never the AWS SDK). */
async function bundlePage(): Promise<string> {
  // From src/ or dist/: the entry is always the TypeScript source.
  const entry = fileURLToPath(new URL('../src/page.ts', import.meta.url));
  const result = await build({ ...browserBundleOptions, entryPoints: [entry] });
  return result.outputFiles[0]!.text;
}

const html = (config: object, statechart: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>identity-pool browser demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo.css">
</head><body>
<header><h1>identity-pool <span>browser demo</span></h1><p>Temporary AWS credentials from a Cognito identity pool (the local emulator), as one xstate machine.</p></header>
<main>
  <section id="chart-panel">
    <h2>Statechart <small>identityPoolMachine: the current state in green, the last step's transitions in orange</small>
      <span class="zoom"><button data-zoom="1">100 %</button><button data-zoom="0.75">75 %</button><button data-zoom="fit">Whole chart</button></span></h2>
    <div id="chart">${statechart}</div>
    <p class="last"><label>last step</label> <span id="last-transition">—</span></p>
  </section>
  <section id="side">
    <div id="identity">
      <div><label>status</label><b id="status">…</b></div>
      <div><label>identity ID</label><code id="identity-id">—</code></div>
      <div><label>signed in with</label><span id="providers">—</span></div>
      <div><label>credentials expire in</label><b id="countdown">—</b></div>
      <div><label>tabs</label><span id="coordination">—</span></div>
    </div>
    <div id="buttons">
      <button id="guest">Continue as guest</button>
      <button id="facebook" class="fb">Continue with Facebook</button>
      <button id="google" class="google">Continue with Google</button>
      <button id="refresh">Force refresh</button>
      <button id="logout">Log out</button>
      <button id="tab">Open another tab</button>
    </div>
    <p id="result" role="status"></p>
    <h2>Network calls <small>from the emulator, as they happen</small></h2>
    <table id="calls"><thead><tr><th>time</th><th>operation</th><th>identity</th><th>logins</th><th>result</th></tr></thead><tbody></tbody></table>
    <h2>Events</h2>
    <ol id="events"></ol>
  </section>
</main>
<script>window.__DEMO__ = ${JSON.stringify(config)};</script>
<script type="module" src="/page.js"></script>
</body></html>`;

const css = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2733; background: #f4f6f9; }
header { padding: 14px 24px; background: #1f2a44; color: #fff; }
header h1 { margin: 0; font-size: 20px; } header h1 span { font-weight: 400; opacity: .75; }
header p { margin: 4px 0 0; opacity: .8; }
main { display: grid; grid-template-columns: minmax(380px, 440px) minmax(0, 1fr); gap: 16px; padding: 16px 24px; }
section { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 3px #0002; }
h2 { font-size: 15px; margin: 4px 0 10px; } h2 small { font-weight: 400; color: #667; }
#side { grid-row: 1; grid-column: 1; min-width: 0; } #chart-panel { grid-row: 1; grid-column: 2; min-width: 0; }
#chart { height: max(480px, calc(100vh - 190px)); overflow: auto; border: 1px solid #e3e7ee; border-radius: 6px; background: #fff; }
#chart.fit { height: auto; overflow: hidden; }
#chart.fit svg { width: 100%; height: auto; }
#calls { font-size: 11px; } #calls td { overflow-wrap: anywhere; }
#chart.fit .state.active > rect { stroke-width: 8px; }
#chart.fit .arrow.taken path { stroke-width: 9px; }
#chart svg { display: block; }
.zoom { float: right; } .zoom button { padding: 2px 8px; font-size: 12px; margin-left: 4px; }
.zoom button[aria-pressed="true"] { background: #1f2a44; color: #fff; border-color: #1f2a44; }
.last { margin: 8px 0 0; font-size: 12px; color: #445; min-height: 2.8em; }
.last label { font-size: 11px; color: #667; text-transform: uppercase; letter-spacing: .04em; }
#identity { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-bottom: 12px; }
#identity label { display: block; font-size: 11px; color: #667; text-transform: uppercase; letter-spacing: .04em; }
#identity code { font-size: 12px; word-break: break-all; }
#countdown { font-variant-numeric: tabular-nums; font-size: 18px; }
#buttons { display: flex; flex-wrap: wrap; gap: 8px; }
button { font: inherit; padding: 7px 12px; border-radius: 6px; border: 1px solid #b8c2d0; background: #fff; cursor: pointer; }
button:hover { background: #eef2f7; }
button.fb { background: #1877f2; color: #fff; border-color: #1877f2; }
button.google { background: #fff; border-color: #4285f4; color: #1a56c9; }
#result { min-height: 1.4em; margin: 8px 0; color: #445; }
table { width: 100%; border-collapse: collapse; font-size: 12px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e3e7ee; }
td.ok { color: #1a7f37; } td.err { color: #b42318; }
#events { margin: 0; padding-left: 20px; font-size: 12px; max-height: 140px; overflow: auto; }
#fb-dialog, #g-onetap { position: fixed; top: 90px; right: 40px; background: #fff; border: 1px solid #ccd; border-radius: 8px; padding: 12px 16px; box-shadow: 0 6px 24px #0003; z-index: 10; }
#fb-dialog button, #g-onetap button { margin-right: 6px; }
`;

export function startDemo(options: DemoOptions = {}): Promise<Demo> {
  return startEmulatorPage({
    ...options,
    loginProviders: { 'graph.facebook.com': FACEBOOK_APP_ID, 'accounts.google.com': GOOGLE_CLIENT_ID },
    async routes(emulator, identityPoolId) {
      const [pageJs, statechart] = await Promise.all([bundlePage(), drawStatechart(identityPoolMachine)]);
      const config = (origin: string) => ({
        endpoint: emulator.endpoint,
        identityPoolId,
        facebookAppId: FACEBOOK_APP_ID,
        facebookSdkUrl: `${origin}/connect.facebook.net/en_US/sdk.js`,
        googleClientId: GOOGLE_CLIENT_ID,
        googleSdkUrl: `${origin}/accounts.google.com/gsi/client`,
      });
      const files: Record<string, [type: string, body: string]> = {
        '/page.js': ['text/javascript', pageJs],
        '/demo.css': ['text/css', css],
        '/connect.facebook.net/en_US/sdk.js': ['text/javascript', facebookSdkStandIn],
        '/accounts.google.com/gsi/client': ['text/javascript', googleGsiStandIn],
      };
      return (url, response, origin) => {
        const file = files[url.pathname];
        if (file) send(response, ...file);
        else if (url.pathname === '/') send(response, 'text/html', html(config(origin), statechart));
        else return false;
        return true;
      };
    },
  });
}

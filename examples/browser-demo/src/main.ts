/** `pnpm demo:browser`: the emulator and the demo page, until Ctrl-C. `PORT` picks the page's port (default 5173). */
import { serveUntilStopped } from '@identity-pool/testkit/loopback-page';
import { startDemo } from './serve.js';

serveUntilStopped('identity-pool browser demo', await startDemo({ port: Number(process.env.PORT ?? 5173) }));

/** `pnpm --filter @identity-pool/react-demo start` (after `pnpm build`): the emulator and the React demo, until Ctrl-C. `PORT` picks the page's port (default 5173). */
import { serveUntilStopped } from '@identity-pool/testkit/loopback-page';
import { startReactDemo } from './serve.js';

serveUntilStopped(
  'identity-pool React demo',
  await startReactDemo({ port: Number(process.env.PORT ?? 5173) }),
);

/** `pnpm demo:amplify` (or `pnpm --filter @identity-pool/amplify-app start` after `pnpm build`): the emulator and the Amplify app, until Ctrl-C. `PORT` picks the page's port (default 5173). */
import { serveUntilStopped } from '@identity-pool/testkit/loopback-page';
import { startAmplifyApp } from './serve.js';

serveUntilStopped(
  'identity-pool Amplify app',
  await startAmplifyApp({ port: Number(process.env.PORT ?? 5173) }),
);

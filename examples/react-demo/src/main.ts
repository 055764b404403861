/** `pnpm --filter @identity-pool/react-demo start` (after `pnpm build`): the emulator and the React demo, until Ctrl-C. `PORT` picks the page's port (default 5173). */
import { startReactDemo } from './serve.js';

const demo = await startReactDemo({ port: Number(process.env.PORT ?? 5173) });
console.log(`identity-pool React demo: ${demo.url}`);
console.log(
  `Cognito Identity emulator: ${demo.emulator.endpoint} (admin API: ${demo.emulator.endpoint}/__admin/state)`,
);
console.log('Ctrl-C to stop.');
const stop = () => {
  demo.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

/** `pnpm demo:browser`: the emulator and the demo page, until Ctrl-C. `PORT` picks the page's port (default 5173). */
import { startDemo } from './serve.js';

const demo = await startDemo({ port: Number(process.env.PORT ?? 5173) });
console.log(`identity-pool browser demo: ${demo.url}`);
console.log(
  `Cognito Identity emulator: ${demo.emulator.endpoint} (admin API: ${demo.emulator.endpoint}/__admin/state)`,
);
console.log('Ctrl-C to stop.');
const stop = () => {
  demo.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

/**
 * Cloudflare workerd (through miniflare): a module worker that runs the scenario for a `POST`
 * of its config and answers with the report. No Web Storage there: memory storage.
 */
import { runScenario, type ScenarioConfig } from '../scenario.js';

export default {
  async fetch(request: Request): Promise<Response> {
    const config = (await request.json()) as ScenarioConfig;
    const report = await runScenario('workerd', config);
    return new Response(JSON.stringify(report), { headers: { 'content-type': 'application/json' } });
  },
};

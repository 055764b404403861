/**
 * `drawStatechart(machine)`: a machine's definition → graph (graph.ts) → ELK layout (layout.ts) →
 * SVG (svg.ts). Used by `pnpm diagram` (docs/statechart.svg), its staleness test, and the demo
 * server, which serves the page this drawing; the page itself imports graph.ts only (to match
 * the transitions it sees to the drawing's arrows), so elkjs stays out of its bundle.
 */
import { type MachineNode, statechartGraph } from './graph.js';
import { layoutStatechart } from './layout.js';
import { statechartSvg } from './svg.js';

export async function drawStatechart(machine: {
  readonly root: MachineNode;
  readonly id: string;
}): Promise<string> {
  const layout = await layoutStatechart(statechartGraph(machine));
  return statechartSvg(layout, `The statechart of ${machine.id}`);
}

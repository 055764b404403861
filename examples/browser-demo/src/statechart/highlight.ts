/**
 * Live highlighting of the drawn statechart (svg.ts) in a page: the active states get `.active`,
 * the transitions of the machine's last step get `.taken` (their arrows and label lines). The
 * transitions come from xstate's inspection API — the session's `inspect` option — whose
 * `@xstate.microstep` events carry the transition definitions taken (`_transitions`); a step is
 * every microstep after one event the machine received, so `fetching → routing → credentialed`
 * stays lit together until the next event moves the machine.
 */
import { type MachineTransition, transitionKey } from './graph.js';

/** The parts of an xstate inspection event this module reads. */
interface InspectionEventLike {
  type: string;
  rootId?: string;
  actorRef?: { sessionId?: string };
  _transitions?: readonly MachineTransition[];
}

export interface TakenTransition {
  readonly from: string;
  readonly to: string;
  readonly text: string;
}

export interface StatechartHighlighter {
  /** For the session's `inspect` option. */
  readonly inspect: (event: InspectionEventLike) => void;
  /** Marks the states of a snapshot's `value` (`{ authenticated: 'credentialed' }`) active. */
  showState(value: unknown): void;
  /** The transitions of the last step, in the order taken. */
  taken(): readonly TakenTransition[];
}

/** The active state paths of a snapshot value: `{ authenticated: 'fetching' }` → both levels. */
export function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [
      `${prefix}${key}`,
      ...activePaths(inner, `${prefix}${key}.`),
    ]);
  }
  return [];
}

/**
 * Highlights `svg` (a drawing from svg.ts); `onChange` runs after every change of the lit
 * transitions (the page writes them out as text there).
 */
export function highlightStatechart(svg: Element, onChange: () => void = () => {}): StatechartHighlighter {
  const lines = new Map<string, Element>();
  for (const line of svg.querySelectorAll('tspan[data-transition]')) {
    lines.set(line.getAttribute('data-transition')!, line);
  }
  let lit: Element[] = [];
  let taken: TakenTransition[] = [];
  let stepEnded = true;

  /** The drawn label line and arrow of each transition (targetless ones have none). */
  const drawn = (transitions: readonly MachineTransition[]) =>
    transitions.flatMap((transition) => {
      const line = lines.get(transitionKey(transition));
      const arrow = line?.closest('g.arrow');
      return line && arrow ? [{ line, arrow }] : [];
    });
  const light = (steps: { line: Element; arrow: Element }[]) => {
    if (stepEnded) {
      for (const element of lit) element.classList.remove('taken');
      lit = [];
      taken = [];
      stepEnded = false;
    }
    for (const { line, arrow } of steps) {
      line.classList.add('taken');
      arrow.classList.add('taken');
      lit.push(line, arrow);
      taken.push({
        from: arrow.getAttribute('data-from')!,
        to: arrow.getAttribute('data-to')!,
        text: line.textContent!,
      });
    }
    onChange();
  };

  const isRoot = (event: InspectionEventLike) => event.actorRef?.sessionId === event.rootId;
  return {
    inspect(event) {
      if (!isRoot(event)) return;
      if (event.type === '@xstate.event') stepEnded = true;
      if (event.type !== '@xstate.microstep') return;
      // A step that only ran actions (no target) leaves the last drawn transitions lit.
      const steps = drawn(event._transitions ?? []);
      if (steps.length) light(steps);
    },
    showState(value) {
      const active = new Set(activePaths(value));
      for (const box of svg.querySelectorAll('g.state')) {
        box.classList.toggle('active', active.has(box.getAttribute('data-state')!));
      }
    },
    taken: () => taken,
  };
}

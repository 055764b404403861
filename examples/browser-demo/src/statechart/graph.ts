/**
 * A machine's definition as a graph to draw: its states as nested boxes, each compound state with
 * an initial dot, and its transitions as arrows — one arrow per (source, target) pair, labelled
 * with every transition it stands for, so parallel guarded transitions do not stack up as
 * separate lines. Transitions declared on the root (accepted in every state) leave a pseudo-state
 * "any state". Walks the definition only (xstate's `StateNode`s), so it runs anywhere; the layout
 * (layout.ts, elkjs) and the SVG (svg.ts) are separate so a page can use this file alone.
 */

/** What this module reads of an xstate v5 `StateNode` and `TransitionDefinition`. */
export interface MachineNode {
  readonly key: string;
  readonly path: readonly string[];
  readonly states: Readonly<Record<string, MachineNode>>;
  readonly transitions: ReadonlyMap<string, readonly MachineTransition[]>;
  readonly always?: readonly MachineTransition[] | undefined;
  readonly initial?: { readonly target?: readonly MachineNode[] | undefined } | undefined;
  readonly invoke: readonly { readonly id: string; readonly src: unknown }[];
}
export interface MachineTransition {
  readonly source: MachineNode;
  readonly eventType: string;
  readonly target?: readonly MachineNode[] | undefined;
  readonly guard?: unknown;
}

export interface StateBox {
  /** The state's path, dot-separated (`authenticated.credentialed`): also its id in the drawing. */
  readonly id: string;
  readonly title: string;
  readonly kind: 'state' | 'initial' | 'any';
  readonly children: readonly StateBox[];
}
export interface TransitionLine {
  /** `transitionKey()` of the transition this line describes. */
  readonly key: string;
  readonly text: string;
}
export interface Arrow {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Empty for the arrow from an initial dot. */
  readonly lines: readonly TransitionLine[];
}
export interface StatechartGraph {
  /** The top-level boxes (the root itself is the drawing). */
  readonly boxes: readonly StateBox[];
  readonly arrows: readonly Arrow[];
}

/** The id of the pseudo-state for transitions declared on the root. */
export const ANY_STATE = '(any state)';
const initialId = (parent: MachineNode) => `${statePath(parent) || '(root)'}.(initial)`;

export const statePath = (node: MachineNode) => node.path.join('.');

/** Every transition a state declares, in xstate's order (events, then eventless ones). */
export function transitionsOf(node: MachineNode): MachineTransition[] {
  return [...node.transitions.values()].flat().concat(node.always ?? []);
}

/**
 * A transition's stable name, `<source path>#<index in transitionsOf(source)>`: what an
 * inspector's `@xstate.microstep` event (`_transitions`) is matched against in the drawing.
 */
export function transitionKey(transition: MachineTransition): string {
  const index = transitionsOf(transition.source).indexOf(transition);
  return `${statePath(transition.source) || '(root)'}#${index}`;
}

function guardText(guard: unknown): string {
  if (!guard) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    // `and([...])` and friends: xstate keeps the parts on the function.
    const parts = (guard as { guards?: unknown[] }).guards;
    return parts ? parts.map(guardText).join(' & ') : guard.name || 'guard';
  }
  const object = guard as { type?: string; params?: Record<string, unknown> };
  const params = object.params ? Object.values(object.params).join(', ') : '';
  return params ? `${object.type}(${params})` : (object.type ?? 'guard');
}

/** The event as people say it: `done obtainIdentity`, `after refreshDelay`, `always`. */
function eventText(node: MachineNode, eventType: string): string {
  if (eventType === '') return 'always';
  const invoked = (id: string) => {
    const src = node.invoke.find((invoke) => invoke.id === id)?.src;
    return typeof src === 'string' ? src : id;
  };
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType);
  if (done) return `done ${invoked(done[1]!)}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  if (error) return `error ${invoked(error[1]!)}`;
  const after = /^xstate\.after\.(.+?)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  return eventType;
}

export function transitionText(transition: MachineTransition): string {
  const guard = guardText(transition.guard);
  return `${eventText(transition.source, transition.eventType)}${guard ? ` [${guard}]` : ''}`;
}

function boxOf(node: MachineNode): StateBox {
  const children = Object.values(node.states).map(boxOf);
  if (node.initial?.target?.length) children.unshift(initialBox(node));
  return { id: statePath(node), title: node.key, kind: 'state', children };
}
const initialBox = (parent: MachineNode): StateBox => ({
  id: initialId(parent),
  title: '',
  kind: 'initial',
  children: [],
});

function allNodes(node: MachineNode): MachineNode[] {
  return [node, ...Object.values(node.states).flatMap(allNodes)];
}

/** The graph of `machine` (an xstate v5 machine: its `root` state node is walked). */
export function statechartGraph(machine: { readonly root: MachineNode }): StatechartGraph {
  const root = machine.root;
  const boxes = Object.values(root.states).map(boxOf);
  if (root.initial?.target?.length) boxes.unshift(initialBox(root));
  const rootTransitions = transitionsOf(root).filter((transition) => transition.target?.length);
  // First in the model order, so that ELK puts it on top and its arrows point down.
  if (rootTransitions.length) boxes.unshift({ id: ANY_STATE, title: 'any state', kind: 'any', children: [] });

  const arrows: Arrow[] = [];
  const byEnds = new Map<string, TransitionLine[]>();
  const arrow = (from: string, to: string) => {
    let lines = byEnds.get(`${from} ${to}`);
    if (!lines) {
      lines = [];
      byEnds.set(`${from} ${to}`, lines);
      arrows.push({ id: `arrow${arrows.length}`, from, to, lines });
    }
    return lines;
  };
  for (const node of allNodes(root)) {
    const initial = node.initial?.target?.[0];
    if (initial) arrow(initialId(node), statePath(initial));
  }
  for (const node of allNodes(root)) {
    const from = node === root ? ANY_STATE : statePath(node);
    for (const transition of transitionsOf(node)) {
      for (const target of transition.target ?? []) {
        arrow(from, statePath(target)).push({
          key: transitionKey(transition),
          text: transitionText(transition),
        });
      }
    }
  }
  return { boxes, arrows };
}

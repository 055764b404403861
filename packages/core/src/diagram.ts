import type { AnyStateMachine, AnyStateNode } from 'xstate';

type AnyNode = AnyStateNode;
type AnyTransition = {
  eventType: string;
  target?: readonly AnyNode[] | undefined;
  guard?: unknown;
  reenter?: boolean;
};

const nodeName = (node: AnyNode) => node.id.replace(/^[^.]*\./, '').replace(/[^\w]/g, '_');

function guardLabel(guard: unknown): string {
  if (!guard) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    // `and([...])` and friends: xstate keeps the parts on the function.
    const parts = (guard as { guards?: unknown[] }).guards;
    return parts ? parts.map(guardLabel).join(' & ') : guard.name || 'guard';
  }
  const object = guard as { type?: string; params?: Record<string, unknown> };
  const params = object.params ? Object.values(object.params).join(', ') : '';
  return params ? `${object.type}(${params})` : (object.type ?? 'guard');
}

function eventLabel(node: AnyNode, eventType: string): string {
  if (eventType === '') return 'always';
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType);
  if (done) return `done ${node.invoke.find((i) => i.id === done[1])?.src ?? done[1]}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  if (error) return `error ${node.invoke.find((i) => i.id === error[1])?.src ?? error[1]}`;
  const after = /^xstate\.after\.(.+?)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  return eventType;
}

/**
 * The machine as a Mermaid `stateDiagram-v2`: every state, every transition with its event and
 * guard. The README's diagram is this function's output (a test keeps the two equal).
 */
export function stateMachineToMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  /** Edges that leave a composite state are drawn at the top level, or Mermaid duplicates the target. */
  const outerEdges: string[] = [];
  const isInside = (target: AnyNode, composite: AnyNode) => target.id.startsWith(`${composite.id}.`);
  const walk = (node: AnyNode, depth: number) => {
    const pad = '  '.repeat(depth);
    const children = Object.values(node.states) as AnyNode[];
    if (children.length === 0) return;
    const initial = node.initial?.target?.[0] as AnyNode | undefined;
    if (initial) lines.push(`${pad}[*] --> ${nodeName(initial)}`);
    for (const child of children) {
      if (Object.keys(child.states).length > 0) {
        lines.push(`${pad}state ${child.key} as ${nodeName(child)} {`);
        walk(child, depth + 1);
        lines.push(`${pad}}`);
      } else {
        lines.push(`${pad}${nodeName(child)} : ${child.key}`);
      }
    }
    for (const child of children) {
      const transitions: AnyTransition[] = [
        ...[...child.transitions.values()].flat(),
        ...((child.always ?? []) as AnyTransition[]),
      ];
      for (const transition of transitions) {
        for (const target of transition.target ?? []) {
          const guard = guardLabel(transition.guard);
          const label = `${eventLabel(child, transition.eventType)}${guard ? ` [${guard}]` : ''}`;
          const edge = `${nodeName(child)} --> ${nodeName(target)} : ${label}`;
          if (depth === 1 || isInside(target, node)) lines.push(`${pad}${edge}`);
          else outerEdges.push(`  ${edge}`);
        }
      }
    }
  };
  walk(machine.root as AnyNode, 1);
  lines.push(...outerEdges);
  // Transitions declared on the root (LOGIN, LOGOUT, …) apply in every state.
  for (const transition of [...machine.root.transitions.values()].flat() as AnyTransition[]) {
    for (const target of transition.target ?? []) {
      lines.push(`  note right of ${nodeName(target)} : ${transition.eventType} from any state`);
    }
  }
  return lines.join('\n');
}

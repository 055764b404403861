import type { AnyStateMachine, AnyStateNode, InspectionEvent } from 'xstate';

interface TransitionLike {
  source: AnyStateNode;
  eventType: string;
}

/** A stable name for a transition: `<state id> <event> #<index among that state's transitions for the event>`. */
export function transitionKey(transition: TransitionLike): string {
  const { source, eventType } = transition;
  const list = (eventType === '' ? source.always : source.transitions.get(eventType)) ?? [];
  const index = (list as unknown[]).indexOf(transition);
  return `${source.id} ${eventType || 'always'} #${index}`;
}

/** Every transition the machine defines, by key. */
export function allTransitionKeys(machine: AnyStateMachine): string[] {
  const keys: string[] = [];
  const visit = (node: AnyStateNode) => {
    for (const list of node.transitions.values()) for (const t of list) keys.push(transitionKey(t));
    for (const t of node.always ?? []) keys.push(transitionKey(t));
    for (const child of Object.values(node.states)) visit(child as AnyStateNode);
  };
  visit(machine.root);
  return keys;
}

/** Records the transitions an actor takes (pass `inspect` to `createActor`). */
export function createTransitionRecorder() {
  const taken = new Set<string>();
  return {
    taken,
    inspect(event: InspectionEvent) {
      if (event.type === '@xstate.microstep') {
        for (const t of (event as unknown as { _transitions: TransitionLike[] })._transitions) {
          taken.add(transitionKey(t));
        }
      }
    },
  };
}

/** The transitions of `machine` that `taken` lacks. */
export function missingTransitions(machine: AnyStateMachine, taken: ReadonlySet<string>): string[] {
  return allTransitionKeys(machine).filter((key) => !taken.has(key));
}

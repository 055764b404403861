/**
 * The `inspect` option: an xstate inspector (`@statelyai/inspect`, or any function/observer of
 * inspection events) sees every event, state and actor of a session — without its secrets.
 *
 * The machine's context holds credentials and login tokens, and its events carry them (`LOGIN`,
 * the credentials request's output, tab messages). The inspector is therefore never handed
 * xstate's own objects: each inspection event is rebuilt from copies in which
 *   - every value under a secret's key (`secretAccessKey`, `sessionToken`, `token`, `SecretKey`,
 *     `SessionToken`) and every value of a Logins map (`logins`, `Logins`) is `[redacted]`;
 *   - every other string has the session's known secrets replaced by `[redacted]`;
 *   - the session's wiring (`deps`: transport, storage, clock) is `[session internals]`;
 *   - functions are `[function]`, errors `{ name, message }` (redacted);
 *   - actors are views `{ id, sessionId, src, logic, _parent, getSnapshot() }` whose snapshots are
 *     copied the same way (`logic` is the machine's definition, which holds no session data).
 */
import type { InspectionEvent, Observer } from 'xstate';
import { REDACTED as REDACTED_VALUE } from './redact.js';
import { setOwn } from './shape.js';

/** What xstate accepts as `inspect`: a function or an observer of inspection events. */
export type Inspector = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

const SECRET_KEYS = new Set(['secretAccessKey', 'sessionToken', 'token', 'SecretKey', 'SessionToken']);
const LOGINS_KEYS = new Set(['logins', 'Logins']);
const INTERNAL_KEYS = new Set(['deps']);
const MAX_DEPTH = 12;

type Redact = (text: string) => string;

interface ActorLike {
  id?: string;
  sessionId: string;
  src?: unknown;
  logic?: unknown;
  _parent?: ActorLike;
  getSnapshot(): unknown;
}

const isActorLike = (value: object): value is ActorLike =>
  typeof (value as ActorLike).sessionId === 'string' &&
  typeof (value as ActorLike).getSnapshot === 'function';

/** A machine snapshot carries its machine and methods: only its data is copied. */
const isMachineSnapshot = (value: object) => 'machine' in value && 'value' in value && 'context' in value;

function copy(value: unknown, redact: Redact, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value === 'function') return '[function]';
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[truncated]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof Error) return { name: redact(value.name), message: redact(value.message) };
    if (isActorLike(value)) return { id: value.id, sessionId: value.sessionId };
    if (Array.isArray(value)) return value.map((item) => copy(item, redact, depth + 1, seen));
    if (isMachineSnapshot(value)) {
      const { status, value: state, context, children, output, error } = value as Record<string, unknown>;
      const data = { status, value: state, context, children, output, error };
      return copyEntries(data, redact, depth, seen);
    }
    return copyEntries(value, redact, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function copyEntries(value: object, redact: Redact, depth: number, seen: WeakSet<object>) {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    if (SECRET_KEYS.has(key)) out[key] = REDACTED_VALUE;
    else if (INTERNAL_KEYS.has(key)) out[key] = '[session internals]';
    else if (LOGINS_KEYS.has(key) && typeof child === 'object' && child !== null)
      out[key] = Object.fromEntries(Object.keys(child).map((provider) => [redact(provider), REDACTED_VALUE]));
    else setOwn(out, redact(key), copy(child, redact, depth + 1, seen));
  }
  return out;
}

/** A redacted copy of anything an inspection event carries. */
export function redactForInspector(value: unknown, redact: Redact): unknown {
  return copy(value, redact, 0, new WeakSet());
}

/**
 * Wraps `inspector` so that it receives redacted copies (see the module's comment). `redact`
 * replaces the session's known secrets in a string. An inspector that throws never breaks the
 * session: its error goes to `onError` (the session's `error` event), after the transition.
 */
export function redactedInspector(
  inspector: Inspector,
  redact: Redact,
  onError: (error: unknown) => void,
): (event: InspectionEvent) => void {
  const views = new WeakMap<object, ActorLike>();
  const view = (actor: ActorLike | undefined): ActorLike | undefined => {
    if (!actor) return undefined;
    let known = views.get(actor);
    if (!known) {
      known = {
        id: actor.id,
        sessionId: actor.sessionId,
        src: typeof actor.src === 'string' ? actor.src : undefined,
        logic: actor.logic,
        _parent: view(actor._parent),
        getSnapshot: () => redactForInspector(actor.getSnapshot(), redact),
      };
      views.set(actor, known);
    }
    return known;
  };
  const deliver = (event: InspectionEvent) =>
    typeof inspector === 'function' ? inspector(event) : inspector.next?.(event);
  return (event) => {
    const source = event as unknown as Record<string, unknown>;
    const safe: Record<string, unknown> = {
      type: event.type,
      rootId: event.rootId,
      actorRef: view(event.actorRef as unknown as ActorLike),
    };
    if ('sourceRef' in source) safe.sourceRef = view(source.sourceRef as ActorLike | undefined);
    if ('event' in source) safe.event = redactForInspector(source.event, redact);
    if ('snapshot' in source) safe.snapshot = redactForInspector(source.snapshot, redact);
    if ('action' in source) safe.action = redactForInspector(source.action, redact);
    // The machine's own transition definitions: static, no session data.
    if ('_transitions' in source) safe._transitions = source._transitions;
    try {
      deliver(safe as unknown as InspectionEvent);
    } catch (error) {
      queueMicrotask(() => onError(error));
    }
  };
}

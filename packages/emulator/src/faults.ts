import type { Fault, FaultInjector } from './types.js';

/** A fault that answers the request itself (everything but latency). */
export type AnsweringFault = Exclude<Fault, { kind: 'latency' }>;

/** The faults that apply to one request. */
export interface FaultsForRequest {
  /** Real milliseconds to wait before answering. */
  latencyMs: number;
  /** The fault that answers instead of the service, if any. */
  answer?: AnsweringFault;
}

const faultKinds: ReadonlySet<string> = new Set(['throttle', 'internal', 'status', 'latency', 'drop']);

/** Checks a fault (it may come from the admin HTTP API) and throws a `TypeError` naming the problem. */
export function assertValidFault(fault: unknown): asserts fault is Fault {
  if (typeof fault !== 'object' || fault === null) throw new TypeError('A fault must be an object');
  const candidate = fault as Record<string, unknown>;
  if (typeof candidate.kind !== 'string' || !faultKinds.has(candidate.kind)) {
    throw new TypeError(
      `Unknown fault kind ${JSON.stringify(candidate.kind)}; use ${[...faultKinds].join(', ')}`,
    );
  }
  if (candidate.operation !== undefined && typeof candidate.operation !== 'string') {
    throw new TypeError('fault.operation must be a string');
  }
  if (
    candidate.count !== undefined &&
    !(Number.isInteger(candidate.count) && (candidate.count as number) > 0)
  ) {
    throw new TypeError('fault.count must be a positive integer');
  }
  if (candidate.kind === 'latency' && !(typeof candidate.ms === 'number' && candidate.ms >= 0)) {
    throw new TypeError('A latency fault needs ms >= 0');
  }
  if (
    candidate.kind === 'status' &&
    !(
      Number.isInteger(candidate.status) &&
      (candidate.status as number) >= 100 &&
      (candidate.status as number) <= 599
    )
  ) {
    throw new TypeError('A status fault needs an HTTP status between 100 and 599');
  }
  if (candidate.kind === 'throttle' && candidate.retryAfterSeconds !== undefined) {
    if (!(typeof candidate.retryAfterSeconds === 'number' && candidate.retryAfterSeconds >= 0)) {
      throw new TypeError('fault.retryAfterSeconds must be a number >= 0');
    }
  }
}

/**
 * Faults queued for the next matching requests. Each request consumes at most one latency fault
 * and one answering fault (the first queued of each that matches its operation).
 */
export class FaultQueue implements FaultInjector {
  #queue: Fault[] = [];

  inject(fault: Fault): void {
    assertValidFault(fault);
    this.#queue.push({ ...fault, count: fault.count ?? 1 });
  }

  clear(): void {
    this.#queue = [];
  }

  pending(): Fault[] {
    return this.#queue.map((fault) => ({ ...fault }));
  }

  /** Consumes the faults that apply to a request of `operation`. */
  take(operation: string): FaultsForRequest {
    const latency = this.#consume(operation, (fault) => fault.kind === 'latency');
    const answer = this.#consume(operation, (fault) => fault.kind !== 'latency');
    const result: FaultsForRequest = { latencyMs: latency?.kind === 'latency' ? latency.ms : 0 };
    if (answer && answer.kind !== 'latency') result.answer = answer;
    return result;
  }

  #consume(operation: string, accepts: (fault: Fault) => boolean): Fault | undefined {
    const index = this.#queue.findIndex(
      (fault) => accepts(fault) && (fault.operation === undefined || fault.operation === operation),
    );
    const fault = this.#queue[index];
    if (!fault) return undefined;
    const remaining = (fault.count ?? 1) - 1;
    if (remaining > 0) this.#queue[index] = { ...fault, count: remaining };
    else this.#queue.splice(index, 1);
    return fault;
  }
}

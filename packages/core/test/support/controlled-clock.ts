/**
 * A clock for tests whose time moves only when told. `advance(ms)` moves time and fires the
 * timers that fall due, in order (like xstate's SimulatedClock); `jump(ms)` moves time without
 * firing anything (a device waking from sleep); `fireNext()` jumps to the next timer and fires it.
 */
export class ControlledClock {
  private timers = new Map<number, { due: number; fn: () => void }>();
  private nextId = 1;
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { due: this.current + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }
  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }
  /** The due time of the next timer, if any. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const { due } of this.timers.values()) if (next === undefined || due < next) next = due;
    return next;
  }
  jump(ms: number): void {
    this.current += ms;
  }
  fireNext(): boolean {
    const entry = [...this.timers.entries()].sort((a, b) => a[1].due - b[1].due)[0];
    if (!entry) return false;
    const [id, { due, fn }] = entry;
    this.timers.delete(id);
    this.current = Math.max(this.current, due);
    fn();
    return true;
  }
  /** Fires the next timer without moving time (a model's timer event). */
  fireNextNow(): boolean {
    const entry = [...this.timers.entries()].sort((a, b) => a[1].due - b[1].due)[0];
    if (!entry) return false;
    this.timers.delete(entry[0]);
    entry[1].fn();
    return true;
  }
  advance(ms: number): void {
    const end = this.current + ms;
    for (let due = this.nextDue(); due !== undefined && due <= end; due = this.nextDue()) this.fireNext();
    this.current = end;
  }
}

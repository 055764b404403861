/** Real-time waits (for latency faults) that can all be cut short when the server closes. */
export class Delays {
  readonly #pending = new Map<NodeJS.Timeout, () => void>();

  /** Resolves after `ms` real milliseconds, or at {@link Delays.releaseAll}. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve();
      }, ms);
      this.#pending.set(timer, resolve);
    });
  }

  /** Ends every wait now. */
  releaseAll(): void {
    for (const [timer, resolve] of this.#pending) {
      clearTimeout(timer);
      resolve();
    }
    this.#pending.clear();
  }
}

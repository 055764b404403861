/**
 * Orders asynchronous work per key: a task on a key starts only once every earlier task on that
 * key has settled. Storage adapters may be slow, or reorder calls (a pool of connections, a
 * retrying client), so an old write sent beside a later remove could land after it; sent one
 * after the other, it cannot.
 */
export class KeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /**
   * Runs `task` after the earlier tasks on `key` — at once (synchronously, so a synchronous
   * adapter is called in the same tick) when there are none. `task` must not reject.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    // Should a task reject all the same, the key is not wedged: the next task still runs.
    const result = previous ? previous.then(task, task) : task();
    this.tails.set(key, result);
    const forget = () => {
      if (this.tails.get(key) === result) this.tails.delete(key);
    };
    void result.then(forget, forget);
    return result;
  }

  /** Settles once every task queued on `key` so far has settled. */
  idle(key: string): Promise<void> {
    const done = () => undefined;
    return (this.tails.get(key) ?? Promise.resolve()).then(done, done);
  }
}

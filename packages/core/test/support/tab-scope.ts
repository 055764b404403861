/**
 * A browser origin's cross-tab parts for Node tests: a Web Locks manager (exclusive and shared
 * modes, FIFO, abort signals, `query()`, names starting with `-` refused, as the Web Locks spec
 * describes them; or, `opaque`, one that refuses every request as an opaque origin's does) and a
 * `BroadcastChannel` whose messages arrive `delayMs` late. Each tab gets its own `scope`; the
 * lock manager and the channels are shared. Browsers are tested for real in
 * packages/runtime-tests/test/tabs.test.ts; this makes the orderings that are rare there
 * (a tab granted the lock before the previous holder's message or storage write reaches it)
 * happen every time.
 */

type Mode = 'exclusive' | 'shared';
interface Request {
  name: string;
  mode: Mode;
  grant(): void;
}

export function webLocks({ opaque = false } = {}) {
  const held: { name: string; mode: Mode }[] = [];
  const queue: Request[] = [];

  function grantable(request: Request): boolean {
    const holders = held.filter((lock) => lock.name === request.name);
    const ahead = queue.slice(0, queue.indexOf(request)).filter((other) => other.name === request.name);
    if (request.mode === 'exclusive') return holders.length === 0 && ahead.length === 0;
    return holders.every((lock) => lock.mode === 'shared') && ahead.every((other) => other.mode === 'shared');
  }
  function pump() {
    for (const request of [...queue]) {
      if (!queue.includes(request) || !grantable(request)) continue;
      queue.splice(queue.indexOf(request), 1);
      request.grant();
    }
  }

  return {
    request(
      name: string,
      options: { mode?: Mode; signal?: AbortSignal },
      callback: () => Promise<unknown>,
    ): Promise<unknown> {
      const mode = options.mode ?? 'exclusive';
      return new Promise((resolve, reject) => {
        const { signal } = options;
        if (opaque) return reject(new DOMException('The request was denied.', 'SecurityError'));
        if (name.startsWith('-'))
          return reject(new DOMException(`Names starting with "-" are reserved.`, 'NotSupportedError'));
        if (signal?.aborted) return reject(signal.reason);
        const request: Request = {
          name,
          mode,
          grant() {
            signal?.removeEventListener('abort', onAbort);
            const lock = { name, mode };
            held.push(lock);
            // The callback runs in a later task, as a browser delivers the grant.
            setTimeout(() => {
              Promise.resolve()
                .then(callback)
                .then(resolve, reject)
                .finally(() => {
                  held.splice(held.indexOf(lock), 1);
                  pump();
                });
            }, 0);
          },
        };
        const onAbort = () => {
          const at = queue.indexOf(request);
          if (at < 0) return;
          queue.splice(at, 1);
          reject(signal?.reason);
          pump();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(request);
        pump();
      });
    },
    async query() {
      if (opaque) throw new DOMException('The request was denied.', 'SecurityError');
      return {
        held: held.map((lock) => ({ ...lock, clientId: 'test' })),
        pending: queue.map(({ name, mode }) => ({ name, mode, clientId: 'test' })),
      };
    },
    /** Names of the held locks (for assertions). */
    heldNames: () => held.map((lock) => lock.name),
  };
}

/** One origin: a lock manager and late channels shared by the tabs it makes. */
/**
 * `jitterMs`: extra delays, message after message (cycled), so that messages of different
 * senders overtake each other; those from one sender to one receiver keep their order, as a
 * browser keeps them.
 */
export function origin({ delayMs = 0, opaque = false, jitterMs = [] as number[] } = {}) {
  const locks = webLocks({ opaque });
  const channels = new Set<LateChannel>();
  let sent = 0;
  let serial = 0;
  /** When the last message from one channel to another arrives: a later one never comes before. */
  const lastArrival = new Map<string, number>();
  class LateChannel {
    onmessage: ((event: { data: unknown }) => void) | null = null;
    private closed = false;
    readonly id = ++serial;
    constructor(readonly name: string) {
      channels.add(this);
    }
    postMessage(data: unknown) {
      if (this.closed) throw new Error('InvalidStateError: the channel is closed');
      const copy = structuredClone(data);
      for (const channel of channels) {
        if (channel === this || channel.name !== this.name) continue;
        const extra = jitterMs.length ? (jitterMs[sent++ % jitterMs.length] ?? 0) : 0;
        const pair = `${this.id}>${channel.id}`;
        const at = Math.max(Date.now() + delayMs + extra, lastArrival.get(pair) ?? 0);
        lastArrival.set(pair, at);
        setTimeout(() => {
          if (!channel.closed) channel.onmessage?.({ data: copy });
        }, at - Date.now());
      }
    }
    close() {
      this.closed = true;
      channels.delete(this);
    }
  }
  return {
    locks,
    /**
     * What a tab's `globalThis` offers (pass as the coordinator's scope); `importScripts` makes
     * it a browser worker, where coordination is on.
     */
    scope: () => ({ navigator: { locks }, BroadcastChannel: LateChannel, importScripts: () => {} }),
  };
}

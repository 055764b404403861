/**
 * The few web-platform globals that every runtime this library supports has (Node ≥ 18,
 * browsers, Deno, Bun, workerd, React Native). The core is compiled against these alone — not
 * the DOM or Node libraries — so any other global it touches is a compile error.
 */
export {};

declare global {
  type EventListenerLike = (event: unknown) => void;
  interface AbortSignal {
    readonly aborted: boolean;
    readonly reason: unknown;
    addEventListener(type: 'abort', listener: EventListenerLike, options?: { once?: boolean }): void;
    removeEventListener(type: 'abort', listener: EventListenerLike): void;
    throwIfAborted(): void;
  }
  var AbortSignal: {
    prototype: AbortSignal;
    abort(reason?: unknown): AbortSignal;
  };
  interface AbortController {
    readonly signal: AbortSignal;
    abort(reason?: unknown): void;
  }
  var AbortController: { prototype: AbortController; new (): AbortController };
  var URL: { canParse(url: string, base?: string): boolean };
  function setTimeout(callback: () => void, ms?: number): unknown;
  function clearTimeout(id: unknown): void;
  function queueMicrotask(callback: () => void): void;
  // The part of WHATWG fetch that `fetchTransport` uses. Declared possibly absent: guard before use.
  interface Headers {
    get(name: string): string | null;
  }
  interface Response {
    readonly status: number;
    readonly headers: Headers;
    text(): Promise<string>;
  }
  interface RequestInit {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
  }
  var fetch: ((input: string, init?: RequestInit) => Promise<Response>) | undefined;
}

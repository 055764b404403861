/**
 * The stand-in for React Native's native Networking module on the Hermes CLI, which has no
 * network: an `XMLHttpRequest` (the API React Native's `fetch` — whatwg-fetch — is built on) that
 * answers each request with a response recorded from the emulator. A request is matched by URL,
 * `X-Amz-Target` and body to the first unused recorded exchange; one that matches none gets a 599
 * and is listed in `unmatched`, so a core that sends anything the Node run did not fails the test.
 */

export interface RecordedExchange {
  url: string;
  target: string;
  body: string;
  status: number;
  headers: Record<string, string>;
  response: string;
}

export interface ReplayLog {
  /** The operations of the requests that matched a recorded exchange, in the order sent. */
  matched: string[];
  /** Requests that matched none. */
  unmatched: string[];
}

type Listener = () => void;

export function replayXMLHttpRequest(recorded: RecordedExchange[], log: ReplayLog) {
  const unused = recorded.slice();
  return class ReplayXMLHttpRequest {
    static readonly DONE = 4;
    readyState = 0;
    status = 0;
    statusText = '';
    responseText = '';
    responseURL = '';
    responseType = '';
    withCredentials = false;
    timeout = 0;
    onload: Listener | null = null;
    onerror: Listener | null = null;
    ontimeout: Listener | null = null;
    onabort: Listener | null = null;
    onreadystatechange: Listener | null = null;
    url = '';
    requestHeaders: Record<string, string> = {};
    responseHeaders: Record<string, string> = {};
    aborted = false;

    get response() {
      return this.responseText;
    }
    open(_method: string, url: string) {
      this.url = url;
      this.readyState = 1;
    }
    setRequestHeader(name: string, value: string) {
      this.requestHeaders[name.toLowerCase()] = value;
    }
    getAllResponseHeaders() {
      return Object.entries(this.responseHeaders)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\r\n');
    }
    getResponseHeader(name: string) {
      return this.responseHeaders[name.toLowerCase()] ?? null;
    }
    abort() {
      this.aborted = true;
      setTimeout(() => this.onabort?.(), 0);
    }
    addEventListener(type: string, listener: Listener) {
      // whatwg-fetch uses the on* properties; accept the DOM form as well.
      (this as unknown as Record<string, Listener>)[`on${type}`] = listener;
    }
    removeEventListener() {}
    send(body: string) {
      const target = this.requestHeaders['x-amz-target'] ?? '';
      const index = unused.findIndex(
        (exchange) => exchange.url === this.url && exchange.target === target && exchange.body === body,
      );
      const exchange = index >= 0 ? unused.splice(index, 1)[0] : undefined;
      // Matched: the operation only (bodies carry login tokens); unmatched: all, to debug.
      if (exchange) log.matched.push(target);
      else log.unmatched.push(`${this.url} ${target} ${body}`);
      // Answer on a later turn, as a native module's event would arrive.
      setTimeout(() => {
        if (this.aborted) return;
        this.status = exchange?.status ?? 599;
        this.statusText = exchange ? 'OK' : 'no recorded exchange';
        this.responseHeaders = exchange?.headers ?? {};
        this.responseText = exchange?.response ?? '';
        this.responseURL = this.url;
        this.readyState = 4;
        this.onreadystatechange?.();
        this.onload?.();
      }, 1);
    }
  };
}

/**
 * QuickJS (quickjs-emscripten, WASM) embedded in this process, which plays the host application:
 * it owns the event loop (the guest's timers are Node timers; after every callback and every
 * settled promise it runs the guest's pending jobs) and the network (the guest's `fetchTransport`
 * posts through `__host.request`, which Node's `fetch` answers).
 */
import type { EmbeddedConfig, EmbeddedReport } from '../../src/entries/embedded.js';
import { engineVersion, type HostRecord, loadQuickJS, RUN_TIMEOUT_MS } from './embedded.js';

type QuickJS = Awaited<ReturnType<typeof loadQuickJS>>;
type Context = ReturnType<QuickJS['newContext']>;
type Handle = ReturnType<Context['newNumber']>;

/** Node's fetch as the host's HTTP: a POST, the answer as `{ status, headers, body }` JSON. */
async function hostRequest(url: string, headersJson: string, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: JSON.parse(headersJson), body });
  return JSON.stringify({
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  });
}

/** One guest: its context, the first error it threw outside the host's view, and the job pump. */
interface Guest {
  vm: Context;
  /** Runs the guest's pending jobs (promise reactions) until none is left: an event-loop turn. */
  pump(): void;
  error?: string;
}

function describeGuestError(guest: Guest, error: Handle): void {
  guest.error ??= JSON.stringify(guest.vm.dump(error));
}

/** `setTimeout`/`clearTimeout` on Node's timers; `dropAll()` when the guest goes away. */
function installTimers(guest: Guest): { dropAll(): void } {
  const { vm } = guest;
  const timers = new Map<number, { timer: NodeJS.Timeout; callback: Handle }>();
  let nextId = 1;
  const drop = (id: number) => {
    const entry = timers.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.callback.dispose();
    timers.delete(id);
  };
  const fire = (id: number) => {
    const entry = timers.get(id);
    if (!entry || !vm.alive) return;
    timers.delete(id);
    const result = vm.callFunction(entry.callback, vm.undefined);
    entry.callback.dispose();
    if (result.error) describeGuestError(guest, result.error);
    result.dispose();
    guest.pump();
  };
  vm.newFunction('setTimeout', (callback, ms) => {
    const id = nextId++;
    timers.set(id, { callback: callback.dup(), timer: setTimeout(() => fire(id), vm.getNumber(ms) || 0) });
    return vm.newNumber(id);
  }).consume((fn) => vm.setProp(vm.global, 'setTimeout', fn));
  vm.newFunction('clearTimeout', (id) => {
    if (vm.typeof(id) === 'number') drop(vm.getNumber(id));
  }).consume((fn) => vm.setProp(vm.global, 'clearTimeout', fn));
  return { dropAll: () => [...timers.keys()].forEach(drop) };
}

/** A `console` whose every level writes to the host's log. */
function installConsole(guest: Guest, log: string[]): void {
  const { vm } = guest;
  const console = vm.newObject();
  vm.newFunction('log', (...args) => {
    log.push(args.map((arg) => String(vm.dump(arg))).join(' '));
  }).consume((fn) => {
    for (const level of ['log', 'info', 'warn', 'error']) vm.setProp(console, level, fn);
  });
  console.consume((handle) => vm.setProp(vm.global, 'console', handle));
}

/** `__host`: the engine's name, the config, HTTP `request` (counted), and `report`. */
function installHost(guest: Guest, config: EmbeddedConfig, onReport: (json: string) => void) {
  const { vm } = guest;
  const counter = { requests: 0 };
  const host = vm.newObject();
  vm.newString(engineVersion('quickjs')).consume((value) => vm.setProp(host, 'engine', value));
  vm.newString(JSON.stringify(config)).consume((value) => vm.setProp(host, 'config', value));
  vm.newFunction('request', (url, headers, body) => {
    counter.requests++;
    const deferred = vm.newPromise();
    const settle = (value: string, ok: boolean) => {
      if (!vm.alive) return;
      const handle = ok ? vm.newString(value) : vm.newError(value);
      handle.consume((h) => (ok ? deferred.resolve(h) : deferred.reject(h)));
      guest.pump();
    };
    hostRequest(vm.getString(url), vm.getString(headers), vm.getString(body)).then(
      (answer) => settle(answer, true),
      (error: Error) => settle(error.message, false),
    );
    return deferred.handle;
  }).consume((fn) => vm.setProp(host, 'request', fn));
  vm.newFunction('report', (json) => {
    onReport(vm.getString(json));
  }).consume((fn) => vm.setProp(host, 'report', fn));
  host.consume((handle) => vm.setProp(vm.global, '__host', handle));
  return counter;
}

/** Runs the bundle in a fresh QuickJS runtime; this process is the host. */
export async function runQuickJS<R = EmbeddedReport>(
  script: string,
  config: EmbeddedConfig,
): Promise<R & HostRecord> {
  const runtime = (await loadQuickJS()).newRuntime();
  runtime.setMemoryLimit(64 * 1024 * 1024);
  const guest: Guest = {
    vm: runtime.newContext(),
    pump() {
      if (!this.vm.alive) return;
      const result = runtime.executePendingJobs();
      if (result.error) result.error.consume((error) => describeGuestError(this, error));
    },
  };
  const hostLog: string[] = [];
  let deadline: NodeJS.Timeout | undefined;
  let onReport!: (json: string) => void;
  const reported = new Promise<string>((resolve, reject) => {
    onReport = resolve;
    deadline = setTimeout(
      () => reject(new Error(`no report from QuickJS in ${RUN_TIMEOUT_MS} ms; guest error: ${guest.error}`)),
      RUN_TIMEOUT_MS,
    );
  });
  const timers = installTimers(guest);
  installConsole(guest, hostLog);
  const counter = installHost(guest, config, (json) => onReport(json));
  try {
    const evaluated = guest.vm.evalCode(script, 'embedded.js');
    if (evaluated.error) {
      describeGuestError(guest, evaluated.error);
      evaluated.error.dispose();
      throw new Error(`QuickJS could not evaluate the bundle: ${guest.error}`);
    }
    evaluated.value.dispose();
    guest.pump();
    const result = JSON.parse(await reported) as { error?: string };
    if (guest.error && !result.error) result.error = `guest error: ${guest.error}`;
    return { ...(result as R), hostCalls: counter.requests, hostLog };
  } finally {
    clearTimeout(deadline);
    timers.dropAll();
    guest.vm.dispose();
    runtime.dispose();
  }
}

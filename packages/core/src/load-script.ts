/**
 * Loads a vendor's script (the Facebook SDK, Google Identity Services) once per page, for the
 * login providers. A load has a deadline and fails by name (`LoginProviderUnavailableError`,
 * saying what to check); a failed load is forgotten, so the next sign-in loads the script again,
 * while a successful one is shared by every caller.
 *
 * The core runs in every runtime: the DOM is reached through `globalThis` and typed here by the
 * few members used, so outside a browser this rejects instead of touching a missing global.
 */
import { race } from './abortable.js';
import { systemClock } from './clock.js';
import { LoginProviderUnavailableError, type LoginProviderUnavailableReason } from './errors.js';

interface ScriptElementLike {
  src: string;
  async: boolean;
  setAttribute(name: string, value: string): void;
  addEventListener(type: 'load' | 'error', listener: () => void): void;
  remove(): void;
}
interface ViolationLike {
  blockedURI?: string;
  effectiveDirective?: string;
}
interface DocumentLike {
  createElement(tag: 'script'): ScriptElementLike;
  head?: { appendChild(node: ScriptElementLike): unknown } | null;
  documentElement: { appendChild(node: ScriptElementLike): unknown };
  addEventListener(type: 'securitypolicyviolation', listener: (event: ViolationLike) => void): void;
  removeEventListener(type: 'securitypolicyviolation', listener: (event: ViolationLike) => void): void;
}

export interface LoadScriptOptions<T> {
  /** The script's URL. */
  url: string;
  /** The provider loading it (`facebook`), named by the error. */
  providerId: string;
  /** The vendor's script in words, for messages: `the Facebook SDK`. */
  vendor: string;
  /** What the script must define, for messages: `window.FB`. */
  defines: string;
  /** The vendor's API once the script defined it, else `undefined`. */
  read: () => T | undefined;
  /** How long the load may take before it fails with reason `timeout`. */
  timeoutMs: number;
  /** Attributes of the script element (`id`, `crossorigin`). */
  attributes?: Readonly<Record<string, string>>;
}

/** Loads in progress or done, per URL: one per page. Failed loads are removed. */
const loads = new Map<string, Promise<unknown>>();

/**
 * The vendor's API: at once if the page has it, else from the one load of `url` in progress or
 * done, else from a new load. Rejects with `LoginProviderUnavailableError`.
 */
export function loadScript<T>(options: LoadScriptOptions<T>): Promise<T> {
  const existing = options.read();
  if (existing !== undefined) return Promise.resolve(existing);
  let load = loads.get(options.url) as Promise<T> | undefined;
  if (!load) {
    load = startLoad(options);
    loads.set(options.url, load);
    load.catch(() => {
      if (loads.get(options.url) === load) loads.delete(options.url);
    });
  }
  return load;
}

function startLoad<T>(options: LoadScriptOptions<T>): Promise<T> {
  const { url, providerId, vendor, defines, read, timeoutMs } = options;
  const doc = (globalThis as { document?: DocumentLike }).document;
  const fail = (reason: LoginProviderUnavailableReason, message: string) =>
    new LoginProviderUnavailableError(providerId, url, reason, message);
  if (!doc) {
    return Promise.reject(fail('load-failed', `${vendor} can only be loaded in a browser page (${url})`));
  }
  const script = doc.createElement('script');
  let violation: ViolationLike | undefined;
  const onViolation = (event: ViolationLike) => {
    if (blocks(event, url)) violation = event;
  };
  const loaded = new Promise<T>((resolve, reject) => {
    script.addEventListener('load', () => {
      const api = read();
      if (api !== undefined) resolve(api);
      else reject(fail('not-defined', notDefinedMessage(vendor, url, defines)));
    });
    script.addEventListener('error', () => {
      // The violation event is queued as its own task, next to this one: look after it.
      setTimeout(() => {
        reject(
          violation
            ? fail('blocked-by-csp', cspMessage(vendor, url, violation))
            : fail('load-failed', loadFailedMessage(vendor, url)),
        );
      }, 0);
    });
  });
  doc.addEventListener('securitypolicyviolation', onViolation);
  for (const [name, value] of Object.entries(options.attributes ?? {})) script.setAttribute(name, value);
  script.async = true;
  script.src = url;
  (doc.head ?? doc.documentElement).appendChild(script);
  // A load that ends after its deadline changes nothing here.
  const inTime = race(loaded, {
    timeoutMs,
    timers: systemClock,
    onTimeout: () => {
      throw fail('timeout', timeoutMessage(vendor, url, timeoutMs));
    },
  });
  return inTime.then(
    (api) => {
      doc.removeEventListener('securitypolicyviolation', onViolation);
      return api;
    },
    (error: unknown) => {
      doc.removeEventListener('securitypolicyviolation', onViolation);
      script.remove(); // the next attempt appends a fresh element
      throw error;
    },
  );
}

/** Whether a CSP violation is about loading this script. */
function blocks(event: ViolationLike, url: string): boolean {
  if (!event.effectiveDirective?.startsWith('script-src')) return false;
  const blocked = event.blockedURI ?? '';
  // Browsers may report only the origin of a cross-origin URL.
  return blocked === url || (blocked.length > 0 && url.startsWith(blocked));
}

const loadFailedMessage = (vendor: string, url: string) =>
  `${vendor} could not be loaded from ${url}: check that this URL answers 200 with a JavaScript ` +
  `content type, that the page's Content-Security-Policy allows it in script-src, and that no ad ` +
  `or tracker blocker stops it`;

const cspMessage = (vendor: string, url: string, violation: ViolationLike) =>
  `The page's Content-Security-Policy (${violation.effectiveDirective}) blocked ${vendor} at ${url}: ` +
  `add its origin to script-src`;

const notDefinedMessage = (vendor: string, url: string, defines: string) =>
  `${url} loaded but did not define ${defines}: something other than ${vendor} answered ` +
  `(a captive portal, a proxy, or an ad blocker's empty script); check the URL and blockers`;

const timeoutMessage = (vendor: string, url: string, timeoutMs: number) =>
  `${vendor} did not load from ${url} within ${timeoutMs} ms (a slow or stalled network); ` +
  `the next sign-in tries again`;

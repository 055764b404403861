/**
 * Redaction: nothing this library emits or rejects with carries a secret (a login token, a
 * secret key, a session token), whatever a transport, login provider or storage adapter threw.
 *
 * Foreign code may throw anything: an error whose `cause`, own property or `errors` array holds
 * the secret, a string, a plain object, an object whose getters throw, a cycle, a frozen error,
 * a Proxy whose every trap throws. So a thrown value is never passed on as it is, nor changed in
 * place: it is copied, and the copy holds only redacted strings, numbers and booleans, in
 * objects, arrays and errors whose prototypes are the library's own or the built-in ones — no
 * foreign getter, `toString` or Proxy trap survives into it. The walk is bounded in depth and
 * size, and nothing it meets can make it throw.
 */
import * as libraryErrors from './errors.js';
import { AbortError, ExternalError, type ExternalSource, IdentityPoolError } from './errors.js';

export const REDACTED = '[redacted]';

/** Shorter strings are not redacted: they would match ordinary words. */
const MIN_SECRET_LENGTH = 4;
/** Objects nested deeper are `[truncated]`. */
const MAX_DEPTH = 6;
/** Objects copied per walk, properties per object, characters per string. */
const MAX_OBJECTS = 200;
const MAX_KEYS = 50;
const MAX_STRING = 8_192;
const MAX_DESCRIPTION = 500;
const TRUNCATED = '[truncated]';
const UNREADABLE = '[unreadable]';

/**
 * Secret fields quoted as JSON (a stored record, a request body), named as this library stores
 * them and as the service sends them: redacted even when the secret itself is not known (a new
 * session reading a record an earlier one wrote).
 */
const SECRET_FIELD =
  /(\\*["'](?:secretAccessKey|sessionToken|SecretKey|SessionToken)\\*["']\s*:\s*\\*["'])[^"'\\]+/g;
/** The same in STS's XML answer. */
const SECRET_ELEMENT = /(<(?:SecretAccessKey|SessionToken)>)[^<]+/g;

/** Reads something foreign; its throwing is the `fallback`. */
function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * A function replacing every occurrence of the secrets in a text, as they are and URL-encoded
 * (as a query or form body carries them), longest first (so a secret that contains another is not
 * half left), and the secret fields of quoted JSON or XML.
 */
export function redactor(secrets: Iterable<unknown>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(attempt(() => encodeURIComponent(secret), secret));
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) =>
    ordered
      .reduce((out, form) => (out.includes(form) ? out.split(form).join(REDACTED) : out), text)
      .replace(SECRET_FIELD, `$1${REDACTED}`)
      .replace(SECRET_ELEMENT, `$1${REDACTED}`);
}

type Redact = (text: string) => string;

interface Walk {
  redact: Redact;
  /** Copies made so far (a shared object is copied once); `null` while it is being copied (a cycle). */
  copies: Map<object, object | null>;
}

const clip = (text: string) => (text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text);

/** Redact first, then shorten: shortening first could cut a secret and leave its head. */
const redactString = (text: string, walk: Walk) => clip(walk.redact(text));

/** The built-in error prototypes: their `toString` and accessors read only the copied own properties. */
const BUILT_IN_ERROR_PROTOTYPES: ReadonlySet<object> = new Set(
  [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, globalThis.AggregateError]
    .filter((type) => typeof type === 'function')
    .map((type) => type.prototype),
);

/** The prototypes of the error classes `errors.ts` exports. */
const LIBRARY_ERROR_PROTOTYPES: ReadonlySet<unknown> = new Set(
  Object.values(libraryErrors).map((type) => (type as { prototype?: unknown }).prototype),
);

/**
 * A prototype of this library's errors: a class of `errors.ts`, or an `IdentityPoolError` class
 * that adds no method or getter (a foreign subclass's `toString` or getter could return a secret).
 */
function isLibraryErrorPrototype(proto: object): boolean {
  if (LIBRARY_ERROR_PROTOTYPES.has(proto)) return true;
  if (!(proto instanceof IdentityPoolError)) return false;
  return Reflect.ownKeys(proto).every((key) => key === 'constructor');
}

/**
 * The library's error class named `name`: an error of another copy of this library (a bundle
 * holding two) is one of its errors too, and keeps its class here.
 */
function libraryErrorNamed(name: unknown): object | undefined {
  const type =
    typeof name === 'string' && Object.hasOwn(libraryErrors, name)
      ? // biome-ignore lint/performance/noDynamicNamespaceImportAccess: looked up by name, so every class is kept (all are small)
        libraryErrors[name as keyof typeof libraryErrors]
      : undefined;
  return typeof type === 'function' && type.prototype instanceof IdentityPoolError
    ? type.prototype
    : undefined;
}

/**
 * The prototype a copy of an error gets: the nearest of its own that is this library's or a
 * built-in error's (a foreign subclass's methods and getters are left behind), else `Error`'s.
 * A built-in's is replaced by the library's class of the same name, if there is one.
 */
function safeErrorPrototype(value: object, name: unknown): object {
  let proto = attempt(() => Object.getPrototypeOf(value) as object | null, null);
  let builtIn: object = Error.prototype;
  for (let depth = 0; proto && depth < 20; depth++) {
    const candidate = proto;
    if (attempt(() => isLibraryErrorPrototype(candidate), false)) return candidate;
    if (BUILT_IN_ERROR_PROTOTYPES.has(candidate)) {
      builtIn = candidate;
      break;
    }
    proto = attempt(() => Object.getPrototypeOf(candidate) as object | null, null);
  }
  return libraryErrorNamed(name) ?? builtIn;
}

const isErrorLike = (value: object) =>
  attempt(() => value instanceof Error, false) ||
  attempt(() => Object.prototype.toString.call(value) === '[object Error]', false);

/** One own property of a foreign object, its getter called (a throw is `[unreadable]`). */
function readOwn(value: object, key: string): { found: boolean; enumerable: boolean; value: unknown } {
  const descriptor = attempt(() => Reflect.getOwnPropertyDescriptor(value, key), undefined);
  if (!descriptor) return { found: false, enumerable: false, value: undefined };
  const read =
    'value' in descriptor ? descriptor.value : attempt(() => descriptor.get?.call(value), UNREADABLE);
  return { found: true, enumerable: descriptor.enumerable === true, value: read };
}

/** Copies own string-keyed properties (only the enumerable ones unless `hidden`), redacted. */
function copyProperties(from: object, to: object, walk: Walk, depth: number, hidden: boolean) {
  const keys = attempt(() => Reflect.ownKeys(from), [] as (string | symbol)[]);
  let copied = 0;
  for (const key of keys) {
    if (copied >= MAX_KEYS) break;
    if (typeof key !== 'string') continue;
    const own = readOwn(from, key);
    if (!own.found || (!own.enumerable && !hidden)) continue;
    copied++;
    // Keys too: a Logins map is keyed by provider, but a plug-in may key anything by a token.
    Object.defineProperty(to, walk.redact(key), {
      value: copyValue(own.value, walk, depth + 1),
      enumerable: own.enumerable,
      writable: true,
      configurable: true,
    });
  }
}

/** Inherited `name`/`message`/`stack` (a `DOMException`'s are getters on its prototype) become own. */
function copyInheritedErrorFields(from: object, to: object, walk: Walk) {
  for (const key of ['name', 'message', 'stack']) {
    if (Object.hasOwn(to, key)) continue;
    const value = attempt(() => (from as Record<string, unknown>)[key], undefined);
    if (typeof value !== 'string') continue;
    Object.defineProperty(to, key, {
      value: redactString(value, walk),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
}

function copyObject(value: object, walk: Walk, depth: number): unknown {
  const known = walk.copies.get(value);
  if (known !== undefined) return known ?? '[circular]';
  if (depth > MAX_DEPTH || walk.copies.size >= MAX_OBJECTS) return TRUNCATED;
  walk.copies.set(value, null);
  const error = isErrorLike(value);
  const copy: object = error
    ? Object.create(
        safeErrorPrototype(
          value,
          attempt(() => (value as { name?: unknown }).name, undefined),
        ),
      )
    : attempt(() => Array.isArray(value), false)
      ? []
      : {};
  copyProperties(value, copy, walk, depth, error);
  if (error) copyInheritedErrorFields(value, copy, walk);
  walk.copies.set(value, copy);
  return copy;
}

function copyValue(value: unknown, walk: Walk, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return redactString(value, walk);
    case 'symbol':
      return redactString(
        attempt(() => value.toString(), 'Symbol()'),
        walk,
      );
    case 'function':
      return '[function]';
    case 'object':
      return value === null ? null : copyObject(value, walk, depth);
    default:
      return value;
  }
}

/**
 * A redacted copy of any value (see the module's comment): strings with every secret replaced by
 * `[redacted]`, errors as errors of the same library or built-in class. Never throws.
 */
export function redactValue<T>(value: T, secrets: Iterable<unknown>): T {
  return copyValue(value, { redact: redactor(secrets), copies: new Map() }, 0) as T;
}

/** The redacted text of a copy's `message`, or what describes it. */
function describeCopy(copy: unknown): string {
  if (typeof copy === 'string') return copy;
  if (typeof copy !== 'object' || copy === null) return String(copy);
  const { message, name } = copy as { message?: unknown; name?: unknown };
  if (typeof message === 'string' && message) return message;
  if (typeof name === 'string' && name && isErrorLike(copy)) return name;
  return attempt(() => JSON.stringify(copy), undefined) ?? Object.prototype.toString.call(copy);
}

/**
 * Describes any thrown value in one line, without its stack, with the secrets redacted (and
 * secret fields quoted as JSON). Never throws: not for a throwing getter, a Proxy or a lying
 * `toString`.
 */
export function describeError(error: unknown, secrets: Iterable<unknown> = []): string {
  const text = describeCopy(redactValue(error, secrets));
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}

/** Where a thrown value came from, for the `ExternalError` it becomes. */
export interface ThrownAt {
  source: ExternalSource;
  /** What was called, e.g. `GetId`, `signIn`. */
  operation: string;
}

/**
 * What the library emits for a thrown value: one of its own errors (class and fields kept) as a
 * redacted copy; anything else as an `ExternalError` (an `AbortError` for an abort) whose message
 * is the redacted description and whose `cause` is the redacted copy. Never throws.
 */
export function toLibraryError(thrown: unknown, secrets: Iterable<unknown>, at: ThrownAt): IdentityPoolError {
  const copy = redactValue(thrown, secrets);
  if (copy instanceof IdentityPoolError) return copy;
  const message = describeError(copy);
  const name = typeof copy === 'object' && copy !== null ? (copy as { name?: unknown }).name : undefined;
  const error =
    name === 'AbortError' ? new AbortError(message) : new ExternalError(at.source, at.operation, message);
  Object.defineProperty(error, 'cause', {
    value: copy,
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return error;
}

/** How many secrets a session remembers (a few credentials and tokens back). */
const REMEMBERED_SECRETS = 32;

/**
 * The secrets one session knows: its login tokens (held and pending), its credentials' secret
 * key and session token. The session adds them as it learns them; the oldest are forgotten past
 * a bound, and all of them at logout.
 */
export class SessionSecrets implements Iterable<string> {
  #values = new Set<string>();

  add(...values: unknown[]): void {
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
      this.#values.delete(value);
      this.#values.add(value);
      if (this.#values.size > REMEMBERED_SECRETS)
        this.#values.delete(this.#values.values().next().value as string);
    }
  }

  forget(): void {
    this.#values = new Set();
  }

  [Symbol.iterator](): Iterator<string> {
    return this.#values.values();
  }
}

/**
 * Calls foreign code (a transport, a login provider): whatever it throws, synchronously or not,
 * leaves as one of this library's errors with `secrets` redacted (read when it throws, so what
 * was learned meanwhile counts).
 */
export async function guard<T>(
  call: () => T | PromiseLike<T>,
  secrets: () => Iterable<unknown>,
  at: ThrownAt,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toLibraryError(error, secrets(), at);
  }
}

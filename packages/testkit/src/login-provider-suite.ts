/**
 * `loginProviderSuite`: the conformance tests every identity-pool `LoginProvider` passes.
 * Runner-injected: pass vitest's `it` (or any `(name, fn) => void`); it imports no test library.
 */
import { IdentityPoolError, type LoginProvider, type LoginToken } from '@identity-pool/core';

/** Registers one test, like vitest's or jest's `it`/`test`. */
type TestFunction = (name: string, fn: () => Promise<void>) => void;

/**
 * A misbehaving vendor, for the hostile tests a provider opts into with `options.faults`:
 * - `unavailable`: the vendor cannot be reached (its script or token endpoint fails);
 * - `throws`: every vendor call throws a plain `Error`;
 * - `unresponsive`: sign-in works, then the vendor's callbacks never come again.
 */
export type LoginProviderFault = 'unavailable' | 'throws' | 'unresponsive';

/** How the provider under test should behave, set up by the suite for each test. */
export interface LoginProviderScenario {
  /** The user dismisses the sign-in dialog: `signIn()` must reject with `LoginCancelledError`. */
  userCancels: boolean;
  /** The vendor misbehaves this way (only for the faults listed in `options.faults`). */
  fault?: LoginProviderFault | undefined;
}

export interface LoginProviderSuiteOptions {
  /** Prefix of every test name; defaults to `login provider`. */
  name?: string;
  /** The `id` the provider must have, if fixed. */
  id?: string;
  /** The `loginsKey` the provider must have, if fixed (e.g. `graph.facebook.com`). */
  loginsKey?: string;
  /** Tokens must carry `expiresAt` (default `true`); when present it must be in the future anyway. */
  requireExpiresAt?: boolean;
  /** Epoch ms, to compare `expiresAt` with; defaults to `Date.now`. */
  now?: () => number;
  /** Called after each test with the provider it made (close windows, servers, …). */
  cleanup?: (provider: LoginProvider) => unknown;
  /** The hostile vendors `makeProvider` can simulate; each adds its tests. Default none. */
  faults?: readonly LoginProviderFault[];
  /**
   * The longest any call may take against a hostile vendor (ms); make the provider's own
   * deadlines shorter in `makeProvider`. Default 5000.
   */
  deadlineMs?: number;
}

class ConformanceError extends Error {
  override name = 'LoginProviderConformanceError';
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message);
}

/** An `IdentityPoolError` (also from another copy of core: by its prototype chain's names). */
function isIdentityPoolError(error: unknown): error is Error {
  if (error instanceof IdentityPoolError) return true;
  for (let proto = error; proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'IdentityPoolError') return true;
  }
  return false;
}

/** Checks that `error` is an `IdentityPoolError` with an explicit, stable name. */
function checkNamedError(error: unknown, from: string): void {
  const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  check(isIdentityPoolError(error), `${from} must reject with an IdentityPoolError, got ${described}`);
  check(
    typeof error.name === 'string' && error.name.length > 0 && error.name !== 'Error',
    `${from} must reject with a named error (error.name), got "${error.name}"`,
  );
}

/** The host's timers (the testkit compiles without DOM or Node typings). */
const timers = globalThis as unknown as {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
};

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** How `promise` ended, failing the check if it has not within `ms`. */
async function within<T>(promise: Promise<T> | undefined, ms: number, from: string): Promise<Outcome<T>> {
  let timer: unknown;
  const late = new Promise<'late'>((resolve) => {
    timer = timers.setTimeout(() => resolve('late'), ms);
  });
  try {
    const outcome = await Promise.race([
      Promise.resolve(promise).then(
        (value): Outcome<T> => ({ ok: true, value: value as T }),
        (error: unknown): Outcome<T> => ({ ok: false, error }),
      ),
      late,
    ]);
    check(outcome !== 'late', `${from} must settle within ${ms} ms against a hostile vendor; it hangs`);
    return outcome;
  } finally {
    timers.clearTimeout(timer);
  }
}

/**
 * Registers the conformance tests of a login provider: a stable, non-empty `id` and
 * `loginsKey`; `signIn()` resolves a token; a dismissed sign-in rejects with
 * `LoginCancelledError`; `getToken()` renews silently when signed in and answers `null` once
 * signed out; `expiresAt` is in the future; `signOut()` is idempotent.
 *
 * @param makeProvider makes a fresh provider per test; `scenario.userCancels` asks for one whose
 *   user dismisses the sign-in dialog (your fake SDK's "close" button).
 */
export function loginProviderSuite(
  test: TestFunction,
  makeProvider: (scenario: LoginProviderScenario) => LoginProvider | Promise<LoginProvider>,
  options: LoginProviderSuiteOptions = {},
): void {
  const prefix = options.name ?? 'login provider';
  const now = options.now ?? (() => Date.now());
  const requireExpiresAt = options.requireExpiresAt ?? true;

  const deadlineMs = options.deadlineMs ?? 5_000;
  const faults = new Set(options.faults ?? []);
  const run = (
    name: string,
    userCancels: boolean,
    body: (provider: LoginProvider) => Promise<void>,
    fault?: LoginProviderFault,
  ) =>
    test(`${prefix}: ${name}`, async () => {
      const provider = await makeProvider(fault ? { userCancels, fault } : { userCancels });
      try {
        await body(provider);
      } finally {
        await options.cleanup?.(provider);
      }
    });

  const checkToken = (token: LoginToken | null | undefined, from: string): LoginToken => {
    check(token && typeof token === 'object', `${from} must resolve to { token, expiresAt? }, got ${token}`);
    check(
      typeof token.token === 'string' && token.token.length > 0,
      `${from} must resolve to a non-empty token string`,
    );
    if (requireExpiresAt) check(token.expiresAt !== undefined, `${from} must give expiresAt`);
    if (token.expiresAt !== undefined) {
      check(Number.isFinite(token.expiresAt), `${from}: expiresAt must be epoch milliseconds`);
      check(
        token.expiresAt > now(),
        `${from}: expiresAt must be in the future (${new Date(token.expiresAt).toISOString()})`,
      );
      check(token.expiresAt < now() + 400 * 86_400_000, `${from}: expiresAt looks like seconds × 1000 twice`);
    }
    return token;
  };

  run('has a stable, non-empty id and loginsKey', false, async (provider) => {
    check(typeof provider.id === 'string' && provider.id.length > 0, 'id must be a non-empty string');
    check(
      typeof provider.loginsKey === 'string' && provider.loginsKey.length > 0,
      'loginsKey must be a non-empty string',
    );
    check(!/\s/.test(provider.loginsKey), `loginsKey must not contain spaces: "${provider.loginsKey}"`);
    const [id, loginsKey] = [provider.id, provider.loginsKey];
    await provider.signIn();
    check(provider.id === id && provider.loginsKey === loginsKey, 'id and loginsKey must not change');
    const other = await makeProvider({ userCancels: false });
    check(
      other.id === id && other.loginsKey === loginsKey,
      'every instance must have the same id and loginsKey',
    );
    if (options.id !== undefined) check(id === options.id, `id must be "${options.id}", got "${id}"`);
    if (options.loginsKey !== undefined) {
      check(loginsKey === options.loginsKey, `loginsKey must be "${options.loginsKey}", got "${loginsKey}"`);
    }
    check(typeof provider.signIn === 'function', 'signIn must be a function');
  });

  run('signIn() resolves a token whose expiresAt is in the future', false, async (provider) => {
    checkToken(await provider.signIn(), 'signIn()');
  });

  run('a dismissed sign-in rejects with LoginCancelledError', true, async (provider) => {
    let error: unknown;
    try {
      await provider.signIn();
    } catch (caught) {
      error = caught;
    }
    check(error !== undefined, 'signIn() must reject when the user cancels');
    check(
      error instanceof Error && error.name === 'LoginCancelledError',
      `signIn() must reject with LoginCancelledError, got ${error instanceof Error ? error.name : String(error)}`,
    );
    checkNamedError(error, 'a dismissed signIn()');
  });

  run(
    'two concurrent signIn() calls (a double click) never yield a false LoginCancelledError',
    false,
    async (provider) => {
      const [first, second] = await Promise.all([
        within(provider.signIn(), deadlineMs, 'the first of two concurrent signIn() calls'),
        within(provider.signIn(), deadlineMs, 'the second of two concurrent signIn() calls'),
      ]);
      for (const [outcome, which] of [
        [first, 'first'],
        [second, 'second'],
      ] as const) {
        if (outcome.ok) {
          checkToken(outcome.value, `the ${which} of two concurrent signIn() calls`);
          continue;
        }
        // Rejecting the second at once ("already in progress") is allowed; a cancel nobody asked for is not.
        checkNamedError(outcome.error, `the ${which} of two concurrent signIn() calls`);
        check(
          (outcome.error as Error).name !== 'LoginCancelledError',
          `the ${which} of two concurrent signIn() calls rejected with LoginCancelledError, but nobody cancelled`,
        );
      }
      check(first.ok, 'the first of two concurrent signIn() calls must resolve');
    },
  );

  run('getToken() renews silently after signIn(), with expiresAt in the future', false, async (provider) => {
    if (!provider.getToken) return;
    await provider.signIn();
    checkToken(await provider.getToken(), 'getToken() after signIn()');
  });

  run('getToken() resolves null once signed out', false, async (provider) => {
    if (!provider.getToken) return;
    await provider.signIn();
    await provider.signOut?.();
    if (!provider.signOut) return;
    const token = await provider.getToken();
    check(
      token === null,
      `getToken() after signOut() must resolve null, got ${JSON.stringify(token && 'a token')}`,
    );
  });

  run('signOut() is idempotent: before signIn, after it, and twice', false, async (provider) => {
    if (!provider.signOut) return;
    await provider.signOut();
    await provider.signIn();
    await provider.signOut();
    await provider.signOut();
    checkToken(await provider.signIn(), 'signIn() after signOut()');
  });

  hostileTests(run, faults, deadlineMs, checkToken);
}

type Run = (
  name: string,
  userCancels: boolean,
  body: (provider: LoginProvider) => Promise<void>,
  fault?: LoginProviderFault,
) => void;

/** The tests against hostile vendors: nothing hangs past the deadline, every rejection is named. */
function hostileTests(
  run: Run,
  faults: ReadonlySet<LoginProviderFault>,
  deadlineMs: number,
  checkToken: (token: LoginToken | null | undefined, from: string) => LoginToken,
): void {
  /** A call that may resolve or reject, but in time and, if it rejects, by name. */
  const settlesByName = async <T>(promise: Promise<T> | undefined, from: string) => {
    const outcome = await within(promise, deadlineMs, from);
    if (!outcome.ok) checkNamedError(outcome.error, from);
    return outcome;
  };

  for (const fault of ['unavailable', 'throws'] as const) {
    if (!faults.has(fault)) continue;
    run(
      `vendor ${fault}: signIn() rejects in time with a named IdentityPoolError, not a cancel`,
      false,
      async (provider) => {
        const outcome = await within(provider.signIn(), deadlineMs, `signIn() with the vendor ${fault}`);
        check(!outcome.ok, `signIn() with the vendor ${fault} must reject`);
        checkNamedError(outcome.error, `signIn() with the vendor ${fault}`);
        check(
          (outcome.error as Error).name !== 'LoginCancelledError',
          `signIn() with the vendor ${fault} must not claim the user cancelled`,
        );
      },
      fault,
    );
    run(
      `vendor ${fault}: getToken() and signOut() settle in time; rejections are named`,
      false,
      async (provider) => {
        const token = await settlesByName(provider.getToken?.(), `getToken() with the vendor ${fault}`);
        if (token.ok && token.value !== null) checkToken(token.value, `getToken() with the vendor ${fault}`);
        await settlesByName(provider.signOut?.(), `signOut() with the vendor ${fault}`);
      },
      fault,
    );
  }

  if (faults.has('unresponsive')) {
    run(
      'vendor unresponsive after sign-in: getToken() and signOut() settle within the deadline',
      false,
      async (provider) => {
        checkToken(await provider.signIn(), 'signIn() before the vendor stops answering');
        const token = await settlesByName(provider.getToken?.(), 'getToken() with an unresponsive vendor');
        if (token.ok && token.value !== null)
          checkToken(token.value, 'getToken() with an unresponsive vendor');
        await settlesByName(provider.signOut?.(), 'signOut() with an unresponsive vendor');
      },
      'unresponsive',
    );
  }
}

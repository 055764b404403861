/**
 * The soak: many sessions through many simulated hours against the emulator, on one simulated
 * clock shared by every session and the service, while faults are injected at random: throttling,
 * 500s, dropped connections, latency spikes, identities deleted or disabled, login tokens
 * expiring (and providers signing out), storage writes failing (quoting the value they were
 * given), guests logging out while a refresh writes, a custom transport throwing its request
 * back. Invariants are checked on every step; the run returns its counts and every violation.
 *
 * Used by `bench/soak.mjs` (the long run) and by core's CI-sized test
 * (`packages/core/test/reliability/soak.test.ts`).
 */
import { createIdentityPoolAuth, fetchTransport, memoryStorage, sdkTransport } from '@identity-pool/core';
import { startEmulator } from '@identity-pool/emulator';

const MINUTE = 60_000;
const FACEBOOK = 'graph.facebook.com';
const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;
/** While requests are in flight, simulated time moves this much per real millisecond. */
const DRAIN_STEP_MS = 200;
/** Errors a caller may see while faults are injected; anything else is a violation. */
const EXPECTED_ERRORS = new Set([
  'ServiceError',
  'NetworkError',
  'LoginRequiredError',
  // A login is a transaction (issue 12 §2): a login the service refuses or a fault fails rejects
  // with LoginFailedError; of concurrent login() calls, the earlier ones are superseded.
  'LoginFailedError',
  'LoginSupersededError',
  'AbortError',
  'InvalidResponseError',
  // A hostile transport's throw, wrapped.
  'ExternalError',
]);

/** A seeded PRNG (mulberry32): the same seed, the same faults. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Simulated time: moves only when told, firing the timers that fall due, in order. */
export class SimClock {
  #timers = new Map();
  #next = 1;
  constructor(now = Date.UTC(2026, 0, 1)) {
    this.current = now;
  }
  now() {
    return this.current;
  }
  setTimeout(fn, ms) {
    const id = this.#next++;
    this.#timers.set(id, { due: this.current + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(id) {
    this.#timers.delete(id);
  }
  /** When the next timer falls due, if any. */
  nextDue() {
    let next;
    for (const { due } of this.#timers.values()) if (next === undefined || due < next) next = due;
    return next;
  }
  advance(ms) {
    const end = this.current + ms;
    for (;;) {
      let nextId;
      let nextDue = Number.POSITIVE_INFINITY;
      for (const [id, { due }] of this.#timers) {
        if (due < nextDue) {
          nextDue = due;
          nextId = id;
        }
      }
      if (nextId === undefined || nextDue > end) break;
      const timer = this.#timers.get(nextId);
      this.#timers.delete(nextId);
      this.current = Math.max(this.current, nextDue);
      timer.fn();
    }
    this.current = end;
  }
}

/** Every string that must never leave the library: where it was found, if anywhere. */
function scanner(violations) {
  return (secrets, label, value) => {
    if (secrets.size === 0 || value === undefined || value === null) return 0;
    const texts = [];
    const seen = new Set();
    const collect = (v, depth) => {
      if (v === null || v === undefined || depth > 6 || seen.has(v)) return;
      if (typeof v === 'string') return void texts.push(v);
      if (typeof v !== 'object') return void texts.push(String(v));
      seen.add(v);
      if (v instanceof Error) {
        texts.push(v.name, v.message, String(v.stack ?? ''));
        collect(v.cause, depth + 1);
      }
      for (const key of Object.getOwnPropertyNames(v)) {
        let inner;
        try {
          inner = v[key];
        } catch {
          continue;
        }
        collect(inner, depth + 1);
      }
    };
    collect(value, 0);
    let hits = 0;
    for (const text of texts) {
      for (const secret of secrets) {
        if (text.includes(secret)) {
          hits++;
          violations.push(`a secret appeared in ${label}`);
        }
      }
    }
    return hits;
  };
}

/**
 * Runs the soak. Options: `sessions`, `hours`, `seed`, `stepMinutes`, `skewMinutes` (the service
 * clock's offset), `faultRate` (chance of an emulator fault per step), `log`.
 */
export async function runSoak(options = {}) {
  const {
    sessions: sessionCount = 20,
    hours = 24,
    seed = 1,
    stepMinutes = 1,
    skewMinutes = 0,
    faultRate = 0.3,
    log = () => {},
  } = options;
  const random = prng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const emulator = await startEmulator({ clock });
  emulator.setClockOffset(skewMinutes * MINUTE);
  const serviceNow = () => clock.now() + skewMinutes * MINUTE;
  const violations = [];
  const scan = scanner(violations);
  const counts = {
    sessions: sessionCount,
    simulatedHours: hours,
    steps: 0,
    callerRequests: 0,
    credentialsHandedOut: 0,
    callerErrors: 0,
    callerErrorsByName: {},
    serviceRequests: 0,
    retries: 0,
    distinctBackoffDelays: 0,
    faults: {
      throttle: 0,
      internal: 0,
      drop: 0,
      latency: 0,
      deleteIdentity: 0,
      disableIdentity: 0,
      loginTokenExpired: 0,
      providerSignedOut: 0,
      storageWritesFailing: 0,
      logoutMidWrite: 0,
      transportThrowsRequest: 0,
    },
    secretHits: 0,
    violations: 0,
  };
  const backoffDelays = new Set();
  let unhandled = 0;
  const onUnhandled = (reason) => {
    unhandled++;
    violations.push(`unhandled rejection: ${reason?.name ?? ''} ${reason?.message ?? String(reason)}`);
  };
  process.on('unhandledRejection', onUnhandled);
  // Anything the library logs is scanned too.
  const consoleLines = [];
  const originalConsole = {};
  for (const method of ['log', 'info', 'warn', 'error', 'debug']) {
    originalConsole[method] = console[method];
    console[method] = (...args) => {
      consoleLines.push(args);
      return originalConsole[method].apply(console, args);
    };
  }

  const pool = emulator.createPool().identityPoolId;
  const allSecrets = new Set();

  function makeSession(index) {
    const s = {
      index,
      user: index % 3 === 0 ? `user-${seed}-${index}` : undefined,
      persistCredentials: index % 2 === 1,
      secrets: new Set(),
      loginTokens: new Set(),
      gone: new Set(),
      inFlight: new Map(),
      attempts: new WeakMap(),
      timers: new Set(),
      storageFailingUntil: 0,
      transportThrowsRequest: false,
      signedOut: false,
      expireNextToken: false,
      pending: new Set(),
      stopped: false,
    };
    const inner =
      index % 2 === 0
        ? fetchTransport({ endpoint: emulator.endpoint })
        : sdkTransport({ region: 'us-east-1', endpoint: emulator.endpoint });
    const tracked = (operation, call) => async (input) => {
      counts.serviceRequests++;
      s.inFlight.set(operation, (s.inFlight.get(operation) ?? 0) + 1);
      queueMicrotask(() => {
        const live = s.inFlight.get(operation) ?? 0;
        if (live > 1) violations.push(`session ${index}: ${live} ${operation} requests in flight at once`);
      });
      // Attempts of one request share its AbortSignal (until one times out: request-deadline.ts):
      // bounded, and backed off with jitter.
      if (input.signal) {
        const previous = s.attempts.get(input.signal);
        const attempt = { n: (previous?.n ?? 0) + 1, at: clock.now(), failedAt: undefined };
        if (previous) {
          counts.retries++;
          // From the failure to the next attempt: the back-off.
          const gap = attempt.at - (previous.failedAt ?? previous.at);
          const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 5 * 2 ** (previous.n - 1));
          backoffDelays.add(gap);
          if (previous.failedAt === undefined)
            violations.push(`session ${index}: ${operation} retried after a success`);
          if (gap > cap) violations.push(`session ${index}: back-off of ${gap} ms > ${cap} ms`);
        }
        if (attempt.n > MAX_ATTEMPTS) violations.push(`session ${index}: ${operation} attempt ${attempt.n}`);
        s.attempts.set(input.signal, attempt);
      }
      let done = false;
      const finish = () => {
        if (!done) s.inFlight.set(operation, (s.inFlight.get(operation) ?? 1) - 1);
        done = true;
      };
      input.signal?.addEventListener('abort', finish, { once: true });
      try {
        if (s.transportThrowsRequest) {
          // A custom transport that throws its request back (login tokens in an own property).
          s.transportThrowsRequest = false;
          throw Object.assign(new Error('the proxy refused the request'), { request: input });
        }
        return await call(input);
      } catch (error) {
        const attempt = input.signal && s.attempts.get(input.signal);
        if (attempt) attempt.failedAt = clock.now();
        throw error;
      } finally {
        finish();
      }
    };
    const transport = {
      getId: tracked('GetId', (input) => inner.getId(input)),
      getCredentialsForIdentity: tracked('GetCredentialsForIdentity', (input) =>
        inner.getCredentialsForIdentity(input),
      ),
    };
    const backing = memoryStorage();
    s.storage = {
      getItem: (key) => backing.getItem(key),
      setItem: (key, value) => {
        if (s.logoutAtNextWrite && key.endsWith(':identity')) logOutNow(s);
        // Quoting what it was asked to write (with persistCredentials: the secret key).
        if (clock.now() < s.storageFailingUntil) throw `QuotaExceededError: no room for ${value}`;
        return backing.setItem(key, value);
      },
      removeItem: (key) => backing.removeItem(key),
      backing,
    };
    const mint = (expiresInSeconds) => {
      const token = emulator.idp.mintToken(FACEBOOK, { subject: s.user, expiresInSeconds });
      s.loginTokens.add(token);
      allSecrets.add(token);
      s.secrets.add(token);
      return token;
    };
    s.provider = {
      id: 'facebook',
      loginsKey: FACEBOOK,
      signIn: async () => {
        s.signedOut = false;
        return { token: mint(3600), expiresAt: clock.now() + 3_600_000 };
      },
      getToken: async () => {
        if (s.signedOut) return null;
        if (s.expireNextToken) {
          // The token dies early; the provider says it lives an hour: the service refuses it.
          s.expireNextToken = false;
          return { token: mint(1), expiresAt: clock.now() + 3_600_000 };
        }
        return { token: mint(3600), expiresAt: clock.now() + 3_600_000 };
      },
    };
    const sessionClock = {
      now: () => clock.now(),
      setTimeout: (fn, ms) => {
        const id = clock.setTimeout(() => {
          s.timers.delete(id);
          fn();
        }, ms);
        s.timers.add(id);
        return id;
      },
      clearTimeout: (id) => {
        s.timers.delete(id);
        clock.clearTimeout(id);
      },
    };
    s.auth = createIdentityPoolAuth({
      identityPoolId: pool,
      transport,
      storage: s.storage,
      clock: sessionClock,
      persistCredentials: s.persistCredentials,
      retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: BASE_DELAY_MS, maxDelayMs: MAX_DELAY_MS },
    });
    for (const type of ['identityChanged', 'credentials', 'error', 'loginRequired']) {
      s.auth.on(type, (event) => {
        counts.secretHits += scan(s.secrets, `a ${type} event`, event);
        if (type !== 'identityChanged') return;
        const { previousIdentityId, identityId, reason } = event;
        if (
          reason === 'reset' &&
          identityId !== undefined &&
          previousIdentityId &&
          !s.gone.has(previousIdentityId)
        ) {
          violations.push(`session ${index}: identity replaced although the service never said it is gone`);
        }
        if (reason === 'merged' && previousIdentityId && !s.user) {
          violations.push(`session ${index}: a guest's identity merged`);
        }
      });
    }
    return s;
  }

  function callCredentials(s, options, signIn = false) {
    counts.callerRequests++;
    const wantsLogin = signIn || (s.user && !s.auth.getState().authenticated);
    const promise = (wantsLogin ? s.auth.login(s.provider) : s.auth.getCredentials(options))
      .then((credentials) => {
        counts.credentialsHandedOut++;
        for (const secret of [credentials.secretAccessKey, credentials.sessionToken]) {
          s.secrets.add(secret);
          allSecrets.add(secret);
        }
        const life = credentials.expiration.getTime() - serviceNow();
        if (life < MINUTE)
          violations.push(`session ${s.index}: credentials handed out with ${life} ms of life`);
        return credentials;
      })
      .catch((error) => {
        counts.callerErrors++;
        const name = error?.name ?? 'unknown';
        counts.callerErrorsByName[name] = (counts.callerErrorsByName[name] ?? 0) + 1;
        counts.secretHits += scan(s.secrets, 'an error a caller got', error);
        if (!EXPECTED_ERRORS.has(error?.name))
          violations.push(`session ${s.index}: unexpected ${error?.name}: ${error?.message}`);
        if (error?.name === 'LoginRequiredError' && s.user) {
          // The app asks the user to sign in again (interactive: works even after a sign-out).
          s.relogin = true;
        }
        return error;
      })
      .finally(() => s.pending.delete(promise));
    s.pending.add(promise);
    return promise;
  }

  /**
   * logout() as the session writes its identity (a refresh in flight): once it resolves, no key
   * of the pool may hold a value (issue 12 §1).
   */
  function logOutNow(s) {
    s.logoutAtNextWrite = false;
    const promise = Promise.resolve()
      .then(() => s.auth.logout())
      .then(() => {
        for (const key of ['identity', 'credentials'])
          if (s.storage.backing.getItem(`identity-pool:v1:${pool}:${key}`) !== null)
            violations.push(`session ${s.index}: logout() resolved with the ${key} still stored`);
      })
      .finally(() => s.pending.delete(promise));
    s.pending.add(promise);
  }

  const sessions = Array.from({ length: sessionCount }, (_, i) => makeSession(i));
  const busy = () =>
    sessions.some((s) => s.pending.size > 0 || Object.keys(s.auth.actor.getSnapshot().children).length > 0);

  /** Lets the requests in flight finish; simulated time moves 200 ms per real wait (back-offs, latency). */
  async function drain(label) {
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 3000 && busy(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      // Exactly to the next timer (a back-off ends), at most one step.
      if (busy())
        clock.advance(
          Math.min(DRAIN_STEP_MS, Math.max(0, (clock.nextDue() ?? Number.POSITIVE_INFINITY) - clock.now())),
        );
    }
    if (busy()) violations.push(`a request never settled (${label})`);
  }

  function injectFault() {
    if (emulator.faults.pending().length >= 3) return;
    const kind = pick(['throttle', 'throttle', 'internal', 'drop', 'latency']);
    counts.faults[kind]++;
    const count = 1 + Math.floor(random() * 3);
    if (kind === 'latency') emulator.faults.inject({ kind, ms: 5 + Math.floor(random() * 40), count });
    else emulator.faults.inject({ kind, count });
  }

  const steps = Math.round((hours * 60) / stepMinutes);
  const started = Date.now();
  for (let step = 0; step < steps; step++) {
    counts.steps++;
    if (random() < faultRate) injectFault();
    for (const s of sessions) {
      const r = random();
      const id = s.auth.getCachedIdentityId();
      if (r < 0.004 && id) {
        counts.faults.deleteIdentity++;
        s.gone.add(id);
        emulator.deleteIdentity(id);
      } else if (r < 0.006 && id && !s.user) {
        // A disabled authenticated identity locks its user out, as on the real service: guests only.
        counts.faults.disableIdentity++;
        s.gone.add(id);
        emulator.disableIdentity(id);
      } else if (r < 0.012 && s.user) {
        counts.faults.loginTokenExpired++;
        s.expireNextToken = true;
      } else if (r < 0.014 && s.user) {
        counts.faults.providerSignedOut++;
        s.signedOut = true;
      } else if (r < 0.024) {
        counts.faults.storageWritesFailing++;
        s.storageFailingUntil = clock.now() + (1 + Math.floor(random() * 90)) * MINUTE;
      } else if (r < 0.027 && s.persistCredentials && !s.user && !s.logoutAtNextWrite) {
        // A guest signs out while a refresh is writing.
        counts.faults.logoutMidWrite++;
        s.logoutAtNextWrite = true;
        callCredentials(s, { forceRefresh: true });
      } else if (r < 0.03) {
        counts.faults.transportThrowsRequest++;
        s.transportThrowsRequest = true;
      }
      if (s.relogin) {
        s.relogin = false;
        callCredentials(s, undefined, true);
      } else if (random() < 0.3) {
        const callers = 1 + Math.floor(random() * 3);
        const force = random() < 0.02;
        for (let c = 0; c < callers; c++)
          callCredentials(s, force && c === 0 ? { forceRefresh: true } : undefined);
      }
    }
    await drain(`step ${step}`);
    clock.advance(stepMinutes * MINUTE);
    await drain(`step ${step} timers`);
    if (step % 30 === 0) {
      for (const s of sessions) counts.secretHits += scan(s.secrets, 'getState()', s.auth.getState());
    }
    if (step % 600 === 0 && step > 0)
      log(`  ${Math.round((step * stepMinutes) / 60)} simulated hours, ${violations.length} violations`);
  }

  // Faults stop: every session must get back to serving.
  emulator.faults.clear();
  for (const s of sessions) {
    s.storageFailingUntil = 0;
    s.signedOut = false;
    s.expireNextToken = false;
  }
  await drain('faults cleared');
  for (const s of sessions) {
    let result = await (async () => {
      const p = callCredentials(s);
      await drain(`recovery of session ${s.index}`);
      return p;
    })();
    if (result instanceof Error && result.name === 'LoginRequiredError') {
      const p = s.auth.login(s.provider).catch((error) => error);
      await drain(`re-login of session ${s.index}`);
      result = await p;
    }
    if (result instanceof Error) {
      const p = callCredentials(s);
      await drain(`second recovery of session ${s.index}`);
      result = await p;
    }
    if (result instanceof Error)
      violations.push(
        `session ${s.index}: no recovery after faults stopped: ${result.name} ${result.message}`,
      );
    counts.secretHits += scan(s.secrets, 'getState()', s.auth.getState());
  }

  // Stop: no timer left, and storage holds no login token (credentials only with persistCredentials).
  for (const s of sessions) {
    s.auth.stop();
    if (s.timers.size) violations.push(`session ${s.index}: ${s.timers.size} timers left after stop()`);
    const stored = [];
    for (const key of ['identity', 'credentials']) {
      const value = s.storage.backing.getItem(`identity-pool:v1:${pool}:${key}`);
      if (value) stored.push(value);
    }
    const text = stored.join('\n');
    for (const token of s.loginTokens)
      if (text.includes(token)) violations.push(`session ${s.index}: a login token in storage`);
    if (!s.persistCredentials && /secretAccessKey|sessionToken/.test(text)) {
      violations.push(`session ${s.index}: credentials stored without persistCredentials`);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (const method of Object.keys(originalConsole)) console[method] = originalConsole[method];
  counts.secretHits += scan(allSecrets, 'console output', consoleLines);
  process.off('unhandledRejection', onUnhandled);
  await emulator.close();
  counts.distinctBackoffDelays = backoffDelays.size;
  if (counts.retries > 5 && backoffDelays.size < 3) violations.push('back-off delays are not jittered');
  // The retry checks above see only what the transport can correlate: if faults that must be
  // retried were injected and no retry was seen, they checked nothing (as after issue 13's merges).
  const retryable = counts.faults.throttle + counts.faults.internal + counts.faults.drop;
  if (retryable > 0 && counts.retries === 0) {
    violations.push(
      `${retryable} retryable faults injected but no retry observed: the retry checks saw nothing`,
    );
  }
  counts.unhandledRejections = unhandled;
  counts.violations = violations.length;
  counts.realSeconds = Math.round((Date.now() - started) / 100) / 10;
  return { counts, violations: [...new Set(violations)] };
}

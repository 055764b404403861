/**
 * Secrets never escape, whoever throws (issue 12 §4, design §7): a custom transport, a login
 * provider or a storage adapter that throws a login token, a secret key or a session token in
 * any shape — a cause, a nested cause chain, an own property, `AggregateError.errors`, a string,
 * a plain object, a throwing getter, a cycle, a frozen error, a Proxy — never gets it into
 * anything the library hands out: `error` events, rejections, `getState()` and its JSON. And every
 * error handed out is an `IdentityPoolError`.
 */
import { defaultRoles } from '@identity-pool/emulator';
import { describe, expect, it } from 'vitest';
import {
  basicFlowTransport,
  type CognitoIdentityTransport,
  type IdentityPoolAuth,
  IdentityPoolError,
  type LoginProvider,
  memoryStorage,
  type StorageAdapter,
  sdkTransport,
} from '../../src/index.js';
import { recordEvents, useEmulator } from '../support/emulator.js';
import { hostileShapes } from '../support/hostile-shapes.js';
import { findSecrets } from '../support/secret-scan.js';

const env = useEmulator();
const FACEBOOK = 'graph.facebook.com';
const GOOGLE = 'accounts.google.com';
const shapes = Object.entries(hostileShapes);

/** Everything the session handed out: no secret anywhere in it, and only the library's errors. */
function expectNoSecretEscaped(
  auth: IdentityPoolAuth,
  events: ReturnType<typeof recordEvents>,
  outcomes: unknown[],
  secrets: string[],
) {
  const errors = [...events.filter((e) => e.type === 'error').map((e) => e.error), ...outcomes];
  expect(errors.length).toBeGreaterThan(0);
  const emitted = { events, outcomes, state: auth.getState(), json: JSON.stringify(auth.getState()) };
  expect(findSecrets(emitted, secrets)).toEqual([]);
  for (const error of errors) {
    expect(error).toBeInstanceOf(IdentityPoolError);
    expect(typeof (error as Error).name).toBe('string');
  }
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );

describe('a custom transport that throws secrets', () => {
  it.each(shapes)('%s: nothing emitted or rejected carries them', async (_name, shape) => {
    const pool = env.pool();
    const real = sdkTransport({ region: 'us-east-1', endpoint: env.emulator.endpoint });
    const known: string[] = [];
    let hostile = false;
    const leak = (logins: Record<string, string> | undefined) =>
      shape([...Object.values(logins ?? {}), ...known]);
    const transport: CognitoIdentityTransport = {
      getId: async (input) => {
        if (hostile) throw leak(input.logins);
        return real.getId(input);
      },
      getCredentialsForIdentity: async (input) => {
        if (hostile) throw leak(input.logins);
        const out = await real.getCredentialsForIdentity(input);
        known.push(out.credentials.secretAccessKey, out.credentials.sessionToken);
        return out;
      },
    };
    const facebookToken = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-user' });
    const googleToken = env.emulator.idp.mintToken(GOOGLE, { subject: 'g-user' });
    const auth = env.auth({ identityPoolId: pool, transport, logins: { [FACEBOOK]: facebookToken } });
    const events = recordEvents(auth);
    await auth.getCredentials();
    hostile = true;
    const outcomes = [
      await failure(auth.getCredentials({ forceRefresh: true })),
      await failure(auth.login({ providerName: GOOGLE, token: googleToken })),
    ];
    expectNoSecretEscaped(auth, events, outcomes, [facebookToken, googleToken, ...known]);
  });
});

describe('a login provider that throws its own token', () => {
  it.each(shapes)('%s: signIn, getToken and signOut failures carry none of it', async (_name, shape) => {
    const pool = env.pool();
    const token = env.emulator.idp.mintToken(FACEBOOK, { subject: 'fb-hostile' });
    let hostile = false;
    const provider: LoginProvider = {
      id: 'hostile',
      loginsKey: FACEBOOK,
      signIn: async () => {
        if (hostile) throw shape([token]);
        return { token };
      },
      getToken: async () => {
        if (hostile) throw shape([token]);
        return { token };
      },
      signOut: async () => {
        if (hostile) throw shape([token]);
      },
    };
    const auth = env.auth({ identityPoolId: pool });
    const events = recordEvents(auth);
    const credentials = await auth.login(provider);
    hostile = true;
    const outcomes = [await failure(auth.login(provider))];
    // The service refuses the token: the session asks the provider for a fresh one (getToken).
    env.emulator.faults.inject({
      kind: 'status',
      status: 400,
      operation: 'GetCredentialsForIdentity',
      body: JSON.stringify({
        __type: 'NotAuthorizedException',
        message: 'Invalid login token. Token expired: 1767225600 >= 1767222000',
      }),
    });
    outcomes.push(await failure(auth.getCredentials({ forceRefresh: true })));
    await auth.logout();
    expect(events.filter((e) => e.type === 'error').length).toBeGreaterThanOrEqual(2);
    expectNoSecretEscaped(auth, events, outcomes, [
      token,
      credentials.secretAccessKey,
      credentials.sessionToken,
    ]);
  });
});

/** The secret fields of a stored value, if it is stored credentials. */
function secretFieldsOf(value: string | null): string[] {
  try {
    const parsed = JSON.parse(value ?? 'null') as {
      secretAccessKey?: unknown;
      sessionToken?: unknown;
    } | null;
    return [parsed?.secretAccessKey, parsed?.sessionToken].filter((s): s is string => typeof s === 'string');
  } catch {
    return [];
  }
}

/** A memory store whose chosen operation does its work, then throws the value it handled. */
function hostileStorage(shape: (secrets: readonly string[]) => unknown) {
  const inner = memoryStorage();
  // memoryStorage answers synchronously (its type allows any adapter's promise).
  const read = (key: string) => inner.getItem(key) as string | null;
  const state = { hostile: undefined as 'getItem' | 'setItem' | 'removeItem' | undefined };
  const quote = (value: string | null) => shape([value ?? 'null', ...secretFieldsOf(value)]);
  const storage: StorageAdapter = {
    getItem(key) {
      const value = read(key);
      // The stored credentials as a whole (their bare secret fields are not ones a new session
      // knows: only their place in the record tells what they are).
      if (state.hostile === 'getItem' && secretFieldsOf(value).length) throw shape([value as string]);
      return value;
    },
    setItem(key, value) {
      inner.setItem(key, value);
      if (state.hostile === 'setItem') throw quote(value);
    },
    removeItem(key) {
      const value = read(key);
      inner.removeItem(key);
      if (state.hostile === 'removeItem' && value !== null) throw quote(value);
    },
  };
  return { storage, state, inner };
}

describe('a storage adapter that throws the value it was handed (persistCredentials)', () => {
  it.each(shapes)(
    '%s: setItem failures carry neither the value nor its secret fields',
    async (_name, shape) => {
      const { storage, state } = hostileStorage(shape);
      state.hostile = 'setItem';
      const auth = env.auth({ identityPoolId: env.pool(), storage, persistCredentials: true });
      const events = recordEvents(auth);
      const first = await auth.getCredentials();
      const second = await auth.getCredentials({ forceRefresh: true });
      const secrets = [first, second].flatMap((c) => [c.secretAccessKey, c.sessionToken]);
      expectNoSecretEscaped(auth, events, [], secrets);
    },
  );

  it.each(shapes)(
    '%s: removeItem failures (clearCredentials, logout) carry none of it',
    async (_name, shape) => {
      const { storage, state } = hostileStorage(shape);
      const auth = env.auth({ identityPoolId: env.pool(), storage, persistCredentials: true });
      const events = recordEvents(auth);
      const first = await auth.getCredentials();
      state.hostile = 'removeItem';
      await auth.clearCredentials();
      state.hostile = undefined;
      const second = await auth.getCredentials();
      state.hostile = 'removeItem';
      await auth.logout();
      const secrets = [first, second].flatMap((c) => [c.secretAccessKey, c.sessionToken]);
      expectNoSecretEscaped(auth, events, [], secrets);
    },
  );

  it.each(shapes)(
    '%s: a getItem failure quoting the stored record carries none of its secrets',
    async (_name, shape) => {
      const { storage, state } = hostileStorage(shape);
      const pool = env.pool();
      const first = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
      const before = await first.getCredentials();
      // One live session per storage namespace in a process: the next one starts after it.
      first.stop();
      state.hostile = 'getItem';
      // A new session: the stored record's secrets are not ones it was ever given.
      const auth = env.auth({ identityPoolId: pool, storage, persistCredentials: true });
      const events = recordEvents(auth);
      await auth.getCredentials();
      expectNoSecretEscaped(auth, events, [], [before.secretAccessKey, before.sessionToken]);
    },
  );
});

describe('the basic flow: STS quoting the OpenID token in a validation error', () => {
  it('the token, which buys credentials of the role, is in nothing emitted or rejected', async () => {
    const pool = env.pool();
    let sent = '';
    // STS's validation errors quote the value refused, as every AWS JSON/query service does.
    const transport = basicFlowTransport(
      sdkTransport({ region: 'us-east-1', endpoint: env.emulator.endpoint }),
      {
        roleArn: defaultRoles.unauthenticated,
        sts: {
          region: 'us-east-1',
          fetch: async (_url, init) => {
            sent = new URLSearchParams(init.body).get('WebIdentityToken') ?? '';
            return {
              status: 400,
              headers: { get: () => null },
              text: async () =>
                `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>1 validation error detected: Value '${sent}' at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 16</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
            };
          },
        },
      },
    );
    const auth = env.auth({ identityPoolId: pool, transport });
    const events = recordEvents(auth);
    const outcomes = [await failure(auth.getCredentials())];
    expect(sent.length).toBeGreaterThan(20);
    expect(outcomes[0]).toMatchObject({ name: 'ServiceError', code: 'ValidationError' });
    expectNoSecretEscaped(auth, events, outcomes, [sent]);
  });
});

describe('the secrets a session knows, across a logout', () => {
  it('credentials obtained while logout() was still signing out stay redacted after it', async () => {
    const pool = env.pool();
    const inner = memoryStorage();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let slowRemoval = false;
    const storage: StorageAdapter = {
      getItem: (key) => inner.getItem(key),
      setItem: (key, value) => inner.setItem(key, value),
      removeItem: async (key) => {
        if (slowRemoval) await gate;
        inner.removeItem(key);
      },
    };
    const real = sdkTransport({ region: 'us-east-1', endpoint: env.emulator.endpoint });
    let hostile = false;
    const transport: CognitoIdentityTransport = {
      getId: (input) => real.getId(input),
      getCredentialsForIdentity: async (input) => {
        if (hostile) throw hostileShapes['in an own property']?.([guest.secretAccessKey, guest.sessionToken]);
        return real.getCredentialsForIdentity(input);
      },
    };
    const auth = env.auth({ identityPoolId: pool, storage, transport });
    const events = recordEvents(auth);
    await auth.getCredentials();
    slowRemoval = true;
    const loggingOut = auth.logout();
    const guest = await auth.getCredentials();
    release();
    await loggingOut;
    hostile = true;
    const outcomes = [await failure(auth.getCredentials({ forceRefresh: true }))];
    expectNoSecretEscaped(auth, events, outcomes, [guest.secretAccessKey, guest.sessionToken]);
  });
});

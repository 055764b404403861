import * as z from 'zod/mini';
import type { Clock } from './clock.js';
import { ConfigurationError } from './errors.js';
import type { Inspector } from './inspect.js';
import type { LifecycleSource } from './lifecycle.js';
import { DEFAULT_STORAGE_TIMEOUT_MS } from './storage/session-store.js';
import type { CognitoIdentityTransport, LoginProvider, StorageAdapter } from './types.js';

/** How failed requests are retried (throttling, 5xx, network errors). */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 3, as the AWS SDK. */
  maxAttempts?: number;
  /** Back-off base for transient errors, ms. Default 100. Throttling uses 5× this. */
  baseDelayMs?: number;
  /** Cap of one back-off delay, ms. Default 20 000. */
  maxDelayMs?: number;
}

export interface IdentityPoolAuthOptions {
  /** `<region>:<guid>`, e.g. `us-east-1:0def4f54-71bd-42f5-b8d9-7e8811807670`. */
  identityPoolId: string;
  /** Defaults to the pool ID's prefix. */
  region?: string;
  /** A custom service URL (the emulator, a proxy). */
  endpoint?: string;
  /** Defaults to the AWS SDK client transport. */
  transport?: CognitoIdentityTransport;
  /** Defaults to `memoryStorage()`. */
  storage?: StorageAdapter;
  /** Start signed in: Logins key → token or login provider. */
  logins?: Record<string, string | LoginProvider>;
  /** Allow guest identities. Default `true`. */
  allowGuest?: boolean;
  /** Refresh this long before expiry. Default 300. */
  refreshWindowSeconds?: number;
  /** Also keep the credentials in storage (not only the identity ID). Default `false`. */
  persistCredentials?: boolean;
  customRoleArn?: string;
  accountId?: string;
  /** Epoch-ms clock; one with `setTimeout`/`clearTimeout` also drives the timers. */
  clock?: Clock;
  retry?: RetryOptions;
  /**
   * The deadline of each service request (each attempt), ms. A request without an answer by then
   * is aborted and fails as a retryable `NetworkError`. Default 10 000.
   */
  requestTimeoutMs?: number;
  /** Prefix of the storage keys. Default `identity-pool`. */
  storageKeyPrefix?: string;
  /**
   * The longest one storage call (`getItem`, `setItem`, `removeItem`) may take, ms. A slower
   * call counts as failed: the session goes on in memory and reports a `StorageError`.
   * Default 5 000.
   */
  storageTimeoutMs?: number;
  /**
   * Browsers: coordinate the sessions of this pool across the origin's tabs and workers (a Web
   * Lock around GetId and refresh, a `BroadcastChannel` sharing the identity, credentials with
   * `persistCredentials`, and sign-out). Default `true`; single-tab where locks or channels are
   * missing. `getState().coordination` says which applies.
   */
  coordinateTabs?: boolean;
  /**
   * `'enhanced'` (default): GetCredentialsForIdentity. `'basic'` (classic): GetOpenIdToken, then
   * STS `AssumeRoleWithWebIdentity` with `roleArn`, or `unauthRoleArn` / `authRoleArn`.
   */
  flow?: 'enhanced' | 'basic';
  /** Basic flow: the role for every identity (instead of `unauthRoleArn` / `authRoleArn`). */
  roleArn?: string;
  /** Basic flow: the role for guest identities. */
  unauthRoleArn?: string;
  /** Basic flow: the role for authenticated identities. */
  authRoleArn?: string;
  /**
   * An xstate inspector (`createBrowserInspector().inspect` of `@statelyai/inspect`, or any
   * function or observer of inspection events): it sees every event, state and actor of the
   * session, as redacted copies (no secret key, session token or login token).
   */
  inspect?: Inspector;
  /**
   * Where the session learns to pause background refresh (and to catch up after): default the
   * page's visibility and `online`/`offline` events; in React Native
   * `appStateLifecycle(AppState, connectivity?)`.
   */
  lifecycle?: LifecycleSource;
}

/** The options after validation, with every default filled in. */
export interface ResolvedOptions {
  identityPoolId: string;
  region: string;
  endpoint: string | undefined;
  transport: CognitoIdentityTransport | undefined;
  storage: StorageAdapter | undefined;
  logins: Record<string, string | LoginProvider>;
  allowGuest: boolean;
  refreshWindowSeconds: number;
  persistCredentials: boolean;
  customRoleArn: string | undefined;
  accountId: string | undefined;
  clock: Clock | undefined;
  retry: Required<RetryOptions>;
  requestTimeoutMs: number;
  storageKeyPrefix: string;
  storageTimeoutMs: number;
  coordinateTabs: boolean;
  flow: 'enhanced' | 'basic';
  roleArn: string | undefined;
  unauthRoleArn: string | undefined;
  authRoleArn: string | undefined;
  inspect: Inspector | undefined;
  lifecycle: LifecycleSource | undefined;
}

/** The default deadline of one service request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export const IDENTITY_POOL_ID_PATTERN = /^[\w-]+:[0-9a-f-]+$/;

/**
 * `URL.canParse` where the runtime has it. React Native's `URL` has no `canParse` (and takes any
 * string), and some embedded runtimes have no `URL`: there the http(s) pattern alone decides.
 */
function canParseUrl(value: string): boolean {
  const url = (globalThis as { URL?: { canParse?: unknown } }).URL;
  return typeof url?.canParse === 'function' ? url.canParse(value) === true : true;
}

const hasFunctions =
  (...names: string[]) =>
  (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

const isLoginProvider = (value: unknown): value is LoginProvider =>
  hasFunctions('signIn')(value) &&
  typeof (value as LoginProvider).loginsKey === 'string' &&
  typeof (value as LoginProvider).id === 'string';

const roleArnSchema = z.optional(
  z
    .string({ error: 'must be a string' })
    .check(
      z.minLength(20, { error: 'must be at least 20 characters' }),
      z.maxLength(2048, { error: 'must be at most 2048 characters' }),
      z.regex(/^arn:/, { error: 'must be an ARN ("arn:aws:iam::<account>:role/<name>")' }),
    ),
);

const optionsSchema = z.strictObject({
  identityPoolId: z.string({ error: 'is required and must be a string like "us-east-1:<guid>"' }).check(
    z.maxLength(55, { error: 'must be at most 55 characters' }),
    z.regex(IDENTITY_POOL_ID_PATTERN, {
      error: 'must match ^[\\w-]+:[0-9a-f-]+$ ("<region>:<guid>", lowercase hex)',
    }),
  ),
  region: z.optional(
    z
      .string({ error: 'must be a string' })
      .check(z.regex(/^[a-z0-9-]{1,64}$/, { error: 'must be an AWS region name such as "us-east-1"' })),
  ),
  endpoint: z.optional(
    z.string({ error: 'must be a string' }).check(
      z.refine((value) => /^https?:\/\/[^\s]+$/.test(value) && canParseUrl(value), {
        error: 'must be an http(s) URL',
      }),
    ),
  ),
  transport: z.optional(
    z.custom<CognitoIdentityTransport>(hasFunctions('getId', 'getCredentialsForIdentity'), {
      error: 'must have getId and getCredentialsForIdentity functions',
    }),
  ),
  storage: z.optional(
    z.custom<StorageAdapter>(hasFunctions('getItem', 'setItem', 'removeItem'), {
      error: 'must have getItem, setItem and removeItem functions',
    }),
  ),
  logins: z.optional(
    z
      .record(
        z
          .string()
          .check(
            z.minLength(1, { error: 'keys must not be empty' }),
            z.maxLength(128, { error: 'keys must be at most 128 characters' }),
          ),
        z.union(
          [
            z
              .string()
              .check(
                z.minLength(1, { error: 'tokens must not be empty' }),
                z.maxLength(50_000, { error: 'tokens must be at most 50000 characters' }),
              ),
            z.custom<LoginProvider>(isLoginProvider),
          ],
          { error: 'each value must be a token string or a LoginProvider (id, loginsKey, signIn)' },
        ),
        { error: 'must be an object of Logins key → token or LoginProvider' },
      )
      .check(
        z.refine((logins) => Object.keys(logins).length <= 10, { error: 'must have at most 10 entries' }),
      ),
  ),
  allowGuest: z.optional(z.boolean({ error: 'must be a boolean' })),
  refreshWindowSeconds: z.optional(
    z
      .number({ error: 'must be a number of seconds' })
      .check(
        z.refine(Number.isFinite, { error: 'must be finite' }),
        z.gte(0, { error: 'must be at least 0' }),
        z.lte(3000, { error: 'must be at most 3000 (credentials live one hour)' }),
      ),
  ),
  persistCredentials: z.optional(z.boolean({ error: 'must be a boolean' })),
  customRoleArn: z.optional(
    z
      .string({ error: 'must be a string' })
      .check(
        z.minLength(20, { error: 'must be at least 20 characters' }),
        z.maxLength(2048, { error: 'must be at most 2048 characters' }),
        z.regex(/^arn:/, { error: 'must be an ARN ("arn:aws:iam::<account>:role/<name>")' }),
      ),
  ),
  accountId: z.optional(
    z
      .string({ error: 'must be a string of digits' })
      .check(z.regex(/^\d{1,15}$/, { error: 'must be 1 to 15 digits' })),
  ),
  clock: z.optional(z.custom<Clock>(hasFunctions('now'), { error: 'must have a now() function' })),
  retry: z.optional(
    z.strictObject(
      {
        maxAttempts: z.optional(
          z
            .number({ error: 'must be a number' })
            .check(
              z.int({ error: 'must be a whole number' }),
              z.gte(1, { error: 'must be at least 1' }),
              z.lte(10, { error: 'must be at most 10' }),
            ),
        ),
        baseDelayMs: z.optional(
          z
            .number({ error: 'must be a number' })
            .check(
              z.refine(Number.isFinite, { error: 'must be finite' }),
              z.gte(0, { error: 'must be at least 0' }),
            ),
        ),
        maxDelayMs: z.optional(
          z
            .number({ error: 'must be a number' })
            .check(
              z.refine(Number.isFinite, { error: 'must be finite' }),
              z.gte(0, { error: 'must be at least 0' }),
            ),
        ),
      },
      { error: 'must be an object' },
    ),
  ),
  requestTimeoutMs: z.optional(
    z
      .number({ error: 'must be a number of milliseconds' })
      .check(
        z.int({ error: 'must be a whole number of milliseconds' }),
        z.gte(100, { error: 'must be at least 100' }),
        z.lte(300_000, { error: 'must be at most 300000 (5 minutes)' }),
      ),
  ),
  storageKeyPrefix: z.optional(
    z
      .string({ error: 'must be a string' })
      .check(z.regex(/^[\w.@-]{1,64}$/, { error: 'must be 1 to 64 letters, digits or ._@-' })),
  ),
  storageTimeoutMs: z.optional(
    z
      .number({ error: 'must be a number of milliseconds' })
      .check(
        z.refine(Number.isFinite, { error: 'must be finite' }),
        z.gte(1, { error: 'must be at least 1' }),
        z.lte(600_000, { error: 'must be at most 600000 (ten minutes)' }),
      ),
  ),
  coordinateTabs: z.optional(z.boolean({ error: 'must be a boolean' })),
  flow: z.optional(z.enum(['enhanced', 'basic'], { error: 'must be "enhanced" or "basic"' })),
  roleArn: roleArnSchema,
  unauthRoleArn: roleArnSchema,
  authRoleArn: roleArnSchema,
  inspect: z.optional(
    z.custom<Inspector>((value) => typeof value === 'function' || hasFunctions('next')(value), {
      error: 'must be a function or an observer with a next() function (an xstate inspector)',
    }),
  ),
  lifecycle: z.optional(
    z.custom<LifecycleSource>(hasFunctions('subscribe'), {
      error: 'must have a subscribe(onPausedChange) function, e.g. appStateLifecycle(AppState)',
    }),
  ),
});

/** The role options of the basic flow: only with it, and `roleArn` or the pair, not both. */
function checkFlowRoles(options: z.infer<typeof optionsSchema>): void {
  const roles = (['roleArn', 'unauthRoleArn', 'authRoleArn'] as const).filter((key) => options[key]);
  if (options.flow !== 'basic') {
    if (roles[0]) throw new ConfigurationError(roles[0], "is only used with flow: 'basic'");
    return;
  }
  if (roles.length === 0) {
    throw new ConfigurationError(
      'roleArn',
      "flow 'basic' needs roleArn, or unauthRoleArn and/or authRoleArn",
    );
  }
  if (options.roleArn && roles.length > 1) {
    throw new ConfigurationError(
      roles[1] as string,
      'give either roleArn or unauthRoleArn/authRoleArn, not both',
    );
  }
  if (!options.roleArn && !options.unauthRoleArn && options.allowGuest !== false) {
    throw new ConfigurationError(
      'unauthRoleArn',
      "flow 'basic' with guests allowed needs unauthRoleArn (or roleArn, or allowGuest: false)",
    );
  }
}

type Issue = { code: string; path: PropertyKey[]; message: string; keys?: string[] };

function toConfigurationError(issue: Issue): ConfigurationError {
  const field = issue.path.map(String).join('.') || 'options';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys ?? [];
    const where = field === 'options' ? '' : `${field}.`;
    return new ConfigurationError(
      `${where}${keys[0] ?? '?'}`,
      `is not a known option${keys.length > 1 ? ` (nor ${keys.slice(1).join(', ')})` : ''}`,
    );
  }
  return new ConfigurationError(field, issue.message);
}

/**
 * Validates the options and fills in the defaults.
 * @throws ConfigurationError naming the first bad field and the rule it broke.
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigurationError('options', 'must be an object with at least identityPoolId');
  }
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    throw toConfigurationError(parsed.error.issues[0] as Issue);
  }
  const options = parsed.data;
  for (const [key, value] of Object.entries(options.logins ?? {})) {
    if (typeof value !== 'string' && value.loginsKey !== key) {
      throw new ConfigurationError(
        `logins.${key}`,
        `the provider's loginsKey is "${value.loginsKey}"; use it as the key`,
      );
    }
  }
  checkFlowRoles(options);
  const retry = options.retry ?? {};
  return {
    identityPoolId: options.identityPoolId,
    region: options.region ?? options.identityPoolId.slice(0, options.identityPoolId.indexOf(':')),
    endpoint: options.endpoint,
    transport: options.transport,
    storage: options.storage,
    logins: options.logins ?? {},
    allowGuest: options.allowGuest ?? true,
    refreshWindowSeconds: options.refreshWindowSeconds ?? 300,
    persistCredentials: options.persistCredentials ?? false,
    customRoleArn: options.customRoleArn,
    accountId: options.accountId,
    clock: options.clock,
    retry: {
      maxAttempts: retry.maxAttempts ?? 3,
      baseDelayMs: retry.baseDelayMs ?? 100,
      maxDelayMs: retry.maxDelayMs ?? 20_000,
    },
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    storageKeyPrefix: options.storageKeyPrefix ?? 'identity-pool',
    storageTimeoutMs: options.storageTimeoutMs ?? DEFAULT_STORAGE_TIMEOUT_MS,
    coordinateTabs: options.coordinateTabs ?? true,
    flow: options.flow ?? 'enhanced',
    roleArn: options.roleArn,
    unauthRoleArn: options.unauthRoleArn,
    authRoleArn: options.authRoleArn,
    inspect: options.inspect,
    lifecycle: options.lifecycle,
  };
}

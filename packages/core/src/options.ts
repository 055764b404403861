import { checkOptions } from '#options-check';
import type { Clock } from './clock.js';
import { ConfigurationError } from './errors.js';
import type { Inspector } from './inspect.js';
import type { LifecycleSource } from './lifecycle.js';
import { readingOption, readOptionsObject } from './options-read.js';
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

/** The role options of the basic flow: only with it, and `roleArn` or the pair, not both. */
function checkFlowRoles(options: IdentityPoolAuthOptions): void {
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

/**
 * Validates the options and fills in the defaults.
 * @throws ConfigurationError naming the first bad field and the rule it broke, or the one that
 * could not be read (a throwing getter or Proxy trap, there or in an object the checks look into).
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  return readingOption('options', () => resolveReadOptions(input));
}

function resolveReadOptions(input: unknown): ResolvedOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigurationError('options', 'must be an object with at least identityPoolId');
  }
  // zod's schema in development builds and on servers; a hand-written check in production
  // browser builds (package.json `imports`, the `production` condition): the same rules, applied
  // to the same copy of the options.
  const options = checkOptions(readOptionsObject(input));
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

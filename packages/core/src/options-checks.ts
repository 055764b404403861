/**
 * The options' rules without a schema library, for production browser builds: what
 * `#options-check` resolves to under the `production` export condition (package.json). The same
 * rules as `options-schema.ts` (zod, everywhere else) and the same `ConfigurationError` fields, in
 * shorter words; `test/unit/options-checks.test.ts` holds the two to one table of bad options.
 */
import { ConfigurationError } from './errors.js';
import type { IdentityPoolAuthOptions } from './options.js';
import {
  hasFunctions,
  IDENTITY_POOL_ID_PATTERN,
  isHttpUrl,
  isLoginProvider,
  LIFECYCLE_RULE,
} from './options-rules.js';

/** The rule a value breaks, in words, or undefined when it keeps them all. */
type Rule = (value: unknown) => string | undefined;

const text =
  (test: (value: string) => boolean, rule: string): Rule =>
  (value) =>
    typeof value !== 'string' ? 'must be a string' : test(value) ? undefined : rule;

const matching = (pattern: RegExp, rule: string) => text((value) => pattern.test(value), rule);

const number =
  (min: number, max: number, whole?: boolean): Rule =>
  (value) =>
    typeof value !== 'number' || !Number.isFinite(value)
      ? 'must be a finite number'
      : whole && !Number.isInteger(value)
        ? 'must be a whole number'
        : value < min || value > max
          ? `must be from ${min} to ${max}`
          : undefined;

const flag: Rule = (value) => (typeof value === 'boolean' ? undefined : 'must be a boolean');

const withFunctions =
  (...names: string[]): Rule =>
  (value) =>
    hasFunctions(...names)(value) ? undefined : `must have the functions ${names.join(', ')}`;

const arn = text(
  (value) => value.length >= 20 && value.length <= 2048 && value.startsWith('arn:'),
  'must be an ARN ("arn:aws:iam::<account>:role/<name>"), 20 to 2048 characters',
);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks each key of `value` against `rules`; `path` prefixes the field named. */
function checkObject(value: Record<string, unknown>, rules: Record<string, Rule>, path: string): void {
  for (const key of Object.keys(value)) {
    // Own keys only: `constructor`, `toString` or `__proto__` are options no more than typos are.
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (!rule) throw new ConfigurationError(path + key, 'is not a known option');
    const broken = value[key] === undefined ? undefined : rule(value[key]);
    if (broken) throw new ConfigurationError(path + key, broken);
  }
}

const retryRules: Record<string, Rule> = {
  maxAttempts: number(1, 10, true),
  baseDelayMs: number(0, Number.POSITIVE_INFINITY),
  maxDelayMs: number(0, Number.POSITIVE_INFINITY),
};

function checkLogins(logins: unknown): void {
  if (!isObject(logins)) throw new ConfigurationError('logins', 'must be an object of Logins key → token');
  const keys = Object.keys(logins);
  if (keys.length > 10) throw new ConfigurationError('logins', 'must have at most 10 entries');
  for (const key of keys) {
    const value = logins[key];
    const token = typeof value === 'string' && value.length > 0 && value.length <= 50_000;
    if (key.length === 0 || key.length > 128 || !(token || isLoginProvider(value))) {
      throw new ConfigurationError(
        `logins.${key}`,
        'keys are 1 to 128 characters; values a token of 1 to 50000 characters or a LoginProvider',
      );
    }
  }
}

const rules: Record<string, Rule> = {
  identityPoolId: text(
    (value) => value.length <= 55 && IDENTITY_POOL_ID_PATTERN.test(value),
    'must be "<region>:<guid>" (lowercase hex), at most 55 characters',
  ),
  region: matching(/^[a-z0-9-]{1,64}$/, 'must be an AWS region name such as "us-east-1"'),
  endpoint: text(isHttpUrl, 'must be an http(s) URL'),
  transport: withFunctions('getId', 'getCredentialsForIdentity'),
  storage: withFunctions('getItem', 'setItem', 'removeItem'),
  logins: () => undefined, // checkLogins
  allowGuest: flag,
  refreshWindowSeconds: number(0, 3000),
  persistCredentials: flag,
  customRoleArn: arn,
  accountId: matching(/^\d{1,15}$/, 'must be 1 to 15 digits'),
  clock: withFunctions('now'),
  retry: (value) => {
    if (!isObject(value)) return 'must be an object';
    checkObject(value, retryRules, 'retry.');
  },
  requestTimeoutMs: number(100, 300_000, true),
  storageKeyPrefix: matching(/^[\w.@-]{1,64}$/, 'must be 1 to 64 letters, digits or ._@-'),
  storageTimeoutMs: number(1, 600_000),
  coordinateTabs: flag,
  flow: (value) => (value === 'enhanced' || value === 'basic' ? undefined : 'must be "enhanced" or "basic"'),
  roleArn: arn,
  unauthRoleArn: arn,
  authRoleArn: arn,
  inspect: (value) =>
    typeof value === 'function' || hasFunctions('next')(value)
      ? undefined
      : 'must be a function or an observer with a next() function',
  lifecycle: (value) => (hasFunctions('subscribe')(value) ? undefined : LIFECYCLE_RULE),
};

/**
 * The options checked by hand (a copy, so a getter is read once).
 * @throws ConfigurationError naming the first bad field and the rule it broke.
 */
export function checkOptions(input: object): IdentityPoolAuthOptions {
  const options: Record<string, unknown> = { ...input };
  if (typeof options.identityPoolId !== 'string') {
    throw new ConfigurationError(
      'identityPoolId',
      'is required and must be a string like "us-east-1:<guid>"',
    );
  }
  checkObject(options, rules, '');
  if (options.logins !== undefined) checkLogins(options.logins);
  return options as unknown as IdentityPoolAuthOptions;
}

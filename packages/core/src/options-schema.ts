/**
 * The options' rules in zod, for development builds, Node and servers: the default of
 * `#options-check` in package.json. Production browser builds get `options-checks.ts` instead.
 */
import * as z from 'zod/mini';
import type { Clock } from './clock.js';
import { ConfigurationError } from './errors.js';
import type { Inspector } from './inspect.js';
import type { LifecycleSource } from './lifecycle.js';
import type { IdentityPoolAuthOptions } from './options.js';
import {
  hasFunctions,
  IDENTITY_POOL_ID_PATTERN,
  isHttpUrl,
  isLoginProvider,
  LIFECYCLE_RULE,
} from './options-rules.js';
import type { CognitoIdentityTransport, LoginProvider, StorageAdapter } from './types.js';

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
      z.refine(isHttpUrl, {
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
      error: LIFECYCLE_RULE,
    }),
  ),
});

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
 * The options checked against the schema (a copy holding the known keys).
 * @throws ConfigurationError naming the first bad field and the rule it broke.
 */
export function checkOptions(input: object): IdentityPoolAuthOptions {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) throw toConfigurationError(parsed.error.issues[0] as Issue);
  return parsed.data as IdentityPoolAuthOptions;
}

import * as z from 'zod/mini';
import { describeError, StorageError } from '../errors.js';
import type { IdentityPoolCredentials, StorageAdapter } from '../types.js';
import { type SignOutRecord, signOutRecordSchema } from './sign-out-record.js';

/** Bumped when the stored shape changes; values of another version are ignored. */
export const STORAGE_SCHEMA_VERSION = 1;

/** What is kept about the identity. Login tokens never are. */
export interface StoredIdentity {
  identityId: string;
  authenticated: boolean;
  /** Logins keys linked to the identity, so a returning user is asked for the right login. */
  providers: string[];
}

/** The identity part of a larger value (an actor's result): what is stored. */
export const storedIdentityOf = ({
  identityId,
  authenticated,
  providers,
}: StoredIdentity): StoredIdentity => ({
  identityId,
  authenticated,
  providers,
});

const identityIdSchema = z.string().check(z.maxLength(55), z.regex(/^[\w-]+:[0-9a-f-]+$/));

const stampPart = z.optional(z.number().check(z.int(), z.nonnegative()));

const storedIdentitySchema = z.object({
  v: z.literal(STORAGE_SCHEMA_VERSION),
  identityId: identityIdSchema,
  authenticated: z.boolean(),
  providers: z.array(z.string().check(z.minLength(1), z.maxLength(128))).check(z.maxLength(20)),
  /** With tab coordination: the sequence number of the lock hold that wrote it (`tabs.ts`). */
  s: stampPart,
  /** …and of the latest sign-out before it. */
  o: stampPart,
  /** The sign-out record it was obtained under (`sign-out-record.ts`), if there was one. */
  m: z.optional(z.string().check(z.maxLength(64))),
});

/** Where a stored identity stands among the tabs' records (`tabs.ts`): written under the pool's lock. */
export interface IdentityStamp {
  /** The sequence number of the lock hold that made it. */
  seq: number;
  /** The sequence number of the latest sign-out before it (its own for a sign-out), 0 for none. */
  signedOutAt: number;
}

const storedCredentialsSchema = z.object({
  v: z.literal(STORAGE_SCHEMA_VERSION),
  identityId: identityIdSchema,
  accessKeyId: z.string().check(z.minLength(1), z.maxLength(256)),
  secretAccessKey: z.string().check(z.minLength(1), z.maxLength(1024)),
  sessionToken: z.string().check(z.minLength(1), z.maxLength(16_384)),
  expiration: z.number().check(z.int(), z.positive()),
});

/** The same identity, in the same standing: guest or not, linked to the same providers. */
export const sameIdentity = (a: StoredIdentity | undefined, b: StoredIdentity | undefined): boolean =>
  !!a &&
  !!b &&
  a.identityId === b.identityId &&
  a.authenticated === b.authenticated &&
  [...a.providers].sort().join() === [...b.providers].sort().join();

type IdentityEnvelope = z.infer<typeof storedIdentitySchema>;
type CredentialsEnvelope = z.infer<typeof storedCredentialsSchema>;

/** The identity as it is written: in storage, and in the messages and records of `tabs.ts`. */
export const identityEnvelope = (identity: StoredIdentity): IdentityEnvelope => ({
  v: STORAGE_SCHEMA_VERSION,
  ...storedIdentityOf(identity),
});

/** An identity envelope checked against the schema, or undefined. */
export function readIdentityEnvelope(value: unknown): StoredIdentity | undefined {
  const parsed = storedIdentitySchema.safeParse(value);
  return parsed.success ? storedIdentityOf(parsed.data) : undefined;
}

/** Credentials as they are written: in storage (`persistCredentials`), and in `tabs.ts` messages. */
export const credentialsEnvelope = (credentials: IdentityPoolCredentials): CredentialsEnvelope => ({
  v: STORAGE_SCHEMA_VERSION,
  identityId: credentials.identityId,
  accessKeyId: credentials.accessKeyId,
  secretAccessKey: credentials.secretAccessKey,
  sessionToken: credentials.sessionToken,
  expiration: credentials.expiration.getTime(),
});

const fromCredentialsEnvelope = (value: CredentialsEnvelope): IdentityPoolCredentials =>
  Object.freeze({
    accessKeyId: value.accessKeyId,
    secretAccessKey: value.secretAccessKey,
    sessionToken: value.sessionToken,
    expiration: new Date(value.expiration),
    identityId: value.identityId,
  });

/** A credentials envelope checked against the schema, or undefined. */
export function readCredentialsEnvelope(value: unknown): IdentityPoolCredentials | undefined {
  const parsed = storedCredentialsSchema.safeParse(value);
  return parsed.success ? fromCredentialsEnvelope(parsed.data) : undefined;
}

/** The keys of one pool, e.g. `identity-pool:v1:us-east-1:<guid>:identity`. */
export function storageKeys(prefix: string, identityPoolId: string) {
  const base = `${prefix}:v${STORAGE_SCHEMA_VERSION}:${identityPoolId}`;
  return {
    identity: `${base}:identity`,
    credentials: `${base}:credentials`,
    /** The sign-out record (`sign-out-record.ts`): written by logout/clear, never removed by them. */
    signedOut: `${base}:signedOut`,
  } as const;
}

/**
 * Reads and writes one pool's session through a `StorageAdapter`. Every failure of the adapter
 * (a throw, a rejected promise) and every unreadable value is reported through `onError` and
 * then treated as missing: storage never fails sign-in, and a bad value never costs the others.
 */
export class SessionStore {
  readonly keys: ReturnType<typeof storageKeys>;
  constructor(
    private readonly adapter: StorageAdapter,
    prefix: string,
    identityPoolId: string,
    private readonly onError: (error: StorageError) => void,
  ) {
    this.keys = storageKeys(prefix, identityPoolId);
  }

  async loadIdentity(): Promise<StoredIdentity | undefined> {
    return (await this.loadStampedIdentity())?.identity;
  }

  /** The stored identity, and its stamp when a coordinating tab wrote it. */
  async loadStampedIdentity(): Promise<
    { identity: StoredIdentity; stamp?: IdentityStamp; signOutId?: string | undefined } | undefined
  > {
    const value = await this.read(this.keys.identity, storedIdentitySchema);
    if (!value) return undefined;
    const identity = storedIdentityOf(value);
    const stamped = value.s ? { identity, stamp: { seq: value.s, signedOutAt: value.o ?? 0 } } : { identity };
    return { ...stamped, signOutId: value.m };
  }

  /** `signOutId`: the sign-out record the identity was obtained under (`sign-out-record.ts`). */
  async saveIdentity(
    identity: StoredIdentity,
    stamp?: IdentityStamp,
    signOutId?: string | null,
  ): Promise<void> {
    await this.write(this.keys.identity, {
      ...identityEnvelope(identity),
      ...(stamp ? { s: stamp.seq, o: stamp.signedOutAt } : {}),
      ...(signOutId ? { m: signOutId } : {}),
    });
  }

  /** Credentials of `identityId`, or undefined when none are stored for that identity. */
  async loadCredentials(identityId: string): Promise<IdentityPoolCredentials | undefined> {
    const value = await this.read(this.keys.credentials, storedCredentialsSchema);
    if (!value || value.identityId !== identityId) return undefined;
    return fromCredentialsEnvelope(value);
  }

  async saveCredentials(credentials: IdentityPoolCredentials): Promise<void> {
    await this.write(this.keys.credentials, credentialsEnvelope(credentials));
  }

  async removeCredentials(): Promise<void> {
    await this.remove(this.keys.credentials);
  }

  /** Removes exactly this pool's keys. */
  async clear(): Promise<void> {
    await Promise.all([this.remove(this.keys.identity), this.remove(this.keys.credentials)]);
  }

  /** The sign-out record, or undefined (none, unreadable, or storage failed: no news). */
  async loadSignOut(): Promise<SignOutRecord | undefined> {
    return this.read(this.keys.signedOut, signOutRecordSchema);
  }

  async saveSignOut(record: SignOutRecord): Promise<void> {
    await this.write(this.keys.signedOut, record);
  }

  private async read<T>(key: string, schema: z.ZodMiniType<T>): Promise<T | undefined> {
    let raw: string | null;
    try {
      raw = await this.adapter.getItem(key);
    } catch (error) {
      this.onError(new StorageError('getItem', key, describeError(error)));
      return undefined;
    }
    if (raw === null || raw === undefined) return undefined;
    let value: unknown;
    try {
      value = typeof raw === 'string' ? JSON.parse(raw) : raw;
    } catch {
      value = undefined;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    // Never echo the value: it may hold a secret.
    this.onError(
      new StorageError('parse', key, 'the stored value is not one this version wrote; it was discarded'),
    );
    await this.remove(key);
    return undefined;
  }

  private async write(key: string, value: object): Promise<void> {
    try {
      await this.adapter.setItem(key, JSON.stringify(value));
    } catch (error) {
      this.onError(new StorageError('setItem', key, describeError(error)));
    }
  }

  private async remove(key: string): Promise<void> {
    try {
      await this.adapter.removeItem(key);
    } catch (error) {
      this.onError(new StorageError('removeItem', key, describeError(error)));
    }
  }
}

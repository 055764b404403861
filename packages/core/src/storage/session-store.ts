import { systemClock } from '../clock.js';
import { StorageError } from '../errors.js';
import { describeError } from '../redact.js';
import * as is from '../shape.js';
import type { Awaitable, IdentityPoolCredentials, StorageAdapter, StorageWriteOptions } from '../types.js';
import { boundedCall, type CallOutcome, type CallTimers } from './bounded-call.js';
import { KeyQueue } from './key-queue.js';
import { foreignReason, type RecordScope, regionOf, trustedCredentials } from './record-scope.js';
import { type SignOutRecord, signOutRecordSchema } from './sign-out-record.js';

/**
 * The version in the storage keys and in the envelopes the tabs exchange (`tabs.ts`). Stored
 * records carry their own version, {@link STORED_RECORD_VERSION}.
 */
export const STORAGE_SCHEMA_VERSION = 1;

/**
 * The version of stored records. 2: the record names its pool and region. Records of version 1
 * (the previous release) are read, checked by their identity ID's region, and rewritten as 2, so
 * a returning user keeps their identity.
 */
export const STORED_RECORD_VERSION = 2;

/** How long one adapter call may take by default before it counts as failed. */
export const DEFAULT_STORAGE_TIMEOUT_MS = 5_000;

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

const identityIdSchema = is.string(55, /^[\w-]+:[0-9a-f-]+$/);

const stampPart = is.optional(is.integer(0));

const storedIdentityShape = {
  v: is.literal(STORAGE_SCHEMA_VERSION),
  identityId: identityIdSchema,
  authenticated: is.boolean,
  providers: is.array(is.nonEmptyString(128), 20),
  /** With tab coordination: the sequence number of the lock hold that wrote it (`tabs.ts`). */
  s: stampPart,
  /** …and of the latest sign-out before it. */
  o: stampPart,
  /** The sign-out record it was obtained under (`sign-out-record.ts`), if there was one. */
  m: is.optional(is.string(64)),
};
const storedIdentitySchema = is.object(storedIdentityShape);

/** Where a stored identity stands among the tabs' records (`tabs.ts`): written under the pool's lock. */
export interface IdentityStamp {
  /** The sequence number of the lock hold that made it. */
  seq: number;
  /** The sequence number of the latest sign-out before it (its own for a sign-out), 0 for none. */
  signedOutAt: number;
}

/** The last instant a `Date` can hold (ECMAScript's ±8.64e15 ms). */
const MAX_DATE_MS = 8.64e15;

const storedCredentialsShape = {
  v: is.literal(STORAGE_SCHEMA_VERSION),
  identityId: identityIdSchema,
  accessKeyId: is.nonEmptyString(256),
  secretAccessKey: is.nonEmptyString(1024),
  sessionToken: is.nonEmptyString(16_384),
  /** Epoch ms, at most the last instant a Date holds: a larger one would be an Invalid Date. */
  expiration: is.integer(1, MAX_DATE_MS),
};
const storedCredentialsSchema = is.object(storedCredentialsShape);

/** The same identity, in the same standing: guest or not, linked to the same providers. */
export const sameIdentity = (a: StoredIdentity | undefined, b: StoredIdentity | undefined): boolean =>
  !!a &&
  !!b &&
  a.identityId === b.identityId &&
  a.authenticated === b.authenticated &&
  [...a.providers].sort().join() === [...b.providers].sort().join();

/** What stored records add to the envelopes: their version, and whose they are. */
const recordPart = {
  v: is.literal(1, STORED_RECORD_VERSION),
  pool: is.optional(is.string()),
  region: is.optional(is.string()),
};
const identityRecordSchema = is.object({ ...storedIdentityShape, ...recordPart });
const credentialsRecordSchema = is.object({ ...storedCredentialsShape, ...recordPart });
type StoredRecord = { v: number; identityId: string; pool?: string | undefined; region?: string | undefined };

type IdentityEnvelope = is.Checked<typeof storedIdentityShape>;
type CredentialsEnvelope = is.Checked<typeof storedCredentialsShape>;

/** The identity as it is written: in storage, and in the messages and records of `tabs.ts`. */
export const identityEnvelope = (identity: StoredIdentity): IdentityEnvelope => ({
  v: STORAGE_SCHEMA_VERSION,
  ...storedIdentityOf(identity),
});

/** An identity envelope checked against the schema, or undefined. */
export function readIdentityEnvelope(value: unknown): StoredIdentity | undefined {
  const parsed = is.parse(storedIdentitySchema, value);
  return parsed && storedIdentityOf(parsed);
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

const fromCredentialsEnvelope = (value: Omit<CredentialsEnvelope, 'v'>): IdentityPoolCredentials =>
  Object.freeze({
    accessKeyId: value.accessKeyId,
    secretAccessKey: value.secretAccessKey,
    sessionToken: value.sessionToken,
    expiration: new Date(value.expiration),
    identityId: value.identityId,
  });

/** A credentials envelope checked against the schema, or undefined. */
export function readCredentialsEnvelope(value: unknown): IdentityPoolCredentials | undefined {
  const parsed = is.parse(storedCredentialsSchema, value);
  return parsed && fromCredentialsEnvelope(parsed);
}

/** The secret values of a record being written (credentials' secret key and session token). */
/** The secret fields of a value as it was written (JSON), if it has any. */
function secretFieldsOfJson(json: string): unknown[] {
  try {
    const value = JSON.parse(json) as Partial<CredentialsEnvelope> | null;
    return value && typeof value === 'object' ? [value.secretAccessKey, value.sessionToken] : [];
  } catch {
    return [];
  }
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
 * A share in the session's storage writes, taken when a piece of the session's work begins.
 * `clear()` ends every lease taken before it (and `removeCredentials()` their credential
 * writes): a write of an ended lease is dropped, so work that began before a logout cannot
 * write the signed-out identity or its credentials back after it.
 */
export interface StoreLease {
  readonly generation: number;
  readonly credentialsGeneration: number;
}

export interface SessionStoreOptions {
  /** The session's region; records of another are discarded. Default: the pool ID's prefix. */
  region?: string | undefined;
  /** The longest one adapter call may take, ms; a slower one counts as failed. Default 5 000. */
  timeoutMs?: number | undefined;
  /** Epoch-ms now, for how long stored credentials are trusted (the session's clock). */
  clock?: { now(): number } | undefined;
  /** The timers of the time-outs: real time (storage latency is real), unless a test says otherwise. */
  timers?: CallTimers | undefined;
}

type Operation = 'getItem' | 'setItem' | 'removeItem';

/**
 * Reads and writes one pool's session through a `StorageAdapter`. Every failure of the adapter
 * (a throw, a rejected promise, no answer within the time-out) and every unreadable or foreign
 * value is reported through `onError` and then treated as missing: storage never fails sign-in,
 * and a bad value never costs the others. Calls on one key reach the adapter one after the
 * other, in the order they were made (`KeyQueue`), and every write belongs to a lease.
 */
export class SessionStore {
  readonly keys: ReturnType<typeof storageKeys>;
  private readonly scope: RecordScope;
  private readonly timeoutMs: number;
  private readonly clock: { now(): number };
  private readonly timers: CallTimers;
  private readonly queue = new KeyQueue();
  private generation = 0;
  private credentialsGeneration = 0;
  /** Per key: how many writes and removes were sent, and the last one (a value, or null for a remove). */
  private readonly sent = new Map<
    string,
    { count: number; last: string | null; options?: StorageWriteOptions | undefined }
  >();

  constructor(
    private readonly adapter: StorageAdapter,
    prefix: string,
    identityPoolId: string,
    private readonly onError: (error: StorageError) => void,
    options: SessionStoreOptions = {},
  ) {
    this.keys = storageKeys(prefix, identityPoolId);
    this.scope = { identityPoolId, region: options.region ?? regionOf(identityPoolId) };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_STORAGE_TIMEOUT_MS;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemClock;
  }

  /** A lease for work beginning now: its writes land unless `clear()` comes first. */
  lease(): StoreLease {
    return { generation: this.generation, credentialsGeneration: this.credentialsGeneration };
  }

  /** Ends every lease taken so far: their writes not yet sent are dropped. */
  endLeases(): void {
    this.generation++;
    this.credentialsGeneration++;
  }

  async loadIdentity(): Promise<StoredIdentity | undefined> {
    return (await this.loadStampedIdentity())?.identity;
  }

  /** The stored identity, and its stamp when a coordinating tab wrote it. */
  async loadStampedIdentity(): Promise<
    { identity: StoredIdentity; stamp?: IdentityStamp; signOutId?: string | undefined } | undefined
  > {
    const lease = this.lease();
    const value = await this.read(this.keys.identity, identityRecordSchema);
    if (!value) return undefined;
    const identity = storedIdentityOf(value);
    const stamp = value.s ? { seq: value.s, signedOutAt: value.o ?? 0 } : undefined;
    if (value.v < STORED_RECORD_VERSION) await this.saveIdentity(identity, stamp, lease, value.m);
    return { identity, ...(stamp ? { stamp } : {}), signOutId: value.m };
  }

  /**
   * Writes the identity, unless `lease` (by default, one taken now) has ended by the time its turn
   * comes. `signOutId`: the sign-out record the identity was obtained under (`sign-out-record.ts`).
   */
  async saveIdentity(
    identity: StoredIdentity,
    stamp?: IdentityStamp,
    lease = this.lease(),
    signOutId?: string | null,
  ): Promise<void> {
    await this.write(
      this.keys.identity,
      {
        ...identityEnvelope(identity),
        ...this.recordHeader(),
        ...(stamp ? { s: stamp.seq, o: stamp.signedOutAt } : {}),
        ...(signOutId ? { m: signOutId } : {}),
      },
      lease,
    );
  }

  /**
   * Credentials of `identityId`, or undefined when none are stored for that identity. Their
   * expiration is their own, but never later than the service could have issued them for.
   */
  async loadCredentials(identityId: string): Promise<IdentityPoolCredentials | undefined> {
    const lease = this.lease();
    const value = await this.read(this.keys.credentials, credentialsRecordSchema);
    if (!value || value.identityId !== identityId) return undefined;
    const stored = fromCredentialsEnvelope(value);
    if (value.v < STORED_RECORD_VERSION) await this.saveCredentials(stored, lease);
    return trustedCredentials(stored, this.clock.now());
  }

  async saveCredentials(credentials: IdentityPoolCredentials, lease = this.lease()): Promise<void> {
    await this.write(
      this.keys.credentials,
      { ...credentialsEnvelope(credentials), ...this.recordHeader() },
      lease,
      // Adapters with expiry (Redis) keep the value no longer than the credentials live.
      { expiresAt: credentials.expiration.getTime() },
    );
  }

  /** Removes the credentials, after every earlier call on them; credential writes of earlier leases are dropped. */
  async removeCredentials(): Promise<void> {
    this.credentialsGeneration++;
    await this.remove(this.keys.credentials);
  }

  /**
   * Removes exactly this pool's keys and ends every lease taken so far. Resolves once every
   * earlier call on those keys has settled and the removes have landed; no write begun before
   * lands after.
   */
  async clear(): Promise<void> {
    this.endLeases();
    await this.removeKeys();
  }

  /** Removes this pool's keys after every earlier call on them, leaving leases as they are. */
  async removeKeys(): Promise<void> {
    await Promise.all([this.remove(this.keys.identity), this.remove(this.keys.credentials)]);
  }

  /** The sign-out record, or undefined (none, unreadable, or storage failed: no news). */
  async loadSignOut(): Promise<SignOutRecord | undefined> {
    return (await this.readSignOut()).record;
  }

  /** The sign-out record, and whether storage answered at all (`readable: false`: the call failed). */
  async readSignOut(): Promise<{ readable: boolean; record?: SignOutRecord | undefined }> {
    let readable = true;
    // It names no pool or identity: the key alone scopes it.
    const record = await this.readChecked(
      this.keys.signedOut,
      signOutRecordSchema,
      () => undefined,
      () => {
        readable = false;
      },
    );
    return { readable, record };
  }

  /** Writes the sign-out record; no `clear()` ends it (a later one supersedes it). */
  async saveSignOut(record: SignOutRecord): Promise<void> {
    await this.write(this.keys.signedOut, record, this.lease());
  }

  private recordHeader() {
    return { v: STORED_RECORD_VERSION, pool: this.scope.identityPoolId, region: this.scope.region };
  }

  private holds(lease: StoreLease, key: string): boolean {
    return (
      lease.generation === this.generation &&
      (key !== this.keys.credentials || lease.credentialsGeneration === this.credentialsGeneration)
    );
  }

  private async read<T extends StoredRecord>(key: string, schema: is.Check<T>): Promise<T | undefined> {
    return this.readChecked(key, schema, (record) => this.scopeProblem(record));
  }

  /**
   * Reads `key`, parsed with `schema` and judged by `problem` (undefined: usable). A value that
   * fails either is reported and removed (unless written since); a failed read is reported. Both
   * read as missing.
   */
  private async readChecked<T>(
    key: string,
    schema: is.Check<T>,
    problem: (value: T) => string | undefined,
    onFailedCall?: () => void,
  ): Promise<T | undefined> {
    const outcome = await this.queue.run(key, () =>
      boundedCall(() => this.adapter.getItem(key), this.timeoutMs, this.timers),
    );
    if (outcome.status !== 'done') {
      this.onError(this.failure('getItem', key, outcome));
      onFailedCall?.();
      return undefined;
    }
    const raw = outcome.value;
    if (raw === null || raw === undefined) return undefined;
    const sentBefore = this.sent.get(key)?.count ?? 0;
    let value: unknown;
    try {
      value = typeof raw === 'string' ? JSON.parse(raw) : raw;
    } catch {
      value = undefined;
    }
    const parsed = is.parse(schema, value);
    // Never echo the value: it may hold a secret.
    const reason = parsed ? problem(parsed) : 'the stored value is not one this version wrote';
    if (!reason) return parsed;
    this.onError(new StorageError('parse', key, `${reason}; it was discarded`));
    await this.discard(key, sentBefore);
    return undefined;
  }

  /** Why a record that parsed is not this session's to use, if it is not. */
  private scopeProblem(record: StoredRecord): string | undefined {
    if (record.v === STORED_RECORD_VERSION && (record.pool === undefined || record.region === undefined))
      return 'the stored value does not name its pool and region';
    const reason = foreignReason(record, this.scope);
    return reason && `the stored value is not this pool's: ${reason}`;
  }

  /** Removes a bad value — unless something was written there since it was read. */
  private discard(key: string, sentBefore: number): Promise<void> {
    return this.queue.run(key, async () => {
      if ((this.sent.get(key)?.count ?? 0) !== sentBefore) return;
      await this.sendRemove(key);
    });
  }

  private write(
    key: string,
    record: object,
    lease: StoreLease,
    options?: StorageWriteOptions,
  ): Promise<void> {
    const value = JSON.stringify(record);
    return this.queue.run(key, async () => {
      // A clear since the lease was taken: this write belongs to work that was signed out.
      if (!this.holds(lease, key)) return;
      const outcome = await this.send(key, value, () => this.setItem(key, value, options), options);
      if (outcome.status !== 'done') this.onError(this.failure('setItem', key, outcome));
    });
  }

  /** `setItem`, with the third argument only when there is one (adapters see two otherwise). */
  private setItem(key: string, value: string, options: StorageWriteOptions | undefined): Awaitable<void> {
    return options ? this.adapter.setItem(key, value, options) : this.adapter.setItem(key, value);
  }

  private remove(key: string): Promise<void> {
    return this.queue.run(key, () => this.sendRemove(key));
  }

  private async sendRemove(key: string): Promise<void> {
    const outcome = await this.send(key, null, () => this.adapter.removeItem(key));
    if (outcome.status !== 'done') this.onError(this.failure('removeItem', key, outcome));
  }

  /**
   * Sends a write (`value`) or remove (null) of `key`. One that times out may still land later,
   * after calls sent since: then the last of those is sent again, so the key ends as the session
   * last left it (a late credentials write cannot outlive the logout that followed it).
   */
  private async send(
    key: string,
    value: string | null,
    invoke: () => Awaitable<void>,
    options?: StorageWriteOptions,
  ) {
    const count = (this.sent.get(key)?.count ?? 0) + 1;
    this.sent.set(key, { count, last: value, options });
    const outcome = await boundedCall(invoke, this.timeoutMs, this.timers);
    if (outcome.status === 'timedOut') void outcome.late.then(() => this.repairAfter(key, count));
    return outcome;
  }

  /** A timed-out call numbered `count` on `key` has landed: undo it if calls were sent after it. */
  private repairAfter(key: string, count: number): void {
    const landedAt = this.sent.get(key)?.count ?? count;
    if (landedAt === count) return;
    void this.queue.run(key, async () => {
      const sent = this.sent.get(key);
      // Sent since it landed: that call already set the key as the session last left it.
      if (!sent || sent.count !== landedAt) return;
      const { last, options } = sent;
      const outcome = await this.send(
        key,
        last,
        () => (last === null ? this.adapter.removeItem(key) : this.setItem(key, last, options)),
        options,
      );
      if (outcome.status !== 'done')
        this.onError(this.failure(last === null ? 'removeItem' : 'setItem', key, outcome));
    });
  }

  /**
   * The `StorageError` for a failed or unanswered call. An adapter may quote what it was asked to
   * write: the last value sent on the key, and every secret field in it, are redacted.
   */
  private failure(operation: Operation, key: string, outcome: CallOutcome<unknown>): StorageError {
    const written = this.sent.get(key)?.last;
    return new StorageError(
      operation,
      key,
      outcome.status === 'failed'
        ? describeError(outcome.error, written ? [written, ...secretFieldsOfJson(written)] : [])
        : `no answer within ${this.timeoutMs} ms (storageTimeoutMs); treated as failed`,
    );
  }
}

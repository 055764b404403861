/**
 * The sign-out record: how sessions that share a storage without sharing memory — server
 * processes over one Redis, a CLI and a daemon over one file — learn that the identity they hold
 * was signed out elsewhere (design.md §7: sign-outs are shared wherever identities are shared).
 *
 * `logout()` and `clear()` remove the pool's identity and credentials keys and then write a
 * small record under `…:signedOut`: a random ID and the time it was written (for people reading
 * storage; never compared). It names no identity and holds no secret, and they never remove it.
 * A sign-out is a record whose ID differs from the one a session knew when it obtained or
 * restored its identity — IDs are compared, not times, so no clocks need to agree. A missing
 * record is no news, never a sign-out: a storage that lost its keys (a restart, an eviction) is
 * still recovered by the next refresh re-saving the identity.
 *
 * Identities are stored with the ID of the record they were obtained under (`m`), so one that a
 * stale session wrote back after a sign-out (its write was already on its way) is recognised as
 * older than that sign-out and never restored.
 */
import { SignedOutError } from '../errors.js';
import * as is from '../shape.js';
import type { SessionStore } from './session-store.js';

const signOutRecordShape = {
  v: is.literal(1),
  id: is.string(64, /^[\w-]{8,64}$/),
  /** Epoch ms on the writer's clock: for people reading storage, never compared. */
  at: is.integer(0),
};
export const signOutRecordSchema = is.object(signOutRecordShape);
export type SignOutRecord = is.Checked<typeof signOutRecordShape>;

/** A unique ID, not a secret (a record only needs to differ from the one before). */
const randomId = (): string =>
  (globalThis as { crypto?: { randomUUID?(): string } }).crypto?.randomUUID?.() ??
  `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

/**
 * One session's view of the sign-out record. `auth.ts` sets `onSignedOut`; `session.ts` reads the
 * record before it obtains an identity (`baseline`) and before it writes or serves one (`verify`);
 * an adapter's push (`watch`) calls `check`.
 */
/**
 * Where a record ID is expected, when the record could not be read as a new identity was obtained
 * (no record has this ID: they match /^[\w-]{8,64}$/). The first record read after it is taken as
 * the one the identity was obtained under: it may well predate the identity (an older record left
 * by a failed own write, or one written before the session started), and a session must not sign
 * itself out because its storage failed once.
 */
export const UNREAD_RECORD = '?';

/** How many of its own records a session remembers as not news. */
const OWN_RECORDS_KEPT = 8;

export class SignOutWatch {
  /** The record ID the session's identity was obtained or restored under; null: there was none. */
  seen: string | null = null;
  /** The last sign-out acted on: a request and a push may both find it, it is acted on once. */
  private handled: string | null = null;
  /** This session's latest own logout/clear: removing the keys and writing its record. */
  private ownWrites: Promise<unknown> = Promise.resolve();
  /** The records this session wrote itself (its latest few). */
  private readonly written = new Set<string>();
  /** Forget the session as a local logout would; called once per sign-out found. */
  onSignedOut: () => void = () => {};

  constructor(private readonly store: SessionStore) {}

  /** The record's ID in storage now; null when there is none or it cannot be read (no news). */
  async read(): Promise<string | null> {
    return (await this.store.loadSignOut())?.id ?? null;
  }

  /** The record the identity the session holds was obtained under, as it is stored (null: none or unknown). */
  get storedUnder(): string | null {
    return this.seen === UNREAD_RECORD ? null : this.seen;
  }

  /**
   * Reads the record as the one the session's next identity is obtained under — after the
   * session's own logout has finished with storage, so its record is the one read and its
   * removals cannot land on the new identity.
   */
  async baseline(): Promise<string | null> {
    this.seen = await this.current();
    return this.seen;
  }

  /**
   * The record a new identity would be obtained under now — after the session's own logout has
   * finished with storage — without changing what the identity the session holds was obtained
   * under: a login that reads a newer record and then fails must not make the session's current
   * identity look as if it had been obtained under it (a sign-out elsewhere would go unheard).
   * A login that commits its new identity `adopt`s the record.
   */
  async current(): Promise<string | null> {
    await this.ownWrites;
    const { readable, record } = await this.store.readSignOut();
    // Unreadable: not known (UNREAD_RECORD) — what the session knew was about its previous
    // identity, and an older record still in storage (its own write failed) is no sign-out.
    if (!readable) return UNREAD_RECORD;
    // None is no news: what the session knew stands (its own record whose write failed).
    return record?.id ?? this.seen;
  }

  /** The session now holds an identity obtained under `id` (a committed login's new identity). */
  adopt(id: string | null): void {
    this.seen = id;
  }

  /**
   * Before an identity obtained under `since` is written or served; resolves to the record to
   * store it under.
   * @throws SignedOutError when a sign-out was recorded since (after telling the session).
   */
  async verify(since: string | null): Promise<string | null> {
    const id = await this.read();
    if (since === UNREAD_RECORD) {
      // Obtained while the record could not be read: the first one read is its baseline.
      if (id !== null && this.seen === UNREAD_RECORD) this.seen = id;
      return id;
    }
    // This session's own records are never news to it (a write reported failed may have landed).
    if (id !== null && id !== since && !this.written.has(id)) {
      this.heard(id);
      throw new SignedOutError();
    }
    // Unreadable now (a storage failure): store it under what was known.
    return id ?? since;
  }

  /** On a push from the adapter: a sign-out the session had not seen ends its identity. */
  async check(): Promise<void> {
    const id = await this.read();
    if (id !== null && id !== this.seen && !this.written.has(id)) this.heard(id);
  }

  /** The record of this session's own logout/clear; known here before it is written. */
  own(now: number): SignOutRecord {
    const record: SignOutRecord = { v: 1, id: randomId(), at: Math.max(0, Math.floor(now)) };
    this.seen = this.handled = record.id;
    this.written.add(record.id);
    // Bounded: only the latest few matter (an older own record is superseded in storage).
    if (this.written.size > OWN_RECORDS_KEPT)
      this.written.delete(this.written.values().next().value as string);
    return record;
  }

  /** The storage work of the session's own logout/clear (`own`), which its next identity waits for. */
  writing(work: Promise<unknown>) {
    this.ownWrites = work.catch(() => {});
  }

  /** Whether an identity stored under `storedUnder` is older than the record `known` now. */
  static predates(storedUnder: string | undefined, known: string | null): boolean {
    return known !== null && known !== UNREAD_RECORD && storedUnder !== known;
  }

  private heard(id: string) {
    this.seen = id;
    if (this.handled === id) return;
    this.handled = id;
    this.onSignedOut();
  }
}

/**
 * At-least-once bookkeeping between fetched records and the apps that process them, one
 * tracker per subscription (pure data structure, no I/O, no timers: the caller passes `now`).
 *
 * - Fetched records are `add`ed per partition in offset order. `next` hands out the ones that
 *   may go now, leased to a session until `now + ackTimeoutMs`, within the ordering mode:
 *   "partition" one in flight per partition, "key" never two in flight with the same key
 *   (per topic; keyless records unordered), "none" anything, and never more than
 *   `maxInFlight` in flight in all.
 * - `ack` in any order; `committable` is the end of the contiguous acknowledged prefix: the
 *   offset of the oldest unacknowledged record, or, when every record is acknowledged, the
 *   offset after the last one fetched (gaps such as transaction markers count as done).
 * - `nack`, an expired lease (`expire`) and `releaseSession` put records back for redelivery
 *   with `attempt + 1`; a nacked record may wait `delayMs` before it goes again. A record
 *   waiting for redelivery holds back the later records of its partition ("partition") or of
 *   its key ("key"), so redelivery keeps the order those modes promise.
 * - `revoke` drops partitions and answers their final committable offsets; acks for them
 *   then fail with RevokedPartitionError until they are assigned again.
 */

export const Ordering = {
  partition: 'partition',
  key: 'key',
  none: 'none',
} as const;
export type Ordering = (typeof Ordering)[keyof typeof Ordering];

export interface AckTrackerOptions {
  readonly ordering: Ordering;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
}

export interface MessageRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** What the tracker hands out: the record's place, its payload, and which delivery this is (1 first). */
export interface Delivery<T> extends MessageRef {
  readonly payload: T;
  readonly attempt: number;
  readonly session: string;
}

export interface TrackedInput<T> {
  readonly offset: bigint;
  /** The record key in any stable text form (e.g. base64), or null for keyless records. */
  readonly key: string | null;
  readonly payload: T;
}

/** An ack or nack for a partition this tracker no longer holds (revoked). */
export class RevokedPartitionError extends Error {
  readonly code = 'PARTITION_REVOKED';
  readonly retriable = false;
  override readonly name = 'RevokedPartitionError';
  constructor(readonly ref: MessageRef) {
    super(`${ref.topic}[${ref.partition}] was revoked; offset ${ref.offset} can no longer be acknowledged (it will be delivered again by its new owner)`);
  }
}

/** An ack or nack for an offset that was never delivered. */
export class UnknownMessageError extends Error {
  readonly code = 'UNKNOWN_MESSAGE';
  readonly retriable = false;
  override readonly name = 'UnknownMessageError';
  constructor(readonly ref: MessageRef) {
    super(`${ref.topic}[${ref.partition}] offset ${ref.offset} was not delivered by this subscription`);
  }
}

const State = { pending: 0, inFlight: 1, acked: 2 } as const;
type State = (typeof State)[keyof typeof State];

interface Entry<T> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | null;
  readonly payload: T;
  state: State;
  /** Deliveries so far. */
  attempt: number;
  session: string | null;
  /** Lease end while in flight; earliest redelivery while pending. */
  at: number;
}

class PartitionLog<T> {
  /** Unacknowledged records and acknowledged ones not yet at the head, in offset order. */
  readonly entries: Entry<T>[] = [];
  head = 0;
  readonly byOffset = new Map<bigint, Entry<T>>();
  inFlight = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** One past the last offset added (or the assigned start). */
    public end: bigint,
  ) {}

  committable(): bigint {
    this.compact();
    return this.head < this.entries.length ? this.entries[this.head].offset : this.end;
  }

  /** Drops acknowledged records at the head. */
  compact(): void {
    while (this.head < this.entries.length && this.entries[this.head].state === State.acked) {
      this.byOffset.delete(this.entries[this.head].offset);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class AckTracker<T> {
  private readonly logs = new Map<string, PartitionLog<T>>();
  private readonly revoked = new Set<string>();
  private readonly inFlight = new Set<Entry<T>>();
  /** Keys in flight, per topic ("key" ordering). */
  private readonly keysInFlight = new Set<string>();
  /** Rotates the partition `next` starts with, so that one busy partition cannot starve the others. */
  private rotation = 0;
  private unackedTotal = 0;

  constructor(readonly options: AckTrackerOptions) {
    if (!(options.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be at least 1, got ${options.maxInFlight}`);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Records held over all partitions (pending or in flight, not yet acknowledged). */
  get unackedSize(): number {
    return this.unackedTotal;
  }

  /** Records held (pending or in flight) for a partition, for backpressure decisions. */
  unacked(topic: string, partition: number): number {
    const log = this.logs.get(partitionKey(topic, partition));
    if (!log) return 0;
    log.compact();
    let n = 0;
    for (let i = log.head; i < log.entries.length; i++) if (log.entries[i].state !== State.acked) n++;
    return n;
  }

  /** Starts tracking a partition at `start` (its committed offset); acks for it are accepted again after a revoke. */
  assign(topic: string, partition: number, start: bigint): void {
    const key = partitionKey(topic, partition);
    this.revoked.delete(key);
    if (!this.logs.has(key)) this.logs.set(key, new PartitionLog(topic, partition, start));
  }

  /**
   * Fetched records of one partition, in offset order; `nextOffset` (the fetch position after
   * them) lets skipped offsets count as done. Records at or below what was already added are ignored.
   */
  add(topic: string, partition: number, records: readonly TrackedInput<T>[], nextOffset?: bigint): void {
    const key = partitionKey(topic, partition);
    let log = this.logs.get(key);
    if (!log) {
      if (records.length === 0) return;
      this.revoked.delete(key);
      this.logs.set(key, (log = new PartitionLog(topic, partition, records[0].offset)));
    }
    for (const r of records) {
      if (r.offset < log.end) continue;
      const entry: Entry<T> = { topic, partition, offset: r.offset, key: r.key, payload: r.payload, state: State.pending, attempt: 0, session: null, at: 0 };
      log.entries.push(entry);
      log.byOffset.set(r.offset, entry);
      log.end = r.offset + 1n;
      this.unackedTotal++;
    }
    if (nextOffset !== undefined && nextOffset > log.end) log.end = nextOffset;
  }

  /** Up to `max` records that may be delivered now, leased to `session` for `leaseMs` (default ackTimeoutMs). */
  next(session: string, max: number, now: number, leaseMs: number = this.options.ackTimeoutMs): Delivery<T>[] {
    const out: Delivery<T>[] = [];
    const logs = [...this.logs.values()];
    if (logs.length === 0) return out;
    const budget = Math.min(max, this.options.maxInFlight - this.inFlight.size);
    const start = this.rotation++ % logs.length;
    for (let i = 0; i < logs.length && out.length < budget; i++) {
      this.takeFrom(logs[(start + i) % logs.length], session, budget, now, leaseMs, out);
    }
    return out;
  }

  private takeFrom(log: PartitionLog<T>, session: string, budget: number, now: number, leaseMs: number, out: Delivery<T>[]): void {
    const ordering = this.options.ordering;
    if (ordering === Ordering.partition && log.inFlight > 0) return;
    log.compact();
    /** Keys seen waiting in this scan: a later record with the same key must not overtake. */
    let blockedKeys: Set<string> | null = null;
    for (let i = log.head; i < log.entries.length && out.length < budget; i++) {
      const e = log.entries[i];
      if (e.state !== State.pending) continue;
      const keyId = e.key === null ? null : `${e.topic}\u0000${e.key}`;
      if (e.at > now) {
        // Waiting for its redelivery time: holds back what it orders.
        if (ordering === Ordering.partition) return;
        if (ordering === Ordering.key && keyId !== null) (blockedKeys ??= new Set()).add(keyId);
        continue;
      }
      if (ordering === Ordering.key && keyId !== null) {
        if (this.keysInFlight.has(keyId) || blockedKeys?.has(keyId)) {
          (blockedKeys ??= new Set()).add(keyId);
          continue;
        }
        this.keysInFlight.add(keyId);
      }
      e.state = State.inFlight;
      e.attempt++;
      e.session = session;
      e.at = now + leaseMs;
      log.inFlight++;
      this.inFlight.add(e);
      out.push({ topic: e.topic, partition: e.partition, offset: e.offset, payload: e.payload, attempt: e.attempt, session });
      if (ordering === Ordering.partition) return;
    }
  }

  /** Marks a record processed. Returns false when it already was. */
  ack(ref: MessageRef): boolean {
    const { log, entry } = this.find(ref);
    if (entry === undefined) {
      if (ref.offset < log.committable()) return false;
      throw new UnknownMessageError(ref);
    }
    if (entry.state === State.acked) return false;
    if (entry.state === State.inFlight) this.leave(log, entry);
    entry.state = State.acked;
    this.unackedTotal--;
    log.compact();
    return true;
  }

  /** Puts an in-flight record back for redelivery after `delayMs`. Returns false when it is not in flight. */
  nack(ref: MessageRef, delayMs: number, now: number): boolean {
    const { log, entry } = this.find(ref);
    if (entry === undefined) {
      if (ref.offset < log.end) return false;
      throw new UnknownMessageError(ref);
    }
    if (entry.state !== State.inFlight) return false;
    this.requeue(log, entry, now + Math.max(0, delayMs));
    return true;
  }

  /** Requeues records whose lease ended at or before `now`; returns them with the session that held them. */
  expire(now: number): Array<MessageRef & { readonly session: string }> {
    const expired: Array<MessageRef & { readonly session: string }> = [];
    for (const e of this.inFlight) {
      if (e.at > now) continue;
      expired.push({ topic: e.topic, partition: e.partition, offset: e.offset, session: e.session ?? '' });
      this.requeue(this.logOf(e), e, now);
    }
    return expired;
  }

  /** The earliest lease end among records in flight, or Infinity: when to call `expire` next. */
  nextExpiry(): number {
    let at = Infinity;
    for (const e of this.inFlight) if (e.at < at) at = e.at;
    return at;
  }

  /** Requeues everything a session holds (its app went away); returns how many. */
  releaseSession(session: string, now: number): number {
    let n = 0;
    for (const e of this.inFlight) {
      if (e.session !== session) continue;
      this.requeue(this.logOf(e), e, now);
      n++;
    }
    return n;
  }

  /** The offset to commit for a partition (next offset to consume), or undefined when it is not tracked. */
  committable(topic: string, partition: number): bigint | undefined {
    return this.logs.get(partitionKey(topic, partition))?.committable();
  }

  committableOffsets(): Array<{ topic: string; partition: number; offset: bigint }> {
    return [...this.logs.values()].map((l) => ({ topic: l.topic, partition: l.partition, offset: l.committable() }));
  }

  /** Stops tracking partitions; answers their final committable offsets. Later acks for them fail. */
  revoke(partitions: ReadonlyArray<{ topic: string; partition: number }>): Array<{ topic: string; partition: number; offset: bigint }> {
    const final: Array<{ topic: string; partition: number; offset: bigint }> = [];
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      this.revoked.add(key);
      const log = this.logs.get(key);
      if (!log) continue;
      final.push({ topic: p.topic, partition: p.partition, offset: log.committable() });
      for (let i = log.head; i < log.entries.length; i++) {
        const e = log.entries[i];
        if (e.state === State.inFlight) this.leave(log, e);
        if (e.state !== State.acked) this.unackedTotal--;
      }
      this.logs.delete(key);
    }
    return final;
  }

  private find(ref: MessageRef): { log: PartitionLog<T>; entry: Entry<T> | undefined } {
    const key = partitionKey(ref.topic, ref.partition);
    const log = this.logs.get(key);
    if (!log) {
      if (this.revoked.has(key)) throw new RevokedPartitionError(ref);
      throw new UnknownMessageError(ref);
    }
    return { log, entry: log.byOffset.get(ref.offset) };
  }

  private logOf(e: Entry<T>): PartitionLog<T> {
    return this.logs.get(partitionKey(e.topic, e.partition)) as PartitionLog<T>;
  }

  private leave(log: PartitionLog<T>, e: Entry<T>): void {
    this.inFlight.delete(e);
    log.inFlight--;
    if (e.key !== null && this.options.ordering === Ordering.key) this.keysInFlight.delete(`${e.topic}\u0000${e.key}`);
  }

  private requeue(log: PartitionLog<T>, e: Entry<T>, at: number): void {
    this.leave(log, e);
    e.state = State.pending;
    e.session = null;
    e.at = at;
  }
}

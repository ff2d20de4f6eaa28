/**
 * The data plane of one consumer group in the daemon: what joins the group actor, the fetcher
 * and the ack tracker (plain object, no promise or event per record).
 *
 * - The group's listener: `assigned` starts tracking and fetching each partition at its
 *   starting offset; `revoked` (after the group committed the acknowledged prefix) and `lost`
 *   stop both and tell the subscribers. `committable` answers the tracker's contiguous
 *   acknowledged prefix per partition.
 * - The fetcher's consumer: `onBatch` adds records to the tracker and hands them out. A batch's
 *   bytes are released to the fetcher only once every record in it is acknowledged, so a slow
 *   app stops its partitions from being fetched when the fetcher's bounded buffer is full:
 *   memory per group stays bounded whatever the apps do.
 * - Subscribers (push) get records within their own maxInFlight and lease time; `pull` hands
 *   records to callers that ask (fetch), leased under the holder name PULL_HOLDER.
 * - A timer puts expired leases back (redelivered with attempt + 1) and wakes nacked records.
 */
import { AckTracker, type Delivery, type MessageRef, type Ordering } from '../fetcher/ack-tracker.js';
import type { Fetcher } from '../fetcher/fetcher-machine.js';
import type { FetchedBatch, FetcherConsumer } from '../fetcher/types.js';
import type { CommitOffset, PartitionStart } from '../group/offsets.js';
import type { TopicPartition } from '../group/topic-partitions.js';
import type { KafkaRecord } from '../../protocol/records/record-types.js';

/** Who holds records fetched with `pull` (fetch callers have no session that outlives their call). */
export const PULL_HOLDER = 'pull';

/** A push subscriber: one app subscription. Callbacks must not throw. */
export interface Subscriber {
  readonly id: string;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  /** Hands a record to the app; false when it could not (the session is going away). */
  deliver(delivery: Delivery<KafkaRecord>): boolean;
  assigned(partitions: readonly TopicPartition[]): void;
  revoked(partitions: readonly TopicPartition[]): void;
}

export interface ConsumerCoreOptions {
  readonly group: string;
  readonly ordering: Ordering;
  /** How often expired leases and delayed nacks are looked at. */
  readonly tickMs?: number;
  readonly now?: () => number;
  /** Partitions that could not start or stopped with an error (logged by the daemon). */
  readonly onProblem?: (error: Error) => void;
}

export interface ConsumerCoreStatus {
  readonly assigned: number;
  /** Records held (fetched and not yet acknowledged). */
  readonly buffered: number;
  readonly inFlight: number;
  readonly subscribers: number;
}

/** One assigned partition's progress, for metrics: lag is measured from what the apps acknowledged. */
export interface PartitionProgress {
  readonly topic: string;
  readonly partition: number;
  /** The partition's high watermark in the latest fetch answer; undefined before the first. */
  readonly highWatermark: bigint | undefined;
  /** The offset that would be committed now: end of the acknowledged prefix. */
  readonly committable: bigint | undefined;
}

/** Running totals of assignment changes, for metrics. */
export interface AssignmentCounts {
  /** Calls that assigned partitions (one per rebalance that gave this member something). */
  assigned: number;
  /** Calls that took partitions away (revoked, or lost when fenced). */
  revoked: number;
}

interface PendingRelease {
  readonly nextOffset: bigint;
  readonly release: () => void;
}

function tpKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

function refKey(ref: MessageRef): string {
  return `${ref.partition}:${ref.offset}:${ref.topic}`;
}

export class ConsumerCore {
  readonly tracker: AckTracker<KafkaRecord>;
  private readonly now: () => number;
  private readonly subscribers = new Map<string, Subscriber>();
  /** Leases by record, and per holder (subscriber id or PULL_HOLDER). */
  private readonly leaseHolder = new Map<string, string>();
  private readonly held = new Map<string, Set<string>>();
  private readonly assigned = new Map<string, TopicPartition>();
  private readonly highWatermarks = new Map<string, bigint>();
  readonly assignmentCounts: AssignmentCounts = { assigned: 0, revoked: 0 };
  /** Fetched batches per partition waiting for their records to be acknowledged. */
  private readonly releases = new Map<string, PendingRelease[]>();
  private readonly pullWaiters = new Set<() => void>();
  private fetcher: () => Fetcher | undefined = () => undefined;
  private timer: NodeJS.Timeout | null = null;
  private rotation = 0;
  /** When the core last saw an app (a subscriber, a pull, an ack): for the idle grace period. */
  lastActivity: number;

  constructor(readonly options: ConsumerCoreOptions) {
    // The tracker's own cap is not the limit here: each subscriber has its maxInFlight.
    this.tracker = new AckTracker<KafkaRecord>({ ordering: options.ordering, maxInFlight: Number.MAX_SAFE_INTEGER, ackTimeoutMs: 30_000 });
    this.now = options.now ?? Date.now;
    this.lastActivity = this.now();
  }

  /** Called by the consumer actor when it starts: how to reach its fetcher; starts the lease timer. */
  attach(fetcher: () => Fetcher | undefined): void {
    // A previous actor that ended without detaching held partitions the new one will be assigned afresh.
    this.dropPartitions([...this.assigned.values()]);
    this.fetcher = fetcher;
    this.timer ??= setInterval(() => this.tick(), this.options.tickMs ?? 100);
    this.timer.unref();
  }

  /** The consumer actor stopped: whatever it still held is lost (a restarted actor is assigned afresh). */
  detach(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.dropPartitions([...this.assigned.values()]);
    this.fetcher = () => undefined;
  }

  // --- the group's listener ---------------------------------------------------------------

  onAssigned(starts: readonly PartitionStart[]): void {
    const started: Array<{ topic: string; partition: number; position: bigint }> = [];
    for (const s of starts) {
      if (s.offset === null) {
        this.options.onProblem?.(s.error ?? new Error(`${s.topic}[${s.partition}] has no starting offset`));
        continue;
      }
      this.tracker.assign(s.topic, s.partition, s.offset);
      this.assigned.set(tpKey(s.topic, s.partition), { topic: s.topic, partition: s.partition });
      started.push({ topic: s.topic, partition: s.partition, position: s.offset });
    }
    if (started.length > 0) {
      this.assignmentCounts.assigned++;
      this.fetcher()?.assign(started);
    }
    const partitions = started.map(({ topic, partition }) => ({ topic, partition }));
    for (const sub of this.subscribers.values()) sub.assigned(partitions);
  }

  onRevoked(partitions: readonly TopicPartition[]): void {
    this.dropPartitions(partitions);
  }

  /** Every assigned partition with its high watermark and acknowledged position. */
  progress(): PartitionProgress[] {
    return [...this.assigned.entries()].map(([key, { topic, partition }]) => ({
      topic,
      partition,
      highWatermark: this.highWatermarks.get(key),
      committable: this.tracker.committable(topic, partition),
    }));
  }

  committable(): CommitOffset[] {
    return this.tracker.committableOffsets();
  }

  // --- the fetcher's consumer ---------------------------------------------------------------

  readonly fetcherConsumer: FetcherConsumer = {
    onBatch: (batch) => this.onBatch(batch),
    onError: (error) => this.options.onProblem?.(error),
  };

  private onBatch(batch: FetchedBatch): void {
    const key = tpKey(batch.topic, batch.partition);
    if (!this.assigned.has(key)) {
      batch.release();
      return;
    }
    this.highWatermarks.set(key, batch.highWatermark);
    this.tracker.add(
      batch.topic,
      batch.partition,
      batch.records.map((r) => ({ offset: r.offset, key: r.key === null ? null : r.key.toString('latin1'), payload: r })),
      batch.nextOffset,
    );
    let queue = this.releases.get(key);
    if (queue === undefined) this.releases.set(key, (queue = []));
    queue.push({ nextOffset: batch.nextOffset, release: batch.release });
    this.releaseDone(batch.topic, batch.partition);
    this.pump();
  }

  // --- subscribers and pulls --------------------------------------------------------------

  addSubscriber(sub: Subscriber): void {
    this.subscribers.set(sub.id, sub);
    this.held.set(sub.id, new Set());
    this.lastActivity = this.now();
    const partitions = [...this.assigned.values()];
    if (partitions.length > 0) sub.assigned(partitions);
    this.pump();
  }

  /** Ends a subscription: what it held goes back for redelivery to others. Returns how many. */
  removeSubscriber(id: string): number {
    if (!this.subscribers.delete(id)) return 0;
    const released = this.releaseHolder(id);
    this.lastActivity = this.now();
    this.pump();
    return released;
  }

  hasSubscriber(id: string): boolean {
    return this.subscribers.has(id);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Records held by `holder` right now. */
  inFlightOf(holder: string): number {
    return this.held.get(holder)?.size ?? 0;
  }

  /**
   * Up to `max` records for a pull caller, leased for `leaseMs`; waits up to `waitMs` for some
   * when none is ready.
   */
  async pull(max: number, waitMs: number, leaseMs: number): Promise<Delivery<KafkaRecord>[]> {
    this.lastActivity = this.now();
    const take = (): Delivery<KafkaRecord>[] => {
      const out = this.tracker.next(PULL_HOLDER, max, this.now(), leaseMs);
      for (const d of out) this.lease(PULL_HOLDER, d);
      return out;
    };
    let out = take();
    const deadline = this.now() + waitMs;
    while (out.length === 0 && this.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.pullWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - this.now()));
        this.pullWaiters.add(wake);
      });
      out = take();
    }
    this.lastActivity = this.now();
    return out;
  }

  /**
   * Acknowledges records; returns how many were newly acknowledged. Acks of other records of
   * the call still count when one fails; the first failure (RevokedPartitionError,
   * UnknownMessageError) is thrown after the rest were applied.
   */
  ack(refs: readonly MessageRef[]): number {
    this.lastActivity = this.now();
    let acked = 0;
    let failure: unknown;
    const touched = new Map<string, TopicPartition>();
    for (const ref of refs) {
      try {
        if (this.tracker.ack(ref)) acked++;
        this.unlease(ref);
        touched.set(tpKey(ref.topic, ref.partition), ref);
      } catch (error) {
        failure ??= error;
      }
    }
    for (const p of touched.values()) this.releaseDone(p.topic, p.partition);
    this.pump();
    if (failure !== undefined) throw failure;
    return acked;
  }

  /** Puts records in flight back for redelivery after `delayMs`; returns how many. Failures as for ack. */
  nack(refs: readonly MessageRef[], delayMs: number): number {
    this.lastActivity = this.now();
    let requeued = 0;
    let failure: unknown;
    const now = this.now();
    for (const ref of refs) {
      try {
        if (this.tracker.nack(ref, delayMs, now)) requeued++;
        this.unlease(ref);
      } catch (error) {
        failure ??= error;
      }
    }
    this.pump();
    if (failure !== undefined) throw failure;
    return requeued;
  }

  status(): ConsumerCoreStatus {
    return { assigned: this.assigned.size, buffered: this.tracker.unackedSize, inFlight: this.tracker.inFlightCount, subscribers: this.subscribers.size };
  }

  assignedPartitions(): TopicPartition[] {
    return [...this.assigned.values()];
  }

  /** Expired leases back to pending, then hand out what may go. */
  tick(): void {
    for (const ref of this.tracker.expire(this.now())) this.unlease(ref);
    this.pump();
  }

  // --- internals ----------------------------------------------------------------------------

  /** Hands records to subscribers with room, starting with a different one each time. */
  private pump(): void {
    if (this.pullWaiters.size > 0 && this.tracker.unackedSize > 0) for (const wake of [...this.pullWaiters]) wake();
    const subs = [...this.subscribers.values()];
    if (subs.length === 0) return;
    const now = this.now();
    const start = this.rotation++ % subs.length;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[(start + i) % subs.length];
      const room = sub.maxInFlight - this.inFlightOf(sub.id);
      if (room <= 0) continue;
      for (const d of this.tracker.next(sub.id, room, now, sub.ackTimeoutMs)) {
        this.lease(sub.id, d);
        // A session going away releases its leases itself; nothing to undo here.
        sub.deliver(d);
      }
    }
  }

  private lease(holder: string, ref: MessageRef): void {
    const key = refKey(ref);
    this.leaseHolder.set(key, holder);
    let set = this.held.get(holder);
    if (set === undefined) this.held.set(holder, (set = new Set()));
    set.add(key);
  }

  private unlease(ref: MessageRef): void {
    const key = refKey(ref);
    const holder = this.leaseHolder.get(key);
    if (holder === undefined) return;
    this.leaseHolder.delete(key);
    this.held.get(holder)?.delete(key);
  }

  private releaseHolder(holder: string): number {
    const released = this.tracker.releaseSession(holder, this.now());
    for (const key of this.held.get(holder) ?? []) this.leaseHolder.delete(key);
    this.held.delete(holder);
    return released;
  }

  /** Frees fetched batches whose records are all acknowledged, so their partition is fetched again. */
  private releaseDone(topic: string, partition: number): void {
    const queue = this.releases.get(tpKey(topic, partition));
    if (queue === undefined) return;
    const committable = this.tracker.committable(topic, partition);
    if (committable === undefined) return;
    let n = 0;
    while (n < queue.length && queue[n].nextOffset <= committable) queue[n++].release();
    if (n > 0) queue.splice(0, n);
  }

  private dropPartitions(partitions: readonly TopicPartition[]): void {
    const mine = partitions.filter((p) => this.assigned.has(tpKey(p.topic, p.partition)));
    if (mine.length === 0) return;
    this.assignmentCounts.revoked++;
    this.tracker.revoke(mine);
    for (const p of mine) {
      const key = tpKey(p.topic, p.partition);
      this.assigned.delete(key);
      this.releases.delete(key);
      this.highWatermarks.delete(key);
    }
    const dropped = new Set(mine.map((p) => tpKey(p.topic, p.partition)));
    for (const [key, holder] of this.leaseHolder) {
      const [partition, , ...topic] = key.split(':');
      if (!dropped.has(`${partition}:${topic.join(':')}`)) continue;
      this.leaseHolder.delete(key);
      this.held.get(holder)?.delete(key);
    }
    this.fetcher()?.revoke(mine);
    for (const sub of this.subscribers.values()) sub.revoked(mine);
    this.pump();
  }
}

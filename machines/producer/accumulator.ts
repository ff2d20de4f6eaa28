/**
 * The record accumulator: where produced records wait, grouped in per-partition batches, until
 * a sender takes them to the partition leaders. It is a plain object that the producer machine
 * keeps in its context and calls directly: appending costs no promise and no event per record.
 *
 * - Batches grow to `batchBytes` (the encoded size of an uncompressed v2 batch) and wait up to
 *   `lingerMs` for company before they are ready.
 * - All buffered records together hold at most `bufferBytes`. A caller that finds no room waits,
 *   in arrival order behind earlier waiters, up to `maxBlockMs`, then its remaining records fail
 *   with BufferFullError. Memory never grows past the bound.
 * - `drain(nodeReady)` hands out ready batches grouped by leader broker; the sender reports each
 *   batch back through `complete`, `fail` or `reenqueue` (retry: back at the front of its
 *   partition, in creation order), and the batch's bytes return to the buffer when it is done.
 * - Every record's sender hears its outcome exactly once, through a DeliveryListener.
 * - The accumulator wakes the sender (`onReady`, coalesced in a microtask) when something may
 *   have become ready: a batch filled, a linger or retry backoff elapsed, a flush began, memory
 *   ran out.
 */
import { ProducerBatch, BatchStatus, type FlushTracker } from './batch.js';
import { DeliveryCollector, type DeliveryListener, type RecordOutcome } from './delivery.js';
import {
  BufferFullError,
  DeliveryTimeoutError,
  IllegalBatchStateError,
  InvalidProducerOptionsError,
  InvalidProducerRecordError,
  ProducerClosedError,
  RecordTooLargeError,
} from './errors.js';
import {
  StickyPartitioner,
  checkExplicitPartition,
  checkTopicPartitions,
  partitionForKey,
  type PartitionsFor,
  type TopicPartitions,
} from './partitioner.js';
import {
  RECORD_BATCH_OVERHEAD,
  checkRecordTimestamp,
  recordBodyWithoutDeltas,
  recordSizeFromBody,
  type ProducerRecord,
} from './record-size.js';

/** Time and timers, injectable so tests run linger and blocking without sleeping. */
export interface AccumulatorClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: AccumulatorClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The leader broker of a partition, or undefined (or a negative id) while it has none. */
export type LeaderFor = (topic: string, partition: number) => number | undefined;

export interface AccumulatorOptions {
  readonly partitionsFor: PartitionsFor;
  readonly leaderFor: LeaderFor;
  /** Upper bound of a batch's encoded size; a larger single record gets a batch of its own. Default 16 KiB. */
  readonly batchBytes?: number;
  /** How long a batch that is not full waits for more records. Default 5 ms. */
  readonly lingerMs?: number;
  /** Bound of the bytes of all buffered records. Default 32 MiB. */
  readonly bufferBytes?: number;
  /** How long an append waits for room in the buffer. Default 60 s. */
  readonly maxBlockMs?: number;
  /** Largest accepted record (encoded, with batch overhead). Default 1 MiB, like max.request.size. */
  readonly maxRecordBytes?: number;
  /** Bound of the batches drained for one broker at once (one request's worth). Default 1 MiB. */
  readonly maxRequestBytes?: number;
  /** A batch not sent this long after its creation fails with DeliveryTimeoutError. Default 120 s. */
  readonly deliveryTimeoutMs?: number;
  /** Called (in a microtask, coalesced) when drain() may find new ready batches. */
  readonly onReady?: () => void;
  readonly clock?: AccumulatorClock;
  /** Source of randomness for the sticky partitioner, [0, 1). */
  readonly random?: () => number;
}

export interface AppendOptions {
  /** Send every record of the call to this partition instead of partitioning them. */
  readonly partition?: number;
}

export interface DrainResult {
  /** Ready batches by leader broker id, each broker's within maxRequestBytes. */
  readonly batches: Map<number, ProducerBatch[]>;
  /** Topics that have waiting batches for a partition without a known leader: refresh their metadata. */
  readonly unknownLeaderTopics: Set<string>;
  /**
   * When to drain again for batches not ready yet (linger, retry backoff), in ms: 0 when ready
   * batches were left for the request size bound, Infinity when nothing waits on time. The
   * accumulator also calls onReady itself at that time.
   */
  readonly nextReadyInMs: number;
}

export const ACCUMULATOR_DEFAULTS = {
  batchBytes: 16384,
  lingerMs: 5,
  bufferBytes: 32 * 1024 * 1024,
  maxBlockMs: 60_000,
  maxRecordBytes: 1024 * 1024,
  maxRequestBytes: 1024 * 1024,
  deliveryTimeoutMs: 120_000,
} as const;

/** The batches of one partition, oldest first; only the last one takes new records. */
class PartitionQueue {
  readonly batches: ProducerBatch[] = [];
  nextSequence = 0;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

class TopicQueue {
  readonly partitions: (PartitionQueue | undefined)[] = [];
  /** The batch keyless records went to last; when it closes, the sticky partition moves on. */
  stickyBatch: ProducerBatch | null = null;
  constructor(readonly name: string) {}
}

/** A call whose records did not all find room yet. */
interface Waiter {
  readonly topic: string;
  readonly records: readonly ProducerRecord[];
  readonly partition: number | undefined;
  readonly listener: DeliveryListener;
  /** Index of the first record not appended yet. */
  next: number;
  /** Bytes the record at `next` needs. */
  neededBytes: number;
  timer: unknown;
  flushes: FlushTracker[] | null;
}

function positiveOption(options: AccumulatorOptions, name: keyof typeof ACCUMULATOR_DEFAULTS, min: number): number {
  const value = options[name] ?? ACCUMULATOR_DEFAULTS[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new InvalidProducerOptionsError(`${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
  return value;
}

export class RecordAccumulator {
  readonly batchBytes: number;
  readonly lingerMs: number;
  readonly bufferBytes: number;
  readonly maxBlockMs: number;
  readonly maxRecordBytes: number;
  readonly maxRequestBytes: number;
  readonly deliveryTimeoutMs: number;

  private readonly partitionsFor: PartitionsFor;
  private readonly leaderFor: LeaderFor;
  private readonly onReady: (() => void) | undefined;
  private readonly clock: AccumulatorClock;
  private readonly sticky: StickyPartitioner;

  private readonly topics = new Map<string, TopicQueue>();
  /** Every partition queue ever used, in creation order; drain walks them from a rotating start. */
  private readonly queues: PartitionQueue[] = [];
  private drainStart = 0;
  private readonly inFlight = new Set<ProducerBatch>();
  private readonly waiters: Waiter[] = [];
  private used = 0;
  private flushesInProgress = 0;
  private closing = false;
  private servingWaiters = false;
  private readySignalQueued = false;
  private timer: unknown = undefined;
  private timerAt = Infinity;

  constructor(options: AccumulatorOptions) {
    if (typeof options.partitionsFor !== 'function' || typeof options.leaderFor !== 'function') {
      throw new InvalidProducerOptionsError('partitionsFor and leaderFor must be functions');
    }
    this.batchBytes = positiveOption(options, 'batchBytes', 1);
    this.lingerMs = positiveOption(options, 'lingerMs', 0);
    this.bufferBytes = positiveOption(options, 'bufferBytes', RECORD_BATCH_OVERHEAD + 1);
    this.maxBlockMs = positiveOption(options, 'maxBlockMs', 0);
    this.maxRecordBytes = positiveOption(options, 'maxRecordBytes', RECORD_BATCH_OVERHEAD + 1);
    this.maxRequestBytes = positiveOption(options, 'maxRequestBytes', 1);
    this.deliveryTimeoutMs = positiveOption(options, 'deliveryTimeoutMs', 1);
    this.partitionsFor = options.partitionsFor;
    this.leaderFor = options.leaderFor;
    this.onReady = options.onReady;
    this.clock = options.clock ?? systemClock;
    this.sticky = new StickyPartitioner(options.random);
  }

  /** Bytes of the buffer that batches hold now (queued and in flight). */
  get usedBytes(): number {
    return this.used;
  }

  /** Batches waiting in the accumulator (not in flight). */
  get queuedBatchCount(): number {
    let n = 0;
    for (const q of this.queues) n += q.batches.length;
    return n;
  }

  get inFlightBatchCount(): number {
    return this.inFlight.size;
  }

  /** Calls waiting for room in the buffer. */
  get waitingCallCount(): number {
    return this.waiters.length;
  }

  /**
   * Appends `records` to `topic` in order; `listener` hears about record i as token i. Records
   * that find no room wait (behind earlier waiters) up to maxBlockMs. Bad records fail alone,
   * through the listener, without stopping the others.
   */
  append(topic: string, records: readonly ProducerRecord[], listener: DeliveryListener, options?: AppendOptions): void {
    if (!Array.isArray(records)) throw new InvalidProducerRecordError('records must be an array');
    if (this.closing) {
      const error = new ProducerClosedError('the producer is closing and takes no more records');
      if (records.length > 0) listener.failed(0, records.length, -1, error);
      return;
    }
    const partition = options?.partition;
    let next = 0;
    let neededBytes = 0;
    // Behind waiters nobody may overtake: records of later calls would land before theirs.
    if (this.waiters.length === 0) {
      next = this.appendFrom(topic, records, 0, partition, listener, null);
      if (next === records.length) return;
      neededBytes = this.lastNeededBytes;
    }
    if (this.maxBlockMs === 0) {
      this.failRest(records, next, listener, new BufferFullError(neededBytes, this.bufferBytes, 0));
      return;
    }
    const waiter: Waiter = { topic, records, partition, listener, next, neededBytes, timer: undefined, flushes: null };
    waiter.timer = this.clock.setTimeout(() => this.timeOut(waiter), this.maxBlockMs);
    this.waiters.push(waiter);
    // Memory pressure: every batch is ready now, so that sending frees room soonest.
    if (this.waiters.length === 1) this.signalReady();
  }

  /** append() with one promise for the whole call, resolved with each record's outcome in call order. */
  send(topic: string, records: readonly ProducerRecord[], options?: AppendOptions): Promise<RecordOutcome[]> {
    if (!Array.isArray(records)) return Promise.reject(new InvalidProducerRecordError('records must be an array'));
    const collector = new DeliveryCollector(records);
    this.append(topic, records, collector, options);
    return collector.done;
  }

  /**
   * Resolves when every record appended before the call (including those still waiting for
   * room) has its outcome. Until then all batches count as ready, whatever their linger.
   */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      const tracker: FlushTracker = {
        pending: 0,
        settle: () => {
          this.flushesInProgress--;
          resolve();
        },
      };
      for (const q of this.queues) for (const batch of q.batches) attachFlush(batch, tracker);
      for (const batch of this.inFlight) attachFlush(batch, tracker);
      for (const waiter of this.waiters) {
        (waiter.flushes ??= []).push(tracker);
        tracker.pending++;
      }
      if (tracker.pending === 0) {
        resolve();
        return;
      }
      this.flushesInProgress++;
      this.signalReady();
    });
  }

  /** Stops taking records; resolves when every record taken so far has its outcome. */
  close(): Promise<void> {
    this.closing = true;
    this.signalReady();
    return this.flush();
  }

  /**
   * Fails every record that is not in flight (queued batches and waiting calls) with `error`,
   * and stops taking records. Batches in flight stay with the sender, which reports them.
   */
  abort(error: Error): void {
    this.closing = true;
    this.failQueued(error);
  }

  /** Fails every record not in flight with `error` but keeps taking records (an aborted transaction). */
  failQueued(error: Error): void {
    for (const q of this.queues) {
      while (q.batches.length > 0) this.finish(q.batches.shift()!, error);
    }
    for (const waiter of this.waiters.splice(0)) {
      this.failRest(waiter.records, waiter.next, waiter.listener, error);
      this.finishWaiter(waiter);
    }
  }

  /**
   * Takes the ready batches whose leader is ready: at most one per partition (the oldest), and
   * per broker as many as fit in maxRequestBytes (always at least one). Batches older than
   * deliveryTimeoutMs fail here instead.
   */
  drain(nodeReady: (nodeId: number) => boolean, partitionReady?: (topic: string, partition: number) => boolean): DrainResult {
    const now = this.clock.now();
    const batches = new Map<number, ProducerBatch[]>();
    const requestBytes = new Map<number, number>();
    const unknownLeaderTopics = new Set<string>();
    const forced = this.flushesInProgress > 0 || this.waiters.length > 0 || this.closing;
    let nextReadyAt = Infinity;
    const queues = this.queues;
    const n = queues.length;
    const start = n === 0 ? 0 : this.drainStart % n;
    this.drainStart = start + 1;
    for (let k = 0; k < n; k++) {
      const q = queues[(start + k) % n]!;
      this.expire(q, now);
      const front = q.batches[0];
      if (front === undefined) continue;
      if (front.retryAt > now) {
        nextReadyAt = Math.min(nextReadyAt, front.retryAt);
        continue;
      }
      const leader = this.leaderFor(q.topic, q.partition);
      if (leader === undefined || leader < 0) {
        unknownLeaderTopics.add(q.topic);
        continue;
      }
      const lingerEnd = front.createdAt + this.lingerMs;
      const ready = forced || front.closed || front.attempts > 0 || q.batches.length > 1 || now >= lingerEnd;
      if (!ready) {
        nextReadyAt = Math.min(nextReadyAt, lingerEnd);
        continue;
      }
      if (!nodeReady(leader)) continue;
      // A transaction's partition is sent to only once the coordinator has it (AddPartitionsToTxn).
      if (partitionReady !== undefined && !partitionReady(q.topic, q.partition)) continue;
      const bytes = requestBytes.get(leader) ?? 0;
      if (bytes > 0 && bytes + front.sizeBytes > this.maxRequestBytes) {
        nextReadyAt = now;
        continue;
      }
      q.batches.shift();
      front.closed = true;
      front.status = BatchStatus.inFlight;
      front.attempts++;
      this.inFlight.add(front);
      requestBytes.set(leader, bytes + front.sizeBytes);
      let list = batches.get(leader);
      if (list === undefined) batches.set(leader, (list = []));
      list.push(front);
    }
    if (nextReadyAt > now && nextReadyAt < Infinity) this.armTimer(nextReadyAt, now);
    this.serveWaiters();
    return { batches, unknownLeaderTopics, nextReadyInMs: nextReadyAt === Infinity ? Infinity : Math.max(0, nextReadyAt - now) };
  }

  /** The broker wrote `batch` from `baseOffset` on; `logAppendTime` is the broker's time, or -1 for CreateTime. */
  complete(batch: ProducerBatch, baseOffset: bigint, logAppendTime = -1): void {
    this.takeInFlight(batch, 'complete');
    this.finish(batch, null, baseOffset, logAppendTime);
    this.serveWaiters();
  }

  /** `batch` will not be written: every record in it fails with `error`. */
  fail(batch: ProducerBatch, error: Error): void {
    this.takeInFlight(batch, 'fail');
    this.finish(batch, error);
    this.serveWaiters();
  }

  /**
   * Puts an in-flight batch back for another attempt after `backoffMs`, ahead of the younger
   * batches of its partition, so the partition's records keep their order.
   */
  reenqueue(batch: ProducerBatch, backoffMs = 0): void {
    this.takeInFlight(batch, 'reenqueue');
    const now = this.clock.now();
    batch.status = BatchStatus.queued;
    batch.retryAt = now + backoffMs;
    const q = this.topics.get(batch.topic)!.partitions[batch.partition]!;
    let at = 0;
    while (at < q.batches.length && q.batches[at]!.sequence < batch.sequence) at++;
    q.batches.splice(at, 0, batch);
    if (backoffMs > 0) this.armTimer(batch.retryAt, now);
    else this.signalReady();
  }

  // ---- appending ----

  /** Bytes the last record that found no room needed. */
  private lastNeededBytes = 0;

  /** Appends records[from..] in order until one finds no room; returns where it stopped. */
  private appendFrom(
    topic: string,
    records: readonly ProducerRecord[],
    from: number,
    explicit: number | undefined,
    listener: DeliveryListener,
    flushes: FlushTracker[] | null,
  ): number {
    let partitions: TopicPartitions;
    try {
      partitions = checkTopicPartitions(topic, this.partitionsFor(topic));
      if (explicit !== undefined) checkExplicitPartition(topic, explicit, partitions.count);
    } catch (error) {
      this.failRest(records, from, listener, error as Error);
      return records.length;
    }
    let tq = this.topics.get(topic);
    if (tq === undefined) this.topics.set(topic, (tq = new TopicQueue(topic)));
    for (let i = from; i < records.length; i++) {
      if (!this.appendOne(tq, partitions, records[i]!, explicit, listener, i, flushes)) return i;
    }
    return records.length;
  }

  /** Appends one record; false when it finds no room in the buffer (nothing changed then but the sticky choice). */
  private appendOne(
    tq: TopicQueue,
    partitions: TopicPartitions,
    record: ProducerRecord,
    explicit: number | undefined,
    listener: DeliveryListener,
    token: number,
    flushes: FlushTracker[] | null,
  ): boolean {
    let body: number;
    let timestamp: number;
    try {
      body = recordBodyWithoutDeltas(record);
      timestamp = checkRecordTimestamp(record.timestamp);
    } catch (error) {
      listener.failed(token, 1, -1, error as Error);
      return true;
    }
    const alone = recordSizeFromBody(body, 0, 0);
    if (RECORD_BATCH_OVERHEAD + alone > this.maxRecordBytes || RECORD_BATCH_OVERHEAD + alone > this.bufferBytes) {
      const [limitName, limit] = this.maxRecordBytes <= this.bufferBytes ? ['maxRecordBytes', this.maxRecordBytes] : ['bufferBytes', this.bufferBytes];
      listener.failed(token, 1, -1, new RecordTooLargeError(RECORD_BATCH_OVERHEAD + alone, limitName, limit));
      return true;
    }
    const keyless = explicit === undefined && record.key === null;
    let partition = explicit ?? (record.key !== null ? partitionForKey(record.key, partitions.count) : this.sticky.partition(tq.name, partitions));
    let q = this.partitionQueue(tq, partition);
    let open = openBatch(q);
    let size = open === undefined ? alone : recordSizeFromBody(body, open.recordCount, timestamp - open.baseTimestamp);
    let fits = open !== undefined && open.sizeBytes + size <= this.batchBytes;
    const stickyBatch = tq.stickyBatch;
    if (keyless && stickyBatch !== null && stickyBatch.partition === partition && (stickyBatch.closed || (!fits && open === stickyBatch))) {
      // KIP-480: the sticky partition's batch is full or gone, so keyless records move on.
      tq.stickyBatch = null;
      partition = this.sticky.nextStickyPartition(tq.name, partitions, partition);
      q = this.partitionQueue(tq, partition);
      open = openBatch(q);
      size = open === undefined ? alone : recordSizeFromBody(body, open.recordCount, timestamp - open.baseTimestamp);
      fits = open !== undefined && open.sizeBytes + size <= this.batchBytes;
    }
    const needed = fits ? size : RECORD_BATCH_OVERHEAD + alone;
    if (this.used + needed > this.bufferBytes) {
      this.lastNeededBytes = needed;
      return false;
    }
    let batch: ProducerBatch;
    if (fits) {
      batch = open!;
    } else {
      if (open !== undefined) {
        open.closed = true;
        this.signalReady();
      }
      size = alone;
      batch = this.newBatch(q, timestamp);
    }
    batch.add(record, size, listener, token);
    this.used += needed;
    if (batch.sizeBytes >= this.batchBytes) {
      batch.closed = true;
      this.signalReady();
    }
    if (keyless) tq.stickyBatch = batch;
    if (flushes !== null) for (const flush of flushes) if (batch.flushes === null || !batch.flushes.includes(flush)) attachFlush(batch, flush);
    return true;
  }

  private partitionQueue(tq: TopicQueue, partition: number): PartitionQueue {
    let q = tq.partitions[partition];
    if (q === undefined) {
      q = new PartitionQueue(tq.name, partition);
      tq.partitions[partition] = q;
      this.queues.push(q);
    }
    return q;
  }

  private newBatch(q: PartitionQueue, baseTimestamp: number): ProducerBatch {
    const now = this.clock.now();
    const batch = new ProducerBatch(q.topic, q.partition, q.nextSequence++, now, baseTimestamp);
    q.batches.push(batch);
    if (this.lingerMs === 0) this.signalReady();
    else this.armTimer(now + this.lingerMs, now);
    return batch;
  }

  // ---- waiting for room ----

  /** Lets waiting calls append, oldest first, as far as the buffer now has room. */
  private serveWaiters(): void {
    if (this.servingWaiters) return;
    this.servingWaiters = true;
    try {
      while (this.waiters.length > 0) {
        const waiter = this.waiters[0]!;
        waiter.next = this.appendFrom(waiter.topic, waiter.records, waiter.next, waiter.partition, waiter.listener, waiter.flushes);
        if (waiter.next < waiter.records.length) {
          waiter.neededBytes = this.lastNeededBytes;
          return;
        }
        this.waiters.shift();
        this.finishWaiter(waiter);
      }
    } finally {
      this.servingWaiters = false;
    }
  }

  private timeOut(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    waiter.timer = undefined;
    this.failRest(waiter.records, waiter.next, waiter.listener, new BufferFullError(waiter.neededBytes, this.bufferBytes, this.maxBlockMs));
    this.finishWaiter(waiter);
    // The next waiter may need less room than the one that gave up.
    if (index === 0) this.serveWaiters();
  }

  private finishWaiter(waiter: Waiter): void {
    if (waiter.timer !== undefined) this.clock.clearTimeout(waiter.timer);
    waiter.timer = undefined;
    const flushes = waiter.flushes;
    waiter.flushes = null;
    if (flushes !== null) for (const flush of flushes) if (--flush.pending === 0) flush.settle();
  }

  private failRest(records: readonly ProducerRecord[], from: number, listener: DeliveryListener, error: Error): void {
    if (from < records.length) listener.failed(from, records.length - from, -1, error);
  }

  // ---- batch outcomes ----

  private takeInFlight(batch: ProducerBatch, action: string): void {
    if (!this.inFlight.delete(batch)) {
      throw new IllegalBatchStateError(
        `cannot ${action} the batch for ${batch.topic}-${batch.partition}: it is ${batch.status}, not in flight from this accumulator`,
      );
    }
  }

  /** Reports a batch's outcome (error null: delivered) and returns its bytes to the buffer. */
  private finish(batch: ProducerBatch, error: Error | null, baseOffset = 0n, logAppendTime = -1): void {
    this.used -= batch.sizeBytes;
    try {
      if (error === null) batch.reportDelivered(baseOffset, logAppendTime);
      else batch.reportFailed(error);
    } finally {
      batch.settleFlushes();
    }
  }

  /** Fails the oldest batches of `q` that outlived the delivery timeout. */
  private expire(q: PartitionQueue, now: number): void {
    // The front batch is the oldest, so the expired ones are a prefix. Their room goes to the
    // waiting calls at the end of drain().
    while (q.batches.length > 0 && now - q.batches[0]!.createdAt >= this.deliveryTimeoutMs) {
      const batch = q.batches.shift()!;
      this.finish(batch, new DeliveryTimeoutError(batch.topic, batch.partition, now - batch.createdAt, this.deliveryTimeoutMs));
    }
  }

  // ---- waking the sender ----

  private signalReady(): void {
    const onReady = this.onReady;
    if (onReady === undefined || this.readySignalQueued) return;
    this.readySignalQueued = true;
    queueMicrotask(() => {
      this.readySignalQueued = false;
      onReady();
    });
  }

  private armTimer(at: number, now: number): void {
    if (at >= this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.signalReady();
    }, at - now);
  }
}

function openBatch(q: PartitionQueue): ProducerBatch | undefined {
  const last = q.batches[q.batches.length - 1];
  return last === undefined || last.closed ? undefined : last;
}

function attachFlush(batch: ProducerBatch, flush: FlushTracker): void {
  (batch.flushes ??= []).push(flush);
  flush.pending++;
}

/**
 * One batch of records for one partition, from its first record until every record's sender
 * has heard the outcome. The accumulator owns the life cycle (open -> queued/in flight ->
 * done); this class keeps the records, who to tell about each, and the byte count the batch
 * holds against the accumulator's memory bound.
 */
import type { DeliveryListener } from './delivery.js';
import { IllegalBatchStateError } from './errors.js';
import { RECORD_BATCH_OVERHEAD, type ProducerRecord } from './record-size.js';

export const BatchStatus = {
  /** In the accumulator; the last batch of its partition takes more records until `closed`. */
  queued: 'queued',
  /** Handed out by drain(); the sender completes, fails or re-queues it. */
  inFlight: 'in-flight',
  /** Every record's outcome has been reported. */
  done: 'done',
} as const;
export type BatchStatus = (typeof BatchStatus)[keyof typeof BatchStatus];

/** A pending flush() that waits for this batch among others. */
export interface FlushTracker {
  pending: number;
  settle(): void;
}

export class ProducerBatch {
  readonly records: ProducerRecord[] = [];
  /**
   * Runs of consecutive records from one appender: run r starts at records[runStarts[r]],
   * tells runListeners[r], and its first record has token runTokens[r]. Appends mostly come
   * in calls of many records, so this is far shorter than one entry per record.
   */
  private readonly runStarts: number[] = [];
  private readonly runListeners: DeliveryListener[] = [];
  private readonly runTokens: number[] = [];
  private lastListener: DeliveryListener | undefined = undefined;
  private nextToken = -1;
  /** Encoded size of the batch (uncompressed), which is also the bytes it holds of the buffer. */
  sizeBytes = RECORD_BATCH_OVERHEAD;
  /** No more records may join: the next one did not fit, or the batch left for a broker. */
  closed = false;
  status: BatchStatus = BatchStatus.queued;
  /** How many times drain() handed the batch out. */
  attempts = 0;
  /** Not ready again before this time (ms) after a re-queue for retry. */
  retryAt = 0;
  /** Pending flushes that wait for this batch; null (the usual case) when none. */
  flushes: FlushTracker[] | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Creation order among the batches of this partition; keeps retries in order. */
    readonly sequence: number,
    /** Clock time (ms) at creation; linger and delivery timeout count from here. */
    readonly createdAt: number,
    /** Timestamp of the first record: timestamp deltas of the others are relative to it. */
    readonly baseTimestamp: number,
  ) {}

  get recordCount(): number {
    return this.records.length;
  }

  /** Adds a record measured as `sizeBytes` (see recordSizeInBatch). */
  add(record: ProducerRecord, sizeBytes: number, listener: DeliveryListener, token: number): void {
    if (listener !== this.lastListener || token !== this.nextToken) {
      this.runStarts.push(this.records.length);
      this.runListeners.push(listener);
      this.runTokens.push(token);
      this.lastListener = listener;
    }
    this.nextToken = token + 1;
    this.records.push(record);
    this.sizeBytes += sizeBytes;
  }

  /** Reports every record as written from `baseOffset` on; `logAppendTime` is -1 for CreateTime topics. */
  reportDelivered(baseOffset: bigint, logAppendTime: number): void {
    this.finish('complete');
    const { runStarts, runListeners, runTokens, partition } = this;
    for (let r = 0; r < runStarts.length; r++) {
      const start = runStarts[r]!;
      const end = r + 1 < runStarts.length ? runStarts[r + 1]! : this.records.length;
      runListeners[r]!.delivered(runTokens[r]!, end - start, partition, baseOffset + BigInt(start), logAppendTime);
    }
  }

  /** Reports every record as failed with `error`. */
  reportFailed(error: Error): void {
    this.finish('fail');
    const { runStarts, runListeners, runTokens, partition } = this;
    for (let r = 0; r < runStarts.length; r++) {
      const start = runStarts[r]!;
      const end = r + 1 < runStarts.length ? runStarts[r + 1]! : this.records.length;
      runListeners[r]!.failed(runTokens[r]!, end - start, partition, error);
    }
  }

  private finish(action: string): void {
    if (this.status === BatchStatus.done) {
      throw new IllegalBatchStateError(`cannot ${action} the batch for ${this.topic}-${this.partition}: its outcome was already reported`);
    }
    this.status = BatchStatus.done;
    this.closed = true;
  }

  /** Lets the flushes waiting on this batch count it as done. */
  settleFlushes(): void {
    const flushes = this.flushes;
    if (flushes === null) return;
    this.flushes = null;
    for (const flush of flushes) if (--flush.pending === 0) flush.settle();
  }
}

/**
 * The idempotent producer's bookkeeping: its producer id and epoch, and per partition the
 * sequence number the next new batch starts at. A batch gets its base sequence when it is sent
 * the first time and keeps it on every retry, so a broker that already wrote it answers the
 * retry with the original offset instead of writing it twice, and a batch that overtakes an
 * earlier failed one is refused (OUT_OF_ORDER_SEQUENCE_NUMBER) instead of written out of order.
 *
 * When the sequences of a partition can no longer line up with the broker's (a batch failed
 * for good after its sequence was taken, or the broker forgot the producer), the producer bumps
 * its epoch as KIP-360 describes for a producer without a transactional id: it increments the
 * epoch itself, every partition starts again at sequence 0, and batches not yet written take
 * new sequences. The bump waits until nothing is in flight, so no batch whose fate is unknown
 * is sent again under the new epoch (which could write it twice).
 */
import type { ProducerBatch } from './batch.js';

/** Largest sequence number; the next one after it is 0 (Kafka's sequences wrap). */
const MAX_SEQUENCE = 0x7fffffff;
/** Largest epoch; past it the producer needs a new producer id. */
export const MAX_EPOCH = 0x7fff;

export interface ProducerIdentity {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** The identity of a producer without idempotence: batches say "no producer". */
export const NO_PRODUCER: ProducerIdentity = { producerId: -1n, producerEpoch: -1 };

interface PartitionSequences {
  next: number;
  /** Batches sent under the current epoch and not finished, oldest sequence first. */
  readonly unfinished: ProducerBatch[];
}

export class IdempotenceState {
  private identity: ProducerIdentity = NO_PRODUCER;
  private readonly partitions = new Map<string, PartitionSequences>();
  private readonly sequences = new Map<ProducerBatch, number>();
  /** Why the next bump is needed, or null when none is. */
  private bumpReason: string | null = null;

  get producerId(): bigint {
    return this.identity.producerId;
  }

  get producerEpoch(): number {
    return this.identity.producerEpoch;
  }

  get hasIdentity(): boolean {
    return this.identity.producerId >= 0n;
  }

  /** Set after InitProducerId: a new identity means every partition starts at sequence 0. */
  setIdentity(identity: ProducerIdentity): void {
    this.identity = identity;
    this.resetSequences();
  }

  /** The epoch after a local bump, or null when the epoch is exhausted and a new producer id is needed. */
  bumpLocally(): boolean {
    if (this.identity.producerEpoch >= MAX_EPOCH) return false;
    this.setIdentity({ producerId: this.identity.producerId, producerEpoch: this.identity.producerEpoch + 1 });
    return true;
  }

  get bumpNeeded(): string | null {
    return this.bumpReason;
  }

  requestBump(reason: string): void {
    this.bumpReason ??= reason;
  }

  /** The base sequence of `batch`, taking the partition's next one when it has none yet. */
  sequenceFor(batch: ProducerBatch): number {
    const known = this.sequences.get(batch);
    if (known !== undefined) return known;
    const partition = this.partition(batch.topic, batch.partition);
    const sequence = partition.next;
    partition.next = (sequence + batch.recordCount) % (MAX_SEQUENCE + 1);
    this.sequences.set(batch, sequence);
    // Batches are sent in sequence order per partition, so pushing keeps the list ordered.
    partition.unfinished.push(batch);
    return sequence;
  }

  /**
   * Whether `batch` is the oldest unfinished batch of its partition. An out-of-order answer for
   * a batch that is not means an earlier one is being retried: this one follows it.
   */
  isOldestUnfinished(batch: ProducerBatch): boolean {
    const partition = this.partitions.get(partitionKey(batch.topic, batch.partition));
    return partition === undefined || partition.unfinished[0] === batch;
  }

  /** Whether `batch` holds sequence numbers of the current epoch. */
  isSequenced(batch: ProducerBatch): boolean {
    return this.sequences.has(batch);
  }

  /** Forgets a batch that was written or failed for good. */
  finished(batch: ProducerBatch): void {
    if (!this.sequences.delete(batch)) return;
    const partition = this.partitions.get(partitionKey(batch.topic, batch.partition));
    if (partition === undefined) return;
    const at = partition.unfinished.indexOf(batch);
    if (at >= 0) partition.unfinished.splice(at, 1);
  }

  /** Whether `batch` has unfinished batches after it in its partition (a failure would leave a gap). */
  hasLaterUnfinished(batch: ProducerBatch): boolean {
    const partition = this.partitions.get(partitionKey(batch.topic, batch.partition));
    if (partition === undefined) return false;
    const at = partition.unfinished.indexOf(batch);
    return at >= 0 && at < partition.unfinished.length - 1;
  }

  private resetSequences(): void {
    this.partitions.clear();
    this.sequences.clear();
    this.bumpReason = null;
  }

  private partition(topic: string, partition: number): PartitionSequences {
    const key = partitionKey(topic, partition);
    let state = this.partitions.get(key);
    if (state === undefined) this.partitions.set(key, (state = { next: 0, unfinished: [] }));
    return state;
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

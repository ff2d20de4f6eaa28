/**
 * Choosing a partition for each produced record, the way Kafka's Java client does, so that a
 * key lands on the same partition whichever client (ours, Java, librdkafka with the
 * murmur2_random partitioner) produced it:
 *
 * - an explicit partition wins;
 * - a keyed record goes to `toPositive(murmur2(key)) % partitionCount`, over all partitions,
 *   available or not (moving a key because its leader is briefly down would break ordering);
 * - a keyless record goes to the topic's sticky partition (KIP-480): all keyless records stick
 *   to one partition until the batch they fill is full or sent, then one new partition is
 *   picked at random, preferring partitions that have a leader. Sticking keeps batches large
 *   (fewer, fuller requests) while the random switch still spreads load over time.
 *
 * The accumulator tells the partitioner when the sticky partition's batch is done
 * (`nextStickyPartition`), since only it knows when a batch fills or leaves.
 */
import { InvalidPartitionError, UnknownTopicError } from './errors.js';

/** What the caller's metadata knows about a topic's partitions. */
export interface TopicPartitions {
  /** Number of partitions of the topic. */
  readonly count: number;
  /** Partitions that currently have a leader, ascending or not; may be empty. */
  readonly available: readonly number[];
}

/** Metadata lookup injected by the producer; undefined when the topic is not (yet) known. */
export type PartitionsFor = (topic: string) => TopicPartitions | undefined;

/** Seed of Kafka's murmur2 (Utils.murmur2). */
const MURMUR2_SEED = 0x9747b28c;
const MURMUR2_M = 0x5bd1e995;

/**
 * Kafka's variant of MurmurHash2 over `data`, as a signed 32-bit integer (the value Java's
 * `Utils.murmur2` returns). Bytes are read little-endian in 4-byte words, the 1-3 tail bytes
 * are folded in last, and the result is mixed by the final avalanche steps.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (MURMUR2_SEED ^ length) | 0;
  const wordsEnd = length & ~3;
  for (let i = 0; i < wordsEnd; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, MURMUR2_M);
    k ^= k >>> 24;
    k = Math.imul(k, MURMUR2_M);
    h = Math.imul(h, MURMUR2_M) ^ k;
  }
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[wordsEnd + 2]! << 16;
    if (tail >= 2) h ^= data[wordsEnd + 1]! << 8;
    h ^= data[wordsEnd]!;
    h = Math.imul(h, MURMUR2_M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, MURMUR2_M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: clears the sign bit (not Math.abs, which has no answer for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition of a keyed record among `partitionCount` partitions. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount;
}

/** Checks a partition count from metadata; a topic always has at least one partition. */
export function checkTopicPartitions(topic: string, partitions: TopicPartitions | undefined): TopicPartitions {
  if (partitions === undefined) throw new UnknownTopicError(topic);
  if (!Number.isInteger(partitions.count) || partitions.count < 1) {
    throw new UnknownTopicError(topic, `metadata gives it ${partitions.count} partitions`);
  }
  return partitions;
}

/** Checks a caller-given partition against the topic's partition count. */
export function checkExplicitPartition(topic: string, partition: number, count: number): number {
  if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
    throw new InvalidPartitionError(topic, partition, count);
  }
  return partition;
}

/** Per-topic state of the sticky choice for keyless records. */
interface StickyChoice {
  partition: number;
  /** The partition count the choice was made for; a change of count forces a new choice. */
  count: number;
  /**
   * The metadata object the choice was last checked against. A caller passes the same object
   * for every record of a call, so the availability scan runs once per call, not per record.
   */
  checkedAgainst: TopicPartitions;
}

/**
 * The keyless half of partitioning: one sticky partition per topic. `random` returns a number
 * in [0, 1) and is injectable so tests can drive the choices.
 */
export class StickyPartitioner {
  private readonly choices = new Map<string, StickyChoice>();

  constructor(private readonly random: () => number = Math.random) {}

  /** The topic's current sticky partition, choosing one on first use or when it became invalid. */
  partition(topic: string, partitions: TopicPartitions): number {
    const choice = this.choices.get(topic);
    if (choice !== undefined) {
      if (choice.checkedAgainst === partitions) return choice.partition;
      if (choice.count === partitions.count && this.stillUsable(choice.partition, partitions)) {
        choice.checkedAgainst = partitions;
        return choice.partition;
      }
    }
    return this.choose(topic, partitions, choice?.partition ?? -1);
  }

  /**
   * Called when the batch of `previous` (the sticky partition records went to) is full or sent:
   * moves the topic to a new random partition, a different one when there is a choice. A stale
   * `previous` (the choice already moved on) keeps the current choice, as Java's
   * StickyPartitionCache does, so two racing batch completions move it once.
   */
  nextStickyPartition(topic: string, partitions: TopicPartitions, previous: number): number {
    const choice = this.choices.get(topic);
    if (choice !== undefined && choice.partition !== previous && choice.count === partitions.count) {
      return this.partition(topic, partitions);
    }
    return this.choose(topic, partitions, previous);
  }

  /** Forgets a topic (deleted, or no longer produced to). */
  forget(topic: string): void {
    this.choices.delete(topic);
  }

  private stillUsable(partition: number, partitions: TopicPartitions): boolean {
    const available = partitions.available;
    // With no partition available there is nothing better to move to.
    return available.length === 0 || available.includes(partition);
  }

  private choose(topic: string, partitions: TopicPartitions, avoid: number): number {
    const available = partitions.available;
    let partition: number;
    if (available.length === 0) {
      partition = this.pickExcept(partitions.count, avoid);
    } else if (available.length === 1) {
      partition = available[0]!;
    } else {
      const avoidIndex = available.indexOf(avoid);
      partition = available[this.pickExcept(available.length, avoidIndex)]!;
    }
    this.choices.set(topic, { partition, count: partitions.count, checkedAgainst: partitions });
    return partition;
  }

  /** A random index in [0, n), different from `avoid` when n > 1 and avoid is in range. */
  private pickExcept(n: number, avoid: number): number {
    if (n === 1 || avoid < 0 || avoid >= n) return Math.min(n - 1, Math.floor(this.random() * n));
    // Pick among the n-1 others, then step over `avoid`: uniform over the rest.
    const pick = Math.min(n - 2, Math.floor(this.random() * (n - 1)));
    return pick >= avoid ? pick + 1 : pick;
  }
}

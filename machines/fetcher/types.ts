/**
 * The fetcher's public shapes: what it is told (partitions with start positions, options) and
 * what it hands on (batches of decoded records, per partition, with a release handle that
 * frees their share of the bounded buffer).
 */
import type { KafkaRecord } from '../../protocol/records/index.js';

/** What to do when a position is missing or out of range. */
export const ResetPolicy = {
  earliest: 'earliest',
  latest: 'latest',
  none: 'none',
} as const;
export type ResetPolicy = (typeof ResetPolicy)[keyof typeof ResetPolicy];

/** Kafka's isolation levels as the Fetch request numbers them. */
export const IsolationLevel = {
  readUncommitted: 0,
  readCommitted: 1,
} as const;
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel];

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A start position: an exact offset, or the log start / end (the reset policy applies when omitted). */
export type StartPosition = bigint | 'earliest' | 'latest';

export interface PartitionStart extends TopicPartition {
  readonly position?: StartPosition;
}

/** Decoded records of one partition from one Fetch response, in offset order. */
export interface FetchedBatch extends TopicPartition {
  readonly records: readonly KafkaRecord[];
  /** Offset the next fetch of this partition starts at (past skipped control / aborted batches too). */
  readonly nextOffset: bigint;
  readonly highWatermark: bigint;
  /** Encoded bytes this batch holds in the fetcher's buffer until released. */
  readonly bytes: number;
  /**
   * Frees this batch's bytes from the buffer (idempotent). A partition whose buffer is full is
   * not fetched until the consumer releases what it holds.
   */
  release(): void;
}

export interface FetcherOptions {
  /** Where partitions without a usable position start. */
  readonly resetPolicy: ResetPolicy;
  readonly isolationLevel: IsolationLevel;
  /** Broker waits up to this long for minBytes (Fetch max_wait_ms). */
  readonly maxWaitMs: number;
  readonly minBytes: number;
  /** Per-response limit (Fetch max_bytes, v3+). */
  readonly maxBytes: number;
  /** Per-partition limit (Fetch partition_max_bytes). */
  readonly partitionMaxBytes: number;
  /** Unreleased bytes a partition may hold before it stops being fetched. */
  readonly maxPartitionBufferedBytes: number;
  /** Unreleased bytes all partitions may hold together before fetching stops. */
  readonly maxBufferedBytes: number;
  /** Request timeout beyond maxWaitMs. */
  readonly requestTimeoutMs: number;
  /** Pause between retries of a partition after a retriable error. */
  readonly retryBackoffMs: number;
  /** Use incremental fetch sessions (KIP-227) where the broker supports them. */
  readonly fetchSessions: boolean;
}

export const defaultFetcherOptions: FetcherOptions = {
  resetPolicy: ResetPolicy.latest,
  isolationLevel: IsolationLevel.readUncommitted,
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 50 * 1024 * 1024,
  partitionMaxBytes: 1024 * 1024,
  maxPartitionBufferedBytes: 4 * 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  retryBackoffMs: 100,
  fetchSessions: true,
};

/** What the fetcher calls: records per partition, and errors a partition cannot recover from alone. */
export interface FetcherConsumer {
  /** Called synchronously per partition and response; must not throw (a throw is reported via onError). */
  onBatch(batch: FetchedBatch): void;
  /** OffsetOutOfRangeError (policy "none"), PartitionFetchError: the partition stops until `seek`. */
  onError(error: Error & { readonly topic?: string; readonly partition?: number }): void;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

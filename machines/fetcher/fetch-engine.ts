/**
 * The fetcher's data plane: the assigned partitions (positions, pause, buffers), one
 * LeaderLoop per broker leading some of them, offset resets through ListOffsets, and the
 * handling of each partition's answer: decode, skip what read_committed hides, advance the
 * position, hand the records on. The fetcher machine owns one engine and drives it with its
 * events; nothing here is an actor, and nothing here runs per record except the filter.
 *
 * Leadership is read from the cluster metadata at every request, so a partition whose leader
 * moved is fetched by the new leader's loop as soon as the metadata says so; errors that mean
 * the metadata is stale (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, ...) ask for a refresh.
 */
import { Deadline } from '../admin/deadline.js';
import { offsetsFor } from '../admin/list-offsets.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { KafkaErrorCode, kafkaErrorFor } from '../../protocol/errors/kafka-error.js';
import type { FetchResponsePartitionData } from '../../protocol/messages/fetch.js';
import { decodeRecordBatchesAsync } from '../../protocol/records/index.js';
import { filterBatches } from './batch-filter.js';
import { NoPositionError, OffsetOutOfRangeError, PartitionFetchError } from './errors.js';
import type { SessionPartition } from './fetch-session.js';
import { LeaderLoop, type LoopHost } from './leader-loop.js';
import { PartitionState } from './partition-state.js';
import { partitionKey, type FetchedBatch, type FetcherConsumer, type FetcherOptions, type PartitionStart, type StartPosition, type TopicPartition } from './types.js';

const MAX_PARTITION_BACKOFF_MS = 2000;

/** Errors after which the partition waits for fresher metadata (its leader moved or is unknown). */
const LEADERSHIP_ERRORS: ReadonlySet<number> = new Set([
  KafkaErrorCode.NOT_LEADER_OR_FOLLOWER,
  KafkaErrorCode.LEADER_NOT_AVAILABLE,
  KafkaErrorCode.FENCED_LEADER_EPOCH,
  KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  KafkaErrorCode.UNKNOWN_TOPIC_ID,
  KafkaErrorCode.INCONSISTENT_TOPIC_ID,
  KafkaErrorCode.REPLICA_NOT_AVAILABLE,
  KafkaErrorCode.KAFKA_STORAGE_ERROR,
]);

/** What the engine reports to its owner besides records: state changes worth an event. */
export interface EngineObserver {
  /** A partition stopped with an error that needs the consumer (reset policy none, authorization...). */
  partitionFailed(error: Error & { topic: string; partition: number }): void;
  /** A partition's leader changed from one broker to another. */
  leaderMoved(topic: string, partition: number, from: number, to: number): void;
}

export interface PartitionPosition extends TopicPartition {
  readonly position: bigint | null;
  readonly paused: boolean;
  readonly failed: Error | null;
  readonly bufferedBytes: number;
  readonly leaderId: number | undefined;
}

const quietObserver: EngineObserver = { partitionFailed: () => undefined, leaderMoved: () => undefined };

export class FetchEngine implements LoopHost {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly loops = new Map<number, LeaderLoop>();
  /** The broker each partition was last fetched from, to notice moves. */
  private readonly lastLeader = new Map<string, number>();
  private bufferedBytes = 0;
  private running = false;
  private refreshing: Promise<void> | null = null;
  private lastRefreshAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly cluster: ClusterClient,
    readonly options: FetcherOptions,
    private readonly consumer: FetcherConsumer,
    private observer: EngineObserver = quietObserver,
  ) {}

  /** Who hears about failures and leader moves (the fetcher machine, while it runs the engine). */
  observe(observer: EngineObserver): void {
    this.observer = observer;
  }

  isAssigned(p: TopicPartition): boolean {
    return this.partitions.has(partitionKey(p.topic, p.partition));
  }

  get assignedCount(): number {
    return this.partitions.size;
  }

  get totalBufferedBytes(): number {
    return this.bufferedBytes;
  }

  start(): void {
    this.running = true;
    this.reconcile();
  }

  /** Stops every loop and waits for their requests to end. Positions are kept. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const loops = [...this.loops.values()];
    for (const loop of loops) loop.stop();
    await Promise.all(loops.map((l) => l.done));
  }

  assign(starts: readonly PartitionStart[]): void {
    for (const s of starts) {
      const key = partitionKey(s.topic, s.partition);
      const existing = this.partitions.get(key);
      if (existing) {
        if (s.position !== undefined) this.seekState(existing, s.position);
        continue;
      }
      const state = new PartitionState(s.topic, s.partition, s.position, this.options.resetPolicy);
      this.partitions.set(key, state);
      this.checkPosition(state);
    }
    this.reconcile();
  }

  revoke(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      const state = this.partitions.get(key);
      if (!state) continue;
      state.revoked = true;
      this.bufferedBytes -= state.bufferedBytes;
      state.bufferedBytes = 0;
      this.partitions.delete(key);
      this.lastLeader.delete(key);
    }
    this.wakeAll();
  }

  /** Unassigned partitions are skipped here; callers that care check `isAssigned` first. */
  seek(p: TopicPartition, position: StartPosition): void {
    const state = this.stateOf(p);
    if (state) this.seekState(state, position);
    this.reconcile();
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      const state = this.stateOf(p);
      if (state) state.paused = true;
    }
    this.wakeAll();
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      const state = this.stateOf(p);
      if (state) state.paused = false;
    }
    this.reconcile();
  }

  positions(): PartitionPosition[] {
    return [...this.partitions.values()].map((s) => ({
      topic: s.topic,
      partition: s.partition,
      position: s.position,
      paused: s.paused,
      failed: s.failed,
      bufferedBytes: s.bufferedBytes,
      leaderId: this.cluster.metadata.leaderFor(s.topic, s.partition),
    }));
  }

  /** The fetch loops running now: one per leader, with its fetch session id (0: none). */
  loopStatus(): Array<{ nodeId: number; sessionId: number }> {
    return [...this.loops.values()].map((l) => ({ nodeId: l.nodeId, sessionId: l.sessionId }));
  }

  // ---- LoopHost ----

  fetchable(nodeId: number, now: number): SessionPartition[] | null {
    if (!this.running) return null;
    const metadata = this.cluster.metadata;
    const { partitionMaxBytes, maxPartitionBufferedBytes, maxBufferedBytes } = this.options;
    const overall = this.bufferedBytes >= maxBufferedBytes;
    let led = false;
    const wanted: SessionPartition[] = [];
    let orphans = false;
    for (const [key, s] of this.partitions) {
      const info = metadata.partition(s.topic, s.partition);
      if (info === undefined || info.leaderId !== nodeId) {
        // Moved by a metadata refresh someone else asked for, to a broker without a loop yet.
        if (info !== undefined && info.leaderId >= 0 && !this.loops.has(info.leaderId)) orphans = true;
        continue;
      }
      led = true;
      if (overall || !s.ready(now) || s.bufferedBytes >= maxPartitionBufferedBytes) continue;
      const previous = this.lastLeader.get(key);
      if (previous !== nodeId) {
        this.lastLeader.set(key, nodeId);
        if (previous !== undefined) this.observer.leaderMoved(s.topic, s.partition, previous, nodeId);
      }
      wanted.push({
        topic: s.topic,
        topicId: metadata.topics.get(s.topic)?.topicId ?? null,
        partition: s.partition,
        fetchOffset: s.position as bigint,
        currentLeaderEpoch: info.leaderEpoch,
        partitionMaxBytes,
      });
    }
    if (orphans) queueMicrotask(() => this.reconcile());
    return led ? wanted : null;
  }

  nextRetryAt(nodeId: number): number {
    let at = Infinity;
    const metadata = this.cluster.metadata;
    for (const s of this.partitions.values()) {
      if (s.retryAt > 0 && metadata.leaderFor(s.topic, s.partition) === nodeId) at = Math.min(at, s.retryAt);
    }
    return at;
  }

  async handlePartition(nodeId: number, sent: SessionPartition, answer: FetchResponsePartitionData): Promise<void> {
    const state = this.partitions.get(partitionKey(sent.topic, sent.partition));
    // Revoked, sought or reset while the request was out: the answer is about a position nobody
    // wants. Paused meanwhile: dropped, and fetched again from the same position on resume.
    if (!state || state.position !== sent.fetchOffset || state.paused) return;
    const generation = state.generation;
    if (answer.errorCode !== 0) return this.partitionError(state, nodeId, answer.errorCode);
    state.errors = 0;
    const records = answer.records;
    if (records === null || records.length === 0) return;
    let filtered;
    try {
      const decoded = await decodeRecordBatchesAsync(records);
      filtered = filterBatches(decoded.batches, sent.fetchOffset, this.options.isolationLevel, answer.abortedTransactions);
    } catch (error) {
      return this.fail(state, new PartitionFetchError(state.topic, state.partition, error));
    }
    if (state.generation !== generation || state.revoked || state.paused) return;
    if (filtered.nextOffset <= sent.fetchOffset) return;
    state.position = filtered.nextOffset;
    if (filtered.records.length === 0) return;
    this.deliver(state, filtered.records, filtered.nextOffset, answer.highWatermark, records.length);
  }

  requestFailed(_nodeId: number, error: unknown): void {
    // A broker that went away takes its partitions' leadership with it: ask for news.
    if (this.cluster.noteError(error)) this.refreshSoon();
  }

  loopEnded(nodeId: number): void {
    this.loops.delete(nodeId);
    // A partition may have moved to this node again while its loop was winding down.
    if (this.running) queueMicrotask(() => this.reconcile());
  }

  // ---- internals ----

  private deliver(state: PartitionState, records: FetchedBatch['records'], nextOffset: bigint, highWatermark: bigint, bytes: number): void {
    state.bufferedBytes += bytes;
    this.bufferedBytes += bytes;
    let released = false;
    const batch: FetchedBatch = {
      topic: state.topic,
      partition: state.partition,
      records,
      nextOffset,
      highWatermark,
      bytes,
      release: () => {
        if (released) return;
        released = true;
        if (state.revoked) return;
        state.bufferedBytes -= bytes;
        this.bufferedBytes -= bytes;
        this.wakeAll();
      },
    };
    try {
      this.consumer.onBatch(batch);
    } catch (error) {
      this.consumer.onError(new PartitionFetchError(state.topic, state.partition, error));
    }
  }

  private partitionError(state: PartitionState, nodeId: number, errorCode: number): void {
    const error = kafkaErrorFor(errorCode, `fetching ${state.topic}[${state.partition}] from broker ${nodeId}`);
    if (errorCode === KafkaErrorCode.OFFSET_OUT_OF_RANGE) {
      if (this.options.resetPolicy === 'none') {
        return this.fail(state, new OffsetOutOfRangeError(state.topic, state.partition, state.position as bigint));
      }
      state.generation++;
      state.position = null;
      state.resetTo = this.options.resetPolicy;
      this.resetPositions();
      return;
    }
    if (LEADERSHIP_ERRORS.has(errorCode) || error.refreshMetadata) {
      this.backoff(state);
      this.refreshSoon();
      return;
    }
    if (error.retriable) {
      this.backoff(state);
      return;
    }
    this.fail(state, new PartitionFetchError(state.topic, state.partition, error));
  }

  private backoff(state: PartitionState): void {
    state.errors++;
    state.retryAt = Date.now() + Math.min(MAX_PARTITION_BACKOFF_MS, this.options.retryBackoffMs * 2 ** Math.min(state.errors - 1, 10));
    this.scheduleRetryWake(state.retryAt);
  }

  private fail(state: PartitionState, error: Error & { topic: string; partition: number }): void {
    state.failed = error;
    this.observer.partitionFailed(error);
    this.consumer.onError(error);
  }

  private seekState(state: PartitionState, position: StartPosition): void {
    state.seek(position, this.options.resetPolicy);
    this.checkPosition(state);
  }

  /** A partition without a position either resets, or (policy none) fails right away. */
  private checkPosition(state: PartitionState): void {
    if (state.position !== null) return;
    if (state.resetTo === null) this.fail(state, new NoPositionError(state.topic, state.partition));
    else this.resetPositions();
  }

  private stateOf(p: TopicPartition): PartitionState | undefined {
    return this.partitions.get(partitionKey(p.topic, p.partition));
  }

  /** Finds positions for every partition waiting for a reset, with one ListOffsets per leader. */
  private resetPositions(): void {
    if (!this.running) return;
    for (const at of ['earliest', 'latest'] as const) {
      const waiting = [...this.partitions.values()].filter((s) => s.resetTo === at && !s.resetting && s.failed === null);
      if (waiting.length === 0) continue;
      const generations = new Map(waiting.map((s) => [s, s.generation]));
      for (const s of waiting) s.resetting = true;
      offsetsFor(this.cluster, waiting, at, new Deadline(this.options.requestTimeoutMs))
        .then((found) => {
          for (const s of waiting) {
            s.resetting = false;
            const offset = found.get(s.topic)?.get(s.partition)?.offset;
            if (s.revoked || s.generation !== generations.get(s) || offset === null || offset === undefined) continue;
            s.position = offset;
            s.resetTo = null;
            s.generation++;
          }
          this.reconcile();
        })
        .catch((error: unknown) => {
          for (const s of waiting) s.resetting = false;
          if (!this.running) return;
          if ((error as { retriable?: boolean }).retriable === true) {
            setTimeout(() => this.resetPositions(), this.options.retryBackoffMs).unref();
          } else {
            for (const s of waiting) if (!s.revoked) this.fail(s, new PartitionFetchError(s.topic, s.partition, error));
          }
        });
    }
  }

  /** Starts loops for leaders that have none, and wakes the others; leaderless partitions ask for metadata. */
  private reconcile(): void {
    if (!this.running) return;
    if (this.partitions.size > 0 && [...this.partitions.values()].some((s) => s.resetTo !== null && !s.resetting && s.failed === null)) {
      this.resetPositions();
    }
    const metadata = this.cluster.metadata;
    let leaderless = false;
    for (const s of this.partitions.values()) {
      const leader = metadata.leaderFor(s.topic, s.partition);
      if (leader === undefined) {
        leaderless = true;
        continue;
      }
      if (!this.loops.has(leader)) this.loops.set(leader, new LeaderLoop(this, leader));
    }
    if (leaderless) this.refreshSoon();
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const loop of this.loops.values()) loop.wake();
  }

  /** One metadata refresh at a time, at most one per retry backoff; the loops are re-planned after it. */
  private refreshSoon(): void {
    if (this.refreshing || !this.running) return;
    const wait = Math.max(0, this.lastRefreshAt + this.options.retryBackoffMs - Date.now());
    this.refreshing = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(() => this.cluster.refreshMetadata(this.options.requestTimeoutMs))
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.lastRefreshAt = Date.now();
        this.refreshing = null;
        this.reconcile();
      });
  }

  private scheduleRetryWake(at: number): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.reconcile();
    }, Math.max(1, at - Date.now()));
    this.retryTimer.unref();
  }
}

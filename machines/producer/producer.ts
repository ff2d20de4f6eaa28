/**
 * The producer's data plane: what the producer machine keeps in its context and what callers
 * (the IPC `produce` method, tests, benchmarks) call directly. One accumulator and sender per
 * acks level in use (a call may ask for "leader" or "none" while the default is "all"); only
 * the acks=all lane is idempotent, as Kafka requires. Appending is plain calls with one
 * promise per call, never one per record.
 */
import { KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { InitProducerIdApi } from '../../protocol/messages/init-producer-id.js';
import type { CompressionCodecId } from '../../protocol/records/record-types.js';
import { Lane } from '../cluster/broker-machine.js';
import type { ClusterMetadata } from '../cluster/metadata.js';
import { RecordAccumulator } from './accumulator.js';
import { DeliveryCollector, type DeliveryListener, type RecordOutcome } from './delivery.js';
import { InvalidProducerOptionsError, ProducerClosedError, ProducerFatalError } from './errors.js';
import { IdempotenceState } from './idempotence.js';
import type { TopicPartitions } from './partitioner.js';
import { AcksValue } from './produce-request.js';
import type { ProducerRecord } from './record-size.js';
import { Sender, type ProducerCluster } from './sender.js';
import { awaitTopic } from './topic-metadata.js';
import { TransactionStateError } from './transaction-errors.js';
import { TransactionManager, type TransactionCluster, type TransactionLifecycle, type TxnGroupMetadata, type TxnOffset } from './transaction-manager.js';

export type AcksMode = keyof typeof AcksValue;

export interface ProducerSettings {
  /** Acks of calls that do not choose. */
  readonly acks: AcksMode;
  readonly compression: CompressionCodecId;
  /** Idempotence for the acks=all lane (InitProducerId, sequences). */
  readonly idempotent: boolean;
  readonly lingerMs: number;
  readonly batchBytes: number;
  /** Bound of buffered records, per acks lane. */
  readonly bufferBytes: number;
  readonly maxBlockMs: number;
  readonly deliveryTimeoutMs: number;
  readonly maxInFlightPerBroker: number;
  readonly retries: number;
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly maxRecordBytes?: number;
  /** Ask brokers to create topics that do not exist (they do with auto.create.topics.enable); default true, as the Java producer. */
  readonly autoCreateTopics?: boolean;
  /** transactional.id: records are sent only inside transactions (acks=all, idempotent). */
  readonly transactionalId?: string | null;
  /** How long the coordinator lets a transaction stay open before it aborts it. */
  readonly transactionTimeoutMs?: number;
}

/** The coordinator's default bound of a transaction's life, as the Java client's. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

/** A record to produce, with the partition its caller chose, if any. */
export interface OutgoingRecord extends ProducerRecord {
  readonly partition?: number;
}

export interface ProducerHooks {
  /** The idempotent lane needs an epoch bump before it may send again. */
  readonly onBumpNeeded?: (reason: string) => void;
  readonly onError?: (error: Error, context: { nodeId: number; topic?: string; partition?: number }) => void;
  /** The producer cannot go on (fenced, unauthorised transactional id). */
  readonly onFatal?: (error: Error) => void;
}

interface AcksLane {
  readonly accumulator: RecordAccumulator;
  readonly sender: Sender;
}

/** TopicPartitions per metadata snapshot, so the sticky partitioner sees one object per snapshot. */
const partitionsCache = new WeakMap<ClusterMetadata, Map<string, TopicPartitions | undefined>>();

export function topicPartitions(metadata: ClusterMetadata, topic: string): TopicPartitions | undefined {
  let perTopic = partitionsCache.get(metadata);
  if (perTopic === undefined) partitionsCache.set(metadata, (perTopic = new Map()));
  if (perTopic.has(topic)) return perTopic.get(topic);
  const info = metadata.topics.get(topic);
  let result: TopicPartitions | undefined;
  if (info !== undefined && info.errorCode === 0 && info.partitions.size > 0) {
    const available: number[] = [];
    for (const p of info.partitions.values()) if (p.leaderId >= 0) available.push(p.partition);
    result = { count: info.partitions.size, available };
  }
  perTopic.set(topic, result);
  return result;
}

/** Tells `inner` about records of a sub-call as tokens shifted by `offset` (one call, several appends). */
class ShiftedListener implements DeliveryListener {
  constructor(
    private readonly inner: DeliveryListener,
    private readonly offset: number,
  ) {}
  delivered(firstToken: number, count: number, partition: number, baseOffset: bigint, logAppendTime: number): void {
    this.inner.delivered(firstToken + this.offset, count, partition, baseOffset, logAppendTime);
  }
  failed(firstToken: number, count: number, partition: number, error: Error): void {
    this.inner.failed(firstToken + this.offset, count, partition, error);
  }
}

/** Running totals since the producer started, read by the metrics at scrape time. */
export interface ProducerStats {
  /** Records the brokers acknowledged (or, with acks=none, that were sent). */
  delivered: number;
  /** Records that got an error outcome. */
  failed: number;
  /** Calls to send(). */
  calls: number;
}

export class Producer {
  readonly idempotence: IdempotenceState | null;
  /** The transaction side when `transactionalId` is set; null otherwise. */
  readonly transaction: TransactionManager | null;
  readonly stats: ProducerStats = { delivered: 0, failed: 0, calls: 0 };
  private readonly lanes = new Map<AcksMode, AcksLane>();
  private running = false;
  private closed: Error | null = null;

  constructor(
    readonly settings: ProducerSettings,
    private readonly cluster: () => ProducerCluster,
    private readonly hooks: ProducerHooks = {},
    /** The transaction life-cycle actor the producer actor spawned, if any. */
    lifecycle?: TransactionLifecycle,
  ) {
    const transactionalId = settings.transactionalId ?? null;
    if (transactionalId !== null && !settings.idempotent) throw new InvalidProducerOptionsError('a transactionalId needs idempotent=true');
    this.idempotence = settings.idempotent ? new IdempotenceState() : null;
    this.transaction =
      transactionalId === null
        ? null
        : new TransactionManager(
            {
              transactionalId,
              transactionTimeoutMs: settings.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
              requestTimeoutMs: settings.requestTimeoutMs,
              retryBackoffMs: settings.retryBackoffMs,
              idempotence: this.idempotence!,
              cluster: cluster as () => TransactionCluster,
              lifecycle,
            },
            {
              flush: () => this.flush(),
              failQueued: (error) => this.lanes.get('all')?.accumulator.failQueued(error),
              quiesce: async () => {
                const lane = this.lanes.get('all');
                lane?.sender.pause();
                await lane?.sender.whenIdle();
              },
              resume: () => {
                if (this.running) this.lanes.get('all')?.sender.resume();
              },
              fatal: (error) => {
                this.abort(error);
                hooks.onFatal?.(error);
              },
            },
          );
  }

  /** Starts a transaction: records sent from now on commit or abort together. */
  beginTransaction(): void {
    this.requireTransaction('beginTransaction').begin();
  }

  /** Adds a consumer group's offsets to the transaction (consume-transform-produce). */
  sendOffsetsToTransaction(offsets: readonly TxnOffset[], group: TxnGroupMetadata, timeoutMs?: number): Promise<void> {
    return this.requireTransaction('sendOffsetsToTransaction').sendOffsets(offsets, group, timeoutMs);
  }

  /** Flushes the transaction's records and commits them; rejects with a typed error when it cannot. */
  commitTransaction(timeoutMs?: number): Promise<void> {
    return this.requireTransaction('commitTransaction').commit(timeoutMs);
  }

  abortTransaction(timeoutMs?: number): Promise<void> {
    return this.requireTransaction('abortTransaction').abort(timeoutMs);
  }

  /** A record of the transaction failed before or after reaching a broker: only an abort is allowed now. */
  transactionFailed(error: Error): void {
    this.requireTransaction('fail a transaction').batchFailed(error);
  }

  private requireTransaction(action: string): TransactionManager {
    if (this.transaction === null) throw new TransactionStateError(action, 'not possible: the producer has no transactionalId');
    return this.transaction;
  }

  /**
   * Produces `records` to `topic`; resolves with one outcome per record in call order once
   * every record is written or failed. Never rejects: failures are outcomes.
   */
  async send(topic: string, records: readonly OutgoingRecord[], acks: AcksMode = this.settings.acks): Promise<RecordOutcome[]> {
    this.stats.calls++;
    const outcomes = await this.sendRecords(topic, records, acks);
    // Counted per call, once its outcomes are known, so the per-record path stays untouched.
    let failed = 0;
    for (const outcome of outcomes) if (!outcome.ok) failed++;
    this.stats.failed += failed;
    this.stats.delivered += outcomes.length - failed;
    return outcomes;
  }

  private async sendRecords(topic: string, records: readonly OutgoingRecord[], acks: AcksMode): Promise<RecordOutcome[]> {
    const collector = new DeliveryCollector(records);
    if (records.length === 0) return collector.done;
    if (this.closed !== null) {
      collector.failed(0, records.length, -1, this.closed);
      return collector.done;
    }
    if (this.transaction !== null) {
      // Checked per call: records count in a transaction only while it is open, on the acks=all lane.
      const refusal = acks !== 'all' ? new TransactionStateError(`send with acks=${acks}`, 'transactional (only acks=all)') : this.transaction.sendRefusal();
      if (refusal !== null) {
        collector.failed(0, records.length, -1, refusal);
        return collector.done;
      }
    }
    const topicError = await this.awaitTopic(topic, records);
    if (topicError !== null) {
      collector.failed(0, records.length, -1, topicError);
      return collector.done;
    }
    const lane = this.lane(acks);
    let start = 0;
    for (let i = 1; i <= records.length; i++) {
      if (i < records.length && records[i]!.partition === records[start]!.partition) continue;
      const partition = records[start]!.partition;
      const run = start === 0 && i === records.length ? records : records.slice(start, i);
      lane.accumulator.append(topic, run, start === 0 ? collector : new ShiftedListener(collector, start), partition === undefined ? undefined : { partition });
      start = i;
    }
    return collector.done;
  }

  /** Asks InitProducerId for a producer id (idempotent lane); resolves at once without idempotence. */
  async initialize(timeoutMs: number): Promise<void> {
    const state = this.idempotence;
    if (state === null) return;
    const cluster = this.cluster() as ProducerCluster & { whenReady?(t: number): Promise<unknown>; anyBroker?(): number };
    await cluster.whenReady?.(timeoutMs);
    if (this.transaction !== null) {
      await this.transaction.initialize(timeoutMs);
      return;
    }
    const nodeId = cluster.anyBroker?.() ?? [...cluster.metadata.brokers.keys()][0];
    if (nodeId === undefined) throw new ProducerFatalError('no broker to ask for a producer id');
    const response = await cluster.request(nodeId, Lane.control, InitProducerIdApi, { transactionalId: null, transactionTimeoutMs: 60_000 }, { timeoutMs });
    if (response.errorCode !== 0) throw new KafkaProtocolError(response.errorCode, null);
    state.setIdentity({ producerId: response.producerId, producerEpoch: response.producerEpoch });
  }

  /**
   * Bumps the idempotent lane's epoch once nothing is in flight (KIP-360); a new producer id
   * when the epoch is exhausted.
   */
  async bumpEpoch(timeoutMs: number): Promise<void> {
    const state = this.idempotence;
    const lane = this.lanes.get('all');
    if (state === null) return;
    lane?.sender.pause();
    await lane?.sender.whenIdle();
    if (!state.bumpLocally()) await this.initialize(timeoutMs);
  }

  /** Lets the senders go (after initialization, after a bump). */
  resume(): void {
    this.running = true;
    for (const lane of this.lanes.values()) lane.sender.resume();
  }

  /** Resolves once every record appended so far has its outcome. */
  async flush(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.accumulator.flush()));
  }

  /** Takes no more records; resolves when the buffered ones have their outcomes. */
  async close(): Promise<void> {
    this.closed ??= new ProducerClosedError('the producer is closing and takes no more records');
    await Promise.all([...this.lanes.values()].map((lane) => lane.accumulator.close()));
    for (const lane of this.lanes.values()) lane.sender.stop();
  }

  /** Fails every buffered and future record with `error` (fatal state, shutdown past its time). */
  abort(error: Error): void {
    this.closed ??= error;
    for (const lane of this.lanes.values()) {
      lane.sender.stop();
      lane.accumulator.abort(error);
    }
  }

  /** Bytes buffered over all lanes, for metrics and tests. */
  get bufferedBytes(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.accumulator.usedBytes;
    return n;
  }

  get inFlightRequests(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.sender.inFlightRequests;
    return n;
  }

  /** Waits (up to maxBlockMs) for metadata that knows the topic and every partition the call names. */
  private async awaitTopic(topic: string, records: readonly OutgoingRecord[]): Promise<Error | null> {
    let cluster: ProducerCluster;
    try {
      cluster = this.cluster();
    } catch {
      // The cluster actor is restarting: the accumulator fails the records with its own error.
      return null;
    }
    const known = (metadata: ClusterMetadata): boolean => {
      const partitions = topicPartitions(metadata, topic);
      if (partitions === undefined) return false;
      for (const r of records) if (r.partition !== undefined && r.partition >= partitions.count) return false;
      return true;
    };
    const s = this.settings;
    return awaitTopic(cluster, topic, known, {
      autoCreate: s.autoCreateTopics ?? true,
      maxBlockMs: s.maxBlockMs,
      requestTimeoutMs: s.requestTimeoutMs,
      retryBackoffMs: s.retryBackoffMs,
    });
  }

  private lane(acks: AcksMode): AcksLane {
    let lane = this.lanes.get(acks);
    if (lane !== undefined) return lane;
    const s = this.settings;
    const metadata = (): ClusterMetadata | undefined => {
      try {
        return this.cluster().metadata;
      } catch {
        return undefined;
      }
    };
    const accumulator = new RecordAccumulator({
      partitionsFor: (topic) => {
        const m = metadata();
        return m === undefined ? undefined : topicPartitions(m, topic);
      },
      leaderFor: (topic, partition) => metadata()?.leaderFor(topic, partition),
      batchBytes: s.batchBytes,
      lingerMs: s.lingerMs,
      bufferBytes: s.bufferBytes,
      maxBlockMs: s.maxBlockMs,
      deliveryTimeoutMs: s.deliveryTimeoutMs,
      maxRecordBytes: s.maxRecordBytes,
      // Called in a microtask, after `sender` below exists.
      onReady: () => sender.wake(),
    });
    const idempotent = acks === 'all' ? this.idempotence : null;
    const sender = new Sender({
      accumulator,
      cluster: this.cluster,
      acks: AcksValue[acks],
      compression: s.compression,
      idempotence: idempotent,
      // Idempotence keeps order with up to 5 in flight (the broker remembers 5 batches per producer).
      maxInFlightPerBroker: idempotent !== null ? Math.min(5, s.maxInFlightPerBroker) : s.maxInFlightPerBroker,
      requestTimeoutMs: s.requestTimeoutMs,
      retryBackoffMs: s.retryBackoffMs,
      retries: s.retries,
      // In a transaction a broken sequence dooms the transaction; the abort bumps the epoch.
      onBumpNeeded: idempotent !== null && this.transaction !== null ? (reason) => this.transaction!.bumpNeeded(reason) : this.hooks.onBumpNeeded,
      transaction: idempotent !== null && this.transaction !== null ? this.transaction : undefined,
      onError: this.hooks.onError,
    });
    lane = { accumulator, sender };
    this.lanes.set(acks, lane);
    // A lane born while the producer runs starts at once, unless its epoch is being bumped.
    if (this.running && !(idempotent !== null && idempotent.bumpNeeded !== null)) sender.resume();
    return lane;
  }
}

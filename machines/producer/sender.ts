/**
 * The sender: takes ready batches from one accumulator to the partition leaders, on each
 * broker's produce lane, with at most `maxInFlightPerBroker` Produce requests unanswered per
 * broker, and settles every batch from the broker's answer:
 *
 * - written: the records' senders hear partition and offsets;
 * - a retriable error (leader moved, connection dropped, timeout): the batch goes back to the
 *   front of its partition after a short backoff (keeping its sequence, so a broker that wrote
 *   it already answers with the original offsets), and the metadata is refreshed when the error
 *   says it is stale; a batch past `deliveryTimeoutMs` fails instead;
 * - OUT_OF_ORDER_SEQUENCE_NUMBER for a batch behind one that is retried: it follows that one;
 *   otherwise, and for UNKNOWN_PRODUCER_ID, the producer's epoch must be bumped first;
 * - any other error: the batch's records fail with it (a Kafka error, with its name).
 *
 * It is a plain object driven by callbacks: the accumulator wakes it when batches may be
 * ready, each answer wakes it again. The producer machine pauses it while the epoch is bumped
 * and learns through `onBumpNeeded` when that is due.
 */
import { KafkaErrorCode, KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { ProduceApi, type ProduceResponse } from '../../protocol/messages/produce.js';
import type { CompressionCodecId } from '../../protocol/records/record-types.js';
import { batchBuffers } from '../../protocol/records/buffer-pool.js';
import type { RequestOptions } from '../connection/connection-client.js';
import type { ApiDescriptor } from '../../protocol/api.js';
import { Lane } from '../cluster/broker-machine.js';
import type { ClusterMetadata } from '../cluster/metadata.js';
import type { RecordAccumulator } from './accumulator.js';
import { BatchStatus, type ProducerBatch } from './batch.js';
import { DeliveryTimeoutError, MissingPartitionAnswerError } from './errors.js';
import { NO_PRODUCER, type IdempotenceState } from './idempotence.js';
import { AcksValue, PRODUCE_MAX_TRANSACTIONAL_VERSION, PRODUCE_MIN_VERSION, answerMessage, answersFor, encodeBatch, produceRequest } from './produce-request.js';
import { batchDeliveredChannel, type BatchDelivered } from './batch-events.js';

/** What the producer needs of the cluster; ClusterClient has it, unit tests fake it. */
export interface ProducerCluster {
  readonly metadata: ClusterMetadata;
  request<Req, Res>(nodeId: number, lane: Lane, api: ApiDescriptor<Req, Res>, body: Req, options?: RequestOptions): Promise<Res>;
  noteError(error: unknown): boolean;
  refreshMetadata(timeoutMs: number): Promise<ClusterMetadata>;
}

export interface SenderOptions {
  readonly accumulator: RecordAccumulator;
  /** The current cluster; throws while the cluster actor restarts. */
  readonly cluster: () => ProducerCluster;
  readonly acks: AcksValue;
  readonly compression: CompressionCodecId;
  /** Sequences and identity when idempotent; null otherwise. */
  readonly idempotence: IdempotenceState | null;
  readonly maxInFlightPerBroker: number;
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  /** Attempts after the first; deliveryTimeoutMs bounds them too. */
  readonly retries: number;
  /** The epoch must be bumped (idempotence) before sending goes on. */
  readonly onBumpNeeded?: (reason: string) => void;
  /** Transactional producers: the id Produce requests carry, and the gate that holds a partition until the coordinator has it. */
  readonly transaction?: {
    readonly transactionalId: string;
    partitionReady(topic: string, partition: number): boolean;
    /** A batch failed for good: the transaction can no longer commit. */
    batchFailed(error: Error): void;
  };
  /** A request or batch failed in a way worth logging (never per record). */
  readonly onError?: (error: Error, context: { nodeId: number; topic?: string; partition?: number }) => void;
}

export class Sender {
  private readonly inFlight = new Map<number, number>();
  private inFlightTotal = 0;
  private paused = true;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined = undefined;
  private idleWaiters: (() => void)[] = [];
  /** Per broker, settles once the previous request to it was handed to the connection. */
  private readonly writeChain = new Map<number, Promise<void>>();

  constructor(private readonly options: SenderOptions) {}

  /** Produce requests awaiting their answer. */
  get inFlightRequests(): number {
    return this.inFlightTotal;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Starts (or resumes) sending. */
  resume(): void {
    this.paused = false;
    this.wake();
  }

  /** Stops taking batches; requests in flight still complete. */
  pause(): void {
    this.paused = true;
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.inFlightTotal === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Asks for a drain soon (coalesced): the accumulator's onReady and every answer call this. */
  wake(): void {
    if (this.scheduled || this.paused) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  stop(): void {
    this.paused = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private run(): void {
    if (this.paused) return;
    const { accumulator, maxInFlightPerBroker } = this.options;
    let cluster: ProducerCluster;
    try {
      cluster = this.options.cluster();
    } catch {
      this.retryLater();
      return;
    }
    const brokers = cluster.metadata.brokers;
    const gate = this.options.transaction;
    const nodeReady = (nodeId: number): boolean => brokers.has(nodeId) && (this.inFlight.get(nodeId) ?? 0) < maxInFlightPerBroker;
    const partitionReady = gate === undefined ? undefined : (topic: string, partition: number): boolean => gate.partitionReady(topic, partition);
    // A drain takes one batch per partition, so several answers that arrive together would
    // otherwise refill the pipeline one request per wake. Drain until every broker's requests
    // in flight are back at the limit or nothing is ready: each round sends (and counts) at
    // least one request, so this ends.
    for (;;) {
      const { batches, unknownLeaderTopics } = accumulator.drain(nodeReady, partitionReady);
      for (const [nodeId, list] of batches) this.send(cluster, nodeId, list);
      if (unknownLeaderTopics.size > 0) {
        // Partitions without a leader: new metadata will name one; look again after a backoff.
        cluster.refreshMetadata(this.options.requestTimeoutMs).catch(() => undefined);
        this.retryLater();
      }
      if (batches.size === 0) return;
    }
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, this.options.retryBackoffMs);
  }

  private send(cluster: ProducerCluster, nodeId: number, batches: ProducerBatch[]): void {
    this.inFlight.set(nodeId, (this.inFlight.get(nodeId) ?? 0) + 1);
    this.inFlightTotal++;
    this.exchange(cluster, nodeId, batches)
      .catch((error: unknown) => {
        // Only a bug gets here (answers are settled per batch); fail what is still in flight.
        for (const batch of batches) if (batch.status === BatchStatus.inFlight) this.fail(batch, error as Error);
      })
      .finally(() => {
        this.inFlight.set(nodeId, (this.inFlight.get(nodeId) ?? 1) - 1);
        this.inFlightTotal--;
        if (this.inFlightTotal === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        this.wake();
      });
  }

  private async exchange(cluster: ProducerCluster, nodeId: number, batches: ProducerBatch[]): Promise<void> {
    const { acks, compression, idempotence, requestTimeoutMs } = this.options;
    const transactional = this.options.transaction !== undefined;
    const identity = idempotence?.hasIdentity ? { producerId: idempotence.producerId, producerEpoch: idempotence.producerEpoch } : NO_PRODUCER;
    // Sequences are taken now, in drain order, before anything can interleave.
    const pending: (Buffer | Promise<Buffer> | Error)[] = batches.map((batch) => {
      const baseSequence = identity === NO_PRODUCER ? -1 : idempotence!.sequenceFor(batch);
      try {
        return encodeBatch(batch, { compression, identity, baseSequence, transactional });
      } catch (error) {
        return error as Error;
      }
    });
    // Requests to one broker leave in drain order, even when a codec compresses asynchronously.
    const previous = this.writeChain.get(nodeId);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.writeChain.set(nodeId, mine);
    let response: Promise<ProduceResponse>;
    const encoded: Buffer[] = [];
    const accepted: ProducerBatch[] = [];
    try {
      if (previous !== undefined) await previous;
      for (let i = 0; i < batches.length; i++) {
        let bytes = pending[i]!;
        if (bytes instanceof Promise) bytes = await bytes.catch((error: unknown) => error as Error);
        // A record the encoder refuses fails alone with its batch; the others still go.
        if (bytes instanceof Error) this.fail(batches[i]!, bytes);
        else {
          encoded.push(bytes);
          accepted.push(batches[i]!);
        }
      }
      if (accepted.length === 0) return;
      const transactionalId = this.options.transaction?.transactionalId ?? null;
      const body = produceRequest(accepted, encoded, acks, requestTimeoutMs, transactionalId);
      // The broker waits up to requestTimeoutMs for replication; our timeout leaves it time to answer.
      response = cluster.request(nodeId, Lane.produce, ProduceApi, body, {
        timeoutMs: requestTimeoutMs + 5_000,
        // Produce v12+ lets a KIP-890 (transaction version 2) broker add partitions implicitly;
        // this producer adds them with AddPartitionsToTxn, so it stays below.
        versions: transactionalId === null ? { min: PRODUCE_MIN_VERSION } : { min: PRODUCE_MIN_VERSION, max: PRODUCE_MAX_TRANSACTIONAL_VERSION },
        expectResponse: acks !== AcksValue.none,
      });
    } finally {
      release();
      if (this.writeChain.get(nodeId) === mine) this.writeChain.delete(nodeId);
    }
    await this.settleAnswers(cluster, nodeId, accepted, encoded, response);
  }

  private async settleAnswers(
    cluster: ProducerCluster,
    nodeId: number,
    accepted: ProducerBatch[],
    encoded: readonly Buffer[],
    pendingResponse: Promise<ProduceResponse>,
  ): Promise<void> {
    let response: ProduceResponse;
    try {
      response = await pendingResponse;
    } catch (error) {
      // The request may still sit in the socket's queue: its bytes are left to the collector.
      for (const batch of accepted) this.settleFailed(cluster, nodeId, batch, error as Error);
      return;
    }
    const expectResponse = this.options.acks !== AcksValue.none;
    // The broker answered, so it has read every byte of the request: the encoded batches are
    // done with (a retry encodes its batch again) and their memory goes back to the pool.
    if (expectResponse) for (const bytes of encoded) batchBuffers.release(bytes);
    if (!expectResponse) {
      // acks=0: nothing tells where the records went; offsets are unknown (-1).
      for (const batch of accepted) this.complete(batch, -1n, -1);
      return;
    }
    const answers = answersFor(accepted, response);
    for (let i = 0; i < accepted.length; i++) {
      const batch = accepted[i]!;
      const answer = answers[i];
      if (answer === undefined) {
        this.settleFailed(cluster, nodeId, batch, new MissingPartitionAnswerError(batch.topic, batch.partition, nodeId));
      } else if (answer.errorCode === 0 || answer.errorCode === KafkaErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        // DUPLICATE_SEQUENCE_NUMBER: the broker wrote this batch before (a retry after a lost answer).
        this.complete(batch, answer.baseOffset, Number(answer.logAppendTimeMs ?? -1n));
      } else {
        this.settleFailed(cluster, nodeId, batch, new KafkaProtocolError(answer.errorCode, answerMessage(answer)));
      }
    }
  }

  private complete(batch: ProducerBatch, baseOffset: bigint, logAppendTime: number): void {
    if (batchDeliveredChannel.hasSubscribers) {
      batchDeliveredChannel.publish({ topic: batch.topic, records: batch.recordCount, bytes: batch.sizeBytes } satisfies BatchDelivered);
    }
    this.options.idempotence?.finished(batch);
    this.options.accumulator.complete(batch, baseOffset, logAppendTime);
  }

  /** A batch that was not written, or whose fate is unknown: retry it, or fail it. */
  private settleFailed(cluster: ProducerCluster, nodeId: number, batch: ProducerBatch, error: Error): void {
    const { accumulator, idempotence, retryBackoffMs, retries } = this.options;
    this.options.onError?.(error, { nodeId, topic: batch.topic, partition: batch.partition });
    const code = error instanceof KafkaProtocolError ? error.errorCode : undefined;
    // A transactional producer with a stale epoch was fenced by a newer one: no bump mends that.
    const fenced = this.options.transaction !== undefined && code === KafkaErrorCode.INVALID_PRODUCER_EPOCH;
    if (idempotence !== null && !fenced && (code === KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === KafkaErrorCode.UNKNOWN_PRODUCER_ID || code === KafkaErrorCode.INVALID_PRODUCER_EPOCH)) {
      // Behind a batch that is being retried, this one simply follows it. As the oldest, the
      // broker and we disagree about the sequences: a new epoch starts them again at 0.
      if (idempotence.isOldestUnfinished(batch)) this.requestBump(`${error.message} for ${batch.topic}-${batch.partition}`);
      if (this.withinDeliveryTimeout(batch, retryBackoffMs)) {
        accumulator.reenqueue(batch, retryBackoffMs);
        return;
      }
    }
    const retriable = (error as { retriable?: unknown }).retriable === true;
    if (retriable) {
      if (error instanceof KafkaProtocolError && error.refreshMetadata) cluster.noteError(error);
      if (batch.attempts <= retries && this.withinDeliveryTimeout(batch, retryBackoffMs)) {
        accumulator.reenqueue(batch, retryBackoffMs);
        return;
      }
      if (batch.attempts <= retries) {
        const waited = Date.now() - batch.createdAt;
        this.fail(batch, new DeliveryTimeoutError(batch.topic, batch.partition, waited, accumulator.deliveryTimeoutMs), { cause: error });
        return;
      }
    }
    this.fail(batch, error);
  }

  private withinDeliveryTimeout(batch: ProducerBatch, backoffMs: number): boolean {
    return Date.now() + backoffMs - batch.createdAt < this.options.accumulator.deliveryTimeoutMs;
  }

  /** Fails a batch for good; with idempotence its sequence leaves a gap, which only a new epoch closes. */
  private fail(batch: ProducerBatch, error: Error, extra?: { cause: unknown }): void {
    if (extra !== undefined && (error as { cause?: unknown }).cause === undefined) (error as { cause?: unknown }).cause = extra.cause;
    const idempotence = this.options.idempotence;
    if (idempotence !== null && idempotence.isSequenced(batch)) {
      idempotence.finished(batch);
      this.requestBump(`the batch for ${batch.topic}-${batch.partition} failed after taking sequence numbers (${error.message})`);
    }
    this.options.transaction?.batchFailed(error);
    this.options.accumulator.fail(batch, error);
  }

  private requestBump(reason: string): void {
    const idempotence = this.options.idempotence;
    if (idempotence === null) return;
    const first = idempotence.bumpNeeded === null;
    idempotence.requestBump(reason);
    // Nothing new goes out under the old epoch: it would only meet the same refusal.
    this.paused = true;
    if (first) this.options.onBumpNeeded?.(reason);
  }
}

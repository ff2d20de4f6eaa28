/**
 * The transactional producer's coordinator side (what the Java client's TransactionManager
 * does), as a plain object the Producer owns:
 *
 * - `initialize`: the transaction coordinator of the transactional id (FindCoordinator, key type
 *   transaction) hands out the producer id and a new epoch (InitProducerId), which fences any
 *   older producer with the same id and aborts its open transaction;
 * - `begin`: local only; the first batch to each partition waits in the accumulator (the
 *   sender's gate, `partitionReady`) until AddPartitionsToTxn registered the partition: Kafka
 *   4.x brokers verify this (KIP-890 part 1) and refuse records of unregistered partitions;
 * - `sendOffsets`: AddOffsetsToTxn to the transaction coordinator, then TxnOffsetCommit to the
 *   group coordinator, so the group's offsets commit or abort with the records;
 * - `commit` / `abort`: flush (commit) or fail what is still queued (abort), then EndTxn.
 *
 * Answers are classified (transaction-errors.ts): coordinator moved → find it again and
 * retry, retriable → retry after a backoff, abortable → only abort is allowed, fatal → the
 * producer stops for good. The life cycle itself is transaction-machine.ts; this object sends it
 * one event per call or failure, never per record.
 */
import { createActor, type ActorRefFrom } from 'xstate';
import { KafkaErrorCode, KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { AddOffsetsToTxnApi } from '../../protocol/messages/add-offsets-to-txn.js';
import { AddPartitionsToTxnApi } from '../../protocol/messages/add-partitions-to-txn.js';
import { EndTxnApi } from '../../protocol/messages/end-txn.js';
import { InitProducerIdApi } from '../../protocol/messages/init-producer-id.js';
import { TxnOffsetCommitApi } from '../../protocol/messages/txn-offset-commit.js';
import { Lane } from '../cluster/broker-machine.js';
import { CoordinatorKeyType, type Coordinator } from '../cluster/coordinators.js';
import type { IdempotenceState } from './idempotence.js';
import type { ProducerCluster } from './sender.js';
import {
  ProducerFencedError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionError,
  TransactionStateError,
  TxnErrorClass,
  classifyTxnError,
  txnErrorFor,
} from './transaction-errors.js';
import { transactionMachine, type TransactionEvent } from './transaction-machine.js';

/** The cluster as the transaction manager needs it; ClusterClient has it. */
export interface TransactionCluster extends ProducerCluster {
  findCoordinator(keyType: CoordinatorKeyType, key: string, timeoutMs: number): Promise<Coordinator>;
  coordinatorMoved(keyType: CoordinatorKeyType, key: string): void;
}

/**
 * Highest versions this manager speaks: above them a KIP-890 part 2 broker (transaction
 * version 2) would bump the epoch at every EndTxn and add partitions implicitly, which this
 * producer does not do. Lower versions are negotiated as usual.
 */
export const TXN_MAX_VERSIONS = { addPartitions: 3, addOffsets: 3, endTxn: 4, txnOffsetCommit: 4 } as const;

/** What the manager needs of the producer around it. */
export interface TransactionHost {
  /** Resolves when every record appended so far has its outcome. */
  flush(): Promise<void>;
  /** Fails the transactional lane's queued (not in flight) records with `error`. */
  failQueued(error: Error): void;
  /** Resolves when the transactional lane has no request in flight (and stops it taking batches). */
  quiesce(): Promise<void>;
  /** Lets the transactional lane send again and look at gated partitions. */
  resume(): void;
  /** The producer is fenced or unauthorised: it stops for good with `error`. */
  fatal(error: Error): void;
}

export interface TransactionOptions {
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly idempotence: IdempotenceState;
  readonly cluster: () => TransactionCluster;
  /** The life-cycle actor, when the producer actor spawned it (so it shows in the actor system); one of our own otherwise. */
  readonly lifecycle?: TransactionLifecycle;
}

export type TransactionLifecycle = ActorRefFrom<typeof transactionMachine>;

export interface TxnOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch?: number;
  readonly metadata?: string | null;
}

/** The consumer's group membership: a stale generation makes the commit fail (zombie fencing, KIP-447). */
export interface TxnGroupMetadata {
  readonly groupId: string;
  readonly generationId?: number;
  readonly memberId?: string;
  readonly groupInstanceId?: string | null;
}

export type TransactionState = 'uninitialised' | 'ready' | 'inTransaction' | 'committing' | 'abortableError' | 'aborting' | 'fatal';

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class TransactionManager {
  readonly lifecycle: TransactionLifecycle;
  /** Partitions the coordinator has in the current transaction. */
  private readonly added = new Set<string>();
  /** Partitions with a ready batch that wait for AddPartitionsToTxn. */
  private readonly wanted = new Map<string, { topic: string; partition: number }>();
  private addInFlight: Promise<void> | null = null;
  private offsetsAdded = false;
  /** Why the transaction must be aborted (abortableError), or why the producer stopped (fatal). */
  private failure: TransactionError | null = null;

  constructor(
    private readonly options: TransactionOptions,
    private readonly host: TransactionHost,
  ) {
    this.lifecycle = options.lifecycle ?? createActor(transactionMachine).start();
  }

  get transactionalId(): string {
    return this.options.transactionalId;
  }

  get state(): TransactionState {
    return this.lifecycle.getSnapshot().value as TransactionState;
  }

  /** Partitions registered in the current transaction (for tests and metrics). */
  get partitionCount(): number {
    return this.added.size;
  }

  /** Why records may not be sent now, or null when they may (inside a transaction). */
  sendRefusal(): Error | null {
    const state = this.state;
    if (state === 'inTransaction') return null;
    if (state === 'abortableError' || state === 'fatal') return this.failure ?? new TransactionStateError('send records', state);
    return new TransactionStateError('send records', state === 'ready' ? 'not begun (call beginTransaction first)' : state);
  }

  /** InitProducerId with the transactional id at its coordinator: our producer id and a new epoch. */
  async initialize(timeoutMs: number): Promise<void> {
    const { transactionalId, transactionTimeoutMs, idempotence } = this.options;
    try {
      const response = await this.toCoordinator(
        CoordinatorKeyType.transaction,
        transactionalId,
        'InitProducerId',
        (cluster, nodeId, t) => cluster.request(nodeId, Lane.control, InitProducerIdApi, { transactionalId, transactionTimeoutMs }, { timeoutMs: t }),
        (r) => r.errorCode,
        timeoutMs,
      );
      idempotence.setIdentity({ producerId: response.producerId, producerEpoch: response.producerEpoch });
    } catch (error) {
      // Retriable trouble (no coordinator yet) is the producer machine's to retry with backoff.
      if (error instanceof TransactionError) this.toFatal(error);
      throw error;
    }
    if (this.state === 'uninitialised') this.move({ type: 'initialised' });
  }

  begin(): void {
    this.move({ type: 'begin' }, 'begin a transaction');
    this.added.clear();
    this.wanted.clear();
    this.offsetsAdded = false;
    this.failure = null;
  }

  /**
   * The sender's gate: true once the coordinator has the partition in this transaction;
   * otherwise asks for it (coalesced into one AddPartitionsToTxn) and says wait.
   */
  partitionReady(topic: string, partition: number): boolean {
    const key = partitionKey(topic, partition);
    if (this.added.has(key)) return true;
    const state = this.state;
    if (state !== 'inTransaction' && state !== 'committing') return false;
    if (!this.wanted.has(key)) this.wanted.set(key, { topic, partition });
    if (this.addInFlight === null) this.addInFlight = this.addWanted();
    return false;
  }

  /** A batch of the transaction failed for good: the transaction cannot commit any more. */
  batchFailed(error: Error): void {
    if (error instanceof TransactionAbortedError || error instanceof TransactionAbortableError) return;
    if (error instanceof ProducerFencedError) this.toFatal(error);
    else if (error instanceof KafkaProtocolError && classifyTxnError(error.errorCode) === TxnErrorClass.fatal) {
      // PRODUCER_FENCED / INVALID_PRODUCER_EPOCH on Produce: a newer producer took the id.
      this.toFatal(new ProducerFencedError(error.code, `Produce to a partition refused`, { cause: error }));
    }
    else this.toAbortable(new TransactionAbortableError(`a batch failed: ${error.message}`, { cause: error }));
  }

  /** The idempotent sequences broke (KIP-360): inside a transaction only an abort and a new epoch mend them. */
  bumpNeeded(reason: string): void {
    this.toAbortable(new TransactionAbortableError(`the producer's sequences broke (${reason})`));
  }

  /** Adds the group's offsets to the transaction: they commit or abort with its records. */
  async sendOffsets(offsets: readonly TxnOffset[], group: TxnGroupMetadata, timeoutMs = this.options.requestTimeoutMs): Promise<void> {
    if (this.state !== 'inTransaction') throw this.sendRefusal()!;
    const { transactionalId, idempotence } = this.options;
    const producerId = idempotence.producerId;
    const producerEpoch = idempotence.producerEpoch;
    await this.guard('sendOffsetsToTransaction', async () => {
      await this.toCoordinator(
        CoordinatorKeyType.transaction,
        transactionalId,
        'AddOffsetsToTxn',
        (cluster, nodeId, t) =>
          cluster.request(nodeId, Lane.control, AddOffsetsToTxnApi, { transactionalId, producerId, producerEpoch, groupId: group.groupId }, { timeoutMs: t, versions: { max: TXN_MAX_VERSIONS.addOffsets } }),
        (r) => r.errorCode,
        timeoutMs,
      );
      this.offsetsAdded = true;
      const byTopic = new Map<string, TxnOffset[]>();
      for (const o of offsets) {
        let list = byTopic.get(o.topic);
        if (list === undefined) byTopic.set(o.topic, (list = []));
        list.push(o);
      }
      const topics = [...byTopic].map(([name, list]) => ({
        name,
        partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch ?? -1, committedMetadata: o.metadata ?? null })),
      }));
      await this.toCoordinator(
        CoordinatorKeyType.group,
        group.groupId,
        'TxnOffsetCommit',
        (cluster, nodeId, t) =>
          cluster.request(
            nodeId,
            Lane.control,
            TxnOffsetCommitApi,
            {
              transactionalId,
              groupId: group.groupId,
              producerId,
              producerEpoch,
              generationId: group.generationId ?? -1,
              memberId: group.memberId ?? '',
              groupInstanceId: group.groupInstanceId ?? null,
              topics,
            },
            { timeoutMs: t, versions: { max: TXN_MAX_VERSIONS.txnOffsetCommit } },
          ),
        (r) => firstError(r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))),
        timeoutMs,
      );
    });
  }

  /** Sends everything appended in the transaction, then commits it (EndTxn). */
  async commit(timeoutMs = this.options.requestTimeoutMs): Promise<void> {
    this.move({ type: 'commit' }, 'commit');
    await this.host.flush();
    await this.addInFlight;
    if (this.state !== 'committing') throw this.failure ?? new TransactionStateError('commit', this.state);
    await this.guard('commitTransaction', () => this.endTxn(true, timeoutMs));
    this.finishTransaction();
  }

  /**
   * Aborts the transaction: queued records fail with TransactionAbortedError, records in flight
   * settle, then EndTxn(abort). When the sequences broke, InitProducerId bumps the epoch.
   */
  async abort(timeoutMs = this.options.requestTimeoutMs): Promise<void> {
    this.move({ type: 'abort' }, 'abort');
    this.host.failQueued(new TransactionAbortedError());
    await this.host.quiesce();
    await this.addInFlight;
    await this.guard('abortTransaction', async () => {
      await this.endTxn(false, timeoutMs);
      if (this.options.idempotence.bumpNeeded !== null) await this.initialize(timeoutMs);
    });
    this.finishTransaction();
    this.host.resume();
  }

  private finishTransaction(): void {
    this.added.clear();
    this.wanted.clear();
    this.offsetsAdded = false;
    this.failure = null;
    this.move({ type: 'done' });
  }

  private async endTxn(committed: boolean, timeoutMs: number): Promise<void> {
    // A transaction that never reached the coordinator has nothing to end there.
    if (this.added.size === 0 && !this.offsetsAdded) return;
    const { transactionalId, idempotence } = this.options;
    const producerId = idempotence.producerId;
    const producerEpoch = idempotence.producerEpoch;
    await this.toCoordinator(
      CoordinatorKeyType.transaction,
      transactionalId,
      committed ? 'EndTxn(commit)' : 'EndTxn(abort)',
      (cluster, nodeId, t) => cluster.request(nodeId, Lane.control, EndTxnApi, { transactionalId, producerId, producerEpoch, committed }, { timeoutMs: t, versions: { max: TXN_MAX_VERSIONS.endTxn } }),
      (r) => r.errorCode,
      timeoutMs,
    );
  }

  /** Registers the wanted partitions, one AddPartitionsToTxn at a time, then wakes the sender. */
  private async addWanted(): Promise<void> {
    const { transactionalId, idempotence } = this.options;
    try {
      while (this.wanted.size > 0 && (this.state === 'inTransaction' || this.state === 'committing')) {
        const batch = [...this.wanted.values()];
        const byTopic = new Map<string, number[]>();
        for (const { topic, partition } of batch) {
          let list = byTopic.get(topic);
          if (list === undefined) byTopic.set(topic, (list = []));
          list.push(partition);
        }
        const producerId = idempotence.producerId;
        const producerEpoch = idempotence.producerEpoch;
        await this.toCoordinator(
          CoordinatorKeyType.transaction,
          transactionalId,
          'AddPartitionsToTxn',
          (cluster, nodeId, t) =>
            cluster.request(
              nodeId,
              Lane.control,
              AddPartitionsToTxnApi,
              {
                v3AndBelowTransactionalId: transactionalId,
                v3AndBelowProducerId: producerId,
                v3AndBelowProducerEpoch: producerEpoch,
                v3AndBelowTopics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
              },
              { timeoutMs: t, versions: { max: TXN_MAX_VERSIONS.addPartitions } },
            ),
          (r) => firstError((r.resultsByTopicV3AndBelow ?? []).flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode))),
          this.options.requestTimeoutMs,
        );
        for (const { topic, partition } of batch) {
          const key = partitionKey(topic, partition);
          this.added.add(key);
          this.wanted.delete(key);
        }
        // Unless the transaction failed meanwhile: then the lane stays as the failure left it.
        if (this.state === 'inTransaction' || this.state === 'committing') this.host.resume();
      }
    } catch (error) {
      const typed = error instanceof TransactionError ? error : new TransactionAbortableError(`AddPartitionsToTxn failed: ${(error as Error).message}`, { cause: error });
      if (typed instanceof ProducerFencedError) this.toFatal(typed);
      else this.toAbortable(typed);
    } finally {
      this.addInFlight = null;
    }
  }

  /** Runs one coordinator step; its failure becomes the transaction's (abortable) or the producer's (fatal). */
  private async guard(what: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (error instanceof ProducerFencedError) this.toFatal(error);
      else if (error instanceof TransactionError) this.toAbortable(error);
      else this.toAbortable(new TransactionAbortableError(`${what} did not complete: ${(error as Error).message}`, { cause: error }));
      throw this.failure ?? error;
    }
  }

  /**
   * Sends a request to the coordinator of `key` until it is answered without a retriable error
   * or `timeoutMs` passed: a moved or unavailable coordinator is looked up again.
   */
  private async toCoordinator<Res>(
    keyType: CoordinatorKeyType,
    key: string,
    what: string,
    send: (cluster: TransactionCluster, nodeId: number, timeoutMs: number) => Promise<Res>,
    errorOf: (response: Res) => number,
    timeoutMs: number,
  ): Promise<Res> {
    const deadline = Date.now() + timeoutMs;
    let lastError: Error | null = null;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) await sleep(Math.min(this.options.retryBackoffMs * 2 ** Math.min(attempt - 1, 5), 1000, Math.max(0, deadline - Date.now())));
      const cluster = this.options.cluster();
      const remaining = Math.max(1, deadline - Date.now());
      let response: Res;
      try {
        const coordinator = await cluster.findCoordinator(keyType, key, remaining);
        response = await send(cluster, coordinator.nodeId, Math.max(1, deadline - Date.now()));
      } catch (error) {
        if ((error as { retriable?: unknown }).retriable !== true) throw error;
        // The connection to the coordinator broke or timed out: it may have moved.
        cluster.coordinatorMoved(keyType, key);
        lastError = error as Error;
        continue;
      }
      const code = errorOf(response);
      const kind = classifyTxnError(code);
      if (kind === TxnErrorClass.ok) return response;
      lastError = new KafkaProtocolError(code, `${what} for transactional id ${this.options.transactionalId}`);
      if (kind === TxnErrorClass.coordinator) cluster.coordinatorMoved(keyType, key);
      else if (kind !== TxnErrorClass.retry) throw txnErrorFor(code, what);
    }
    throw lastError ?? new KafkaProtocolError(KafkaErrorCode.REQUEST_TIMED_OUT, `${what} found no coordinator within ${timeoutMs} ms`);
  }

  private toAbortable(error: TransactionError): void {
    const state = this.state;
    if (state !== 'inTransaction' && state !== 'committing' && state !== 'aborting') return;
    this.failure = error;
    this.move({ type: 'abortable' });
    // Nothing queued may go out now: it fails at once, so a waiting flush or commit ends.
    this.host.failQueued(error);
  }

  private toFatal(error: TransactionError): void {
    if (this.state === 'fatal') return;
    this.failure = error;
    this.move({ type: 'fatal' });
    this.host.fatal(error);
  }

  /** Moves the life cycle; `action` names a caller's call that must be allowed in the current state. */
  private move(event: TransactionEvent, action?: string): void {
    const snapshot = this.lifecycle.getSnapshot();
    if (!snapshot.can(event)) {
      if (action === undefined) return;
      // Fenced or doomed: the reason says more than the state name.
      if ((this.state === 'fatal' || this.state === 'abortableError') && this.failure !== null) throw this.failure;
      throw new TransactionStateError(action, this.state);
    }
    this.lifecycle.send(event);
  }
}

/** The first error of a per-partition answer; OPERATION_NOT_ATTEMPTED only says another partition failed. */
function firstError(codes: readonly number[]): number {
  let fallback = 0;
  for (const code of codes) {
    if (code === 0) continue;
    if (code === KafkaErrorCode.OPERATION_NOT_ATTEMPTED) fallback = code;
    else return code;
  }
  return fallback;
}

/**
 * The open transactions apps began over IPC, by handle and by transactional id. The rules:
 *
 * - one open transaction per transactional id in this daemon: a second beginTransaction with
 *   the same id gets TRANSACTION_IN_PROGRESS until the first ends (an in-daemon check, not a
 *   fencing: a stray duplicate request must not silently destroy another request's work;
 *   another daemon with the same id is fenced by Kafka's epochs as usual);
 * - a transaction ends by commit or abort, or is aborted when the session that began it ends,
 *   when its timeout passes, or at shutdown;
 * - a commit that fails abortable leaves it open (only abort is allowed then); a fenced
 *   producer ends it and is replaced (re-initialised) at the next begin of its id;
 * - a transactional producer with no open transaction for producers.idleMs is closed.
 *
 * The handle is the capability: any session that knows it may produce, send offsets, commit or
 * abort with it (over NATS, each call is a request of its own).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AcksMode, OutgoingRecord } from '../machines/producer/producer.js';
import type { RecordOutcome } from '../machines/producer/delivery.js';
import { ProducerFencedError, TransactionAbortableError, TransactionError, TransactionStateError } from '../machines/producer/transaction-errors.js';
import type { TxnGroupMetadata, TxnOffset } from '../machines/producer/transaction-manager.js';
import { ShuttingDownError, TransactionCallError, TransactionInProgressError, UnknownTransactionError } from './errors.js';
import type { TransactionStatus } from './methods/status.js';
import type { Session } from './session.js';

/** What the registry needs of a transactional producer (the Producer class has it). */
export interface TransactionalProducer {
  beginTransaction(): void;
  send(topic: string, records: readonly OutgoingRecord[], acks?: AcksMode): Promise<RecordOutcome[]>;
  sendOffsetsToTransaction(offsets: readonly TxnOffset[], group: TxnGroupMetadata, timeoutMs?: number): Promise<void>;
  commitTransaction(timeoutMs?: number): Promise<void>;
  abortTransaction(timeoutMs?: number): Promise<void>;
  /** A record of the transaction failed: the transaction can only be aborted now. */
  transactionFailed(error: Error): void;
}

/** The daemon's transactional producers, one per transactional id (daemon/transactional-producers.ts). */
export interface TransactionalProducers {
  /** The id's producer, initialised and ready to begin; started, or replaced when it was fenced. */
  acquire(transactionalId: string, timeoutMs: number): Promise<TransactionalProducer>;
  /** Closes the id's producer: idle, fenced, or its transaction could not be ended (a new producer fences it). */
  close(transactionalId: string): void;
  /** Ids whose producer is running. */
  running(): readonly string[];
}

/** Work to do when the transaction ends: messages whose offsets it carries are acked on commit, handed back on abort. */
export interface TransactionOutcomeHooks {
  committed(): void;
  aborted(): void;
}

export interface TransactionRegistryOptions {
  /** The longest life of a transaction, and the default of beginTransaction's timeoutMs. */
  readonly timeoutMs: number;
  /** A producer with no open transaction this long is closed. */
  readonly idleMs: number;
  /** Bound of each coordinator step (commit, abort, offsets) and of a producer's start. */
  readonly requestTimeoutMs: number;
  readonly now?: () => number;
}

export const TransactionEnd = {
  committed: 'committed',
  aborted: 'aborted',
  timedOut: 'timed out and was aborted',
  sessionEnded: 'its session ended and it was aborted',
  shutdown: 'the daemon shut down and it was aborted',
  fenced: 'its producer was fenced (another producer took the transactional id)',
} as const;
export type TransactionEnd = (typeof TransactionEnd)[keyof typeof TransactionEnd];

export type TransactionInfo = TransactionStatus;

interface OpenTransaction {
  readonly handle: string;
  readonly transactionalId: string;
  readonly session: string;
  readonly startedAt: number;
  readonly deadline: number;
  producer: TransactionalProducer | null;
  timer: NodeJS.Timeout | null;
  forgetSession: () => void;
  readonly hooks: TransactionOutcomeHooks[];
  /** An end under way (commit, abort), so that a second one waits for it instead of racing it. */
  ending: Promise<void> | null;
}

/** How many ended handles are remembered, so that a late call learns how its transaction ended. */
const ENDED_MEMORY = 1000;

export class TransactionRegistry {
  private readonly byHandle = new Map<string, OpenTransaction>();
  private readonly byId = new Map<string, OpenTransaction>();
  private readonly ended = new Map<string, TransactionEnd>();
  /** When each running producer last had no open transaction. */
  private readonly idleSince = new Map<string, number>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private shutdownDeadline: number | null = null;

  constructor(
    private readonly options: TransactionRegistryOptions,
    private readonly producers: TransactionalProducers,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.closeIdle(), Math.min(1000, options.idleMs));
    this.timer.unref();
  }

  /**
   * Begins a transaction with `transactionalId` for `session`; `bindToSession` false leaves it
   * to its timeout (a NATS request's session ends with its answer).
   */
  async begin(session: Session, transactionalId: string, timeoutMs: number, bindToSession: boolean): Promise<TransactionInfo> {
    if (this.shutdownDeadline !== null) throw new ShuttingDownError();
    const holder = this.byId.get(transactionalId);
    if (holder !== undefined) throw new TransactionInProgressError(transactionalId, holder.session);
    const now = this.now();
    const txn: OpenTransaction = {
      handle: `txn-${randomBytes(12).toString('base64url')}`,
      transactionalId,
      session: session.id,
      startedAt: now,
      deadline: now + Math.min(timeoutMs, this.options.timeoutMs),
      producer: null,
      timer: null,
      forgetSession: () => undefined,
      hooks: [],
      ending: null,
    };
    // Held from here, while the producer starts: a second begin must not slip in meanwhile.
    this.byId.set(transactionalId, txn);
    try {
      const producer = await this.producers.acquire(transactionalId, this.options.requestTimeoutMs);
      producer.beginTransaction();
      txn.producer = producer;
    } catch (error) {
      this.byId.delete(transactionalId);
      this.idleSince.set(transactionalId, this.now());
      throw translate(error, transactionalId);
    }
    this.byHandle.set(txn.handle, txn);
    this.idleSince.delete(transactionalId);
    txn.timer = setTimeout(() => void this.abandon(txn, TransactionEnd.timedOut), Math.max(0, txn.deadline - this.now()));
    txn.timer.unref();
    if (bindToSession) txn.forgetSession = session.onClose(() => this.abandon(txn, TransactionEnd.sessionEnded));
    this.logger.debug({ transactionalId, transaction: txn.handle, session: session.id }, 'transaction begun');
    return this.info(txn);
  }

  /**
   * Produces into the transaction; records fail one by one as in plain produce, and a failed
   * one dooms the transaction (commit then answers TRANSACTION_ABORTABLE), even when it failed
   * before reaching a broker (a partition the topic lacks).
   */
  async produce(handle: string, topic: string, records: readonly OutgoingRecord[]): Promise<RecordOutcome[]> {
    const producer = this.open(handle);
    const outcomes = await producer.send(topic, records, 'all');
    // A call refused by the transaction's state (sent while it commits) leaves the transaction as it is, as in Java.
    const failure = outcomes.find((o) => !o.ok && !(o.error instanceof TransactionStateError));
    if (failure !== undefined && !failure.ok) producer.transactionFailed(failure.error);
    return outcomes;
  }

  /** Adds a group's offsets to the transaction; `hooks` run when it commits or aborts. */
  async sendOffsets(handle: string, offsets: readonly TxnOffset[], group: TxnGroupMetadata, hooks?: TransactionOutcomeHooks): Promise<void> {
    const txn = this.get(handle);
    try {
      await this.open(handle).sendOffsetsToTransaction(offsets, group, this.options.requestTimeoutMs);
    } catch (error) {
      throw this.failed(txn, error);
    }
    if (hooks !== undefined) txn.hooks.push(hooks);
  }

  async commit(handle: string): Promise<void> {
    const txn = this.get(handle);
    const producer = this.open(handle);
    if (txn.ending !== null) throw new TransactionCallError('INVALID_TXN_STATE', `transaction "${handle}" is already being ended`, { transaction: handle });
    await this.ending(txn, producer.commitTransaction(this.options.requestTimeoutMs), TransactionEnd.committed);
  }

  async abort(handle: string): Promise<void> {
    const txn = this.get(handle);
    await this.end(txn, TransactionEnd.aborted);
  }

  /** Refuses new transactions; aborts left from now on are bounded by `deadline` (ms since the epoch). */
  beginShutdown(deadline: number): void {
    this.shutdownDeadline = deadline;
  }

  /** Aborts every open transaction (those not bound to a session, and any a session left behind). */
  async abortAll(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.byHandle.values()].map((txn) => this.abandon(txn, TransactionEnd.shutdown)));
  }

  list(): TransactionInfo[] {
    return [...this.byHandle.values()].map((txn) => this.info(txn));
  }

  /** Whether `transactionalId` has an open transaction (for tests and status). */
  isOpen(transactionalId: string): boolean {
    return this.byId.has(transactionalId);
  }

  private info(txn: OpenTransaction): TransactionInfo {
    return {
      transaction: txn.handle,
      transactionalId: txn.transactionalId,
      session: txn.session,
      startedAt: new Date(txn.startedAt).toISOString(),
      deadline: new Date(txn.deadline).toISOString(),
    };
  }

  private get(handle: string): OpenTransaction {
    const txn = this.byHandle.get(handle);
    if (txn === undefined) throw new UnknownTransactionError(handle, this.ended.get(handle));
    return txn;
  }

  private open(handle: string): TransactionalProducer {
    const producer = this.get(handle).producer;
    if (producer === null) throw new UnknownTransactionError(handle);
    return producer;
  }

  /** Aborts `txn` on the app's behalf (timeout, session gone, shutdown); never throws. */
  private async abandon(txn: OpenTransaction, reason: TransactionEnd): Promise<void> {
    if (this.byHandle.get(txn.handle) !== txn) return;
    try {
      await this.end(txn, reason);
    } catch (error) {
      // The producer could not end it (coordinator gone, fenced): a new producer of the id fences
      // the old epoch and the coordinator aborts what it left open.
      this.logger.warn({ err: error, transactionalId: txn.transactionalId, transaction: txn.handle, reason }, 'could not abort the transaction: closing its producer');
      if (this.byHandle.get(txn.handle) === txn) this.finish(txn, reason);
      this.producers.close(txn.transactionalId);
    }
  }

  private async end(txn: OpenTransaction, reason: TransactionEnd): Promise<void> {
    // A commit or abort under way ends first; an abort after a commit that failed abortable goes on.
    if (txn.ending !== null) await txn.ending;
    if (this.byHandle.get(txn.handle) !== txn) {
      if (reason === TransactionEnd.aborted) throw new UnknownTransactionError(txn.handle, this.ended.get(txn.handle));
      return;
    }
    await this.ending(txn, txn.producer!.abortTransaction(this.abortTimeoutMs()), reason);
  }

  /** Waits for a commit or abort the producer runs; others wait for it through `txn.ending` instead of racing it. */
  private async ending(txn: OpenTransaction, step: Promise<void>, how: TransactionEnd): Promise<void> {
    txn.ending = step.then(
      () => undefined,
      () => undefined,
    );
    try {
      await step;
    } catch (error) {
      throw this.failed(txn, error);
    } finally {
      txn.ending = null;
    }
    this.finish(txn, how);
  }

  private abortTimeoutMs(): number {
    if (this.shutdownDeadline === null) return this.options.requestTimeoutMs;
    return Math.max(1, Math.min(this.options.requestTimeoutMs, this.shutdownDeadline - this.now()));
  }

  /** A fenced producer ends its transaction and is replaced at the next begin; other failures leave the transaction to the app. */
  private failed(txn: OpenTransaction, error: unknown): Error {
    if (error instanceof ProducerFencedError && this.byHandle.get(txn.handle) === txn) {
      this.finish(txn, TransactionEnd.fenced);
      this.producers.close(txn.transactionalId);
    }
    return translate(error, txn.transactionalId, txn.handle);
  }

  private finish(txn: OpenTransaction, how: TransactionEnd): void {
    if (txn.timer !== null) clearTimeout(txn.timer);
    txn.forgetSession();
    this.byHandle.delete(txn.handle);
    if (this.byId.get(txn.transactionalId) === txn) this.byId.delete(txn.transactionalId);
    this.idleSince.set(txn.transactionalId, this.now());
    this.ended.set(txn.handle, how);
    if (this.ended.size > ENDED_MEMORY) this.ended.delete(this.ended.keys().next().value!);
    for (const hooks of txn.hooks) {
      try {
        if (how === TransactionEnd.committed) hooks.committed();
        else hooks.aborted();
      } catch (error) {
        this.logger.warn({ err: error, transaction: txn.handle }, 'a transaction outcome hook failed');
      }
    }
    const level = how === TransactionEnd.committed || how === TransactionEnd.aborted ? 'debug' : 'warn';
    this.logger[level]({ transactionalId: txn.transactionalId, transaction: txn.handle, session: txn.session }, `transaction ${how}`);
  }

  private closeIdle(): void {
    const now = this.now();
    for (const id of this.producers.running()) {
      if (this.byId.has(id)) continue;
      const since = this.idleSince.get(id);
      if (since === undefined) {
        this.idleSince.set(id, now);
        continue;
      }
      if (now - since < this.options.idleMs) continue;
      this.idleSince.delete(id);
      this.logger.info({ transactionalId: id }, 'no transaction for producer.transactions.idleMs: closing the transactional producer');
      this.producers.close(id);
    }
  }
}

/** The producer's typed transaction errors as IPC errors with the same code; others pass as they are. */
function translate(error: unknown, transactionalId: string, transaction?: string): Error {
  if (!(error instanceof TransactionError)) return error as Error;
  const details: Record<string, unknown> = { transactionalId, ...(transaction === undefined ? {} : { transaction }) };
  if (error instanceof TransactionAbortableError) details.abortable = true;
  return new TransactionCallError(error.code, error.message, details);
}

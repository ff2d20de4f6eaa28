/**
 * Errors of the transactional producer and how a broker's answer to a transactional request
 * is classified. The classes follow the Java client's split: a fenced or unauthorised producer
 * can never go on (fatal), a failed step inside a transaction only dooms that transaction
 * (abortable: abort, then begin a new one), and coordinator trouble is asked again.
 */
import { KafkaErrorCode, KafkaProtocolError } from '../../protocol/errors/kafka-error.js';

export const TransactionErrorCode = {
  /** The call does not fit the transaction's state (commit without begin, send outside a transaction). */
  invalidState: 'INVALID_TXN_STATE',
  /** Another producer with the same transactional id took over, or the id is not ours to use. */
  fenced: 'PRODUCER_FENCED',
  /** A step of the transaction failed; only abortTransaction() is allowed now. */
  abortable: 'TRANSACTION_ABORTABLE',
  /** The record was still buffered when its transaction was aborted. */
  aborted: 'TRANSACTION_ABORTED',
} as const;
export type TransactionErrorCode = (typeof TransactionErrorCode)[keyof typeof TransactionErrorCode];

export abstract class TransactionError extends Error {
  abstract readonly code: TransactionErrorCode;
  readonly retriable = false;
}

export class TransactionStateError extends TransactionError {
  readonly code = TransactionErrorCode.invalidState;
  override readonly name = 'TransactionStateError';
  constructor(readonly action: string, readonly state: string) {
    super(`cannot ${action} while the transaction is ${state}`);
  }
}

/** Fatal: the producer stops for good; `kafkaName` is the broker's reason. */
export class ProducerFencedError extends TransactionError {
  readonly code = TransactionErrorCode.fenced;
  override readonly name = 'ProducerFencedError';
  constructor(readonly kafkaName: string, detail: string, options?: ErrorOptions) {
    super(`transactional producer cannot go on (${kafkaName}): ${detail}`, options);
  }
}

export class TransactionAbortableError extends TransactionError {
  readonly code = TransactionErrorCode.abortable;
  override readonly name = 'TransactionAbortableError';
  constructor(detail: string, options?: ErrorOptions) {
    super(`the transaction must be aborted: ${detail}`, options);
  }
}

export class TransactionAbortedError extends TransactionError {
  readonly code = TransactionErrorCode.aborted;
  override readonly name = 'TransactionAbortedError';
  constructor() {
    super('the transaction was aborted before this record was sent');
  }
}

/** What to do about an error code in the answer to a transactional request. */
export const TxnErrorClass = {
  ok: 'ok',
  /** Find the coordinator again, then retry. */
  coordinator: 'coordinator',
  /** Retry the same request after a backoff. */
  retry: 'retry',
  abortable: 'abortable',
  fatal: 'fatal',
} as const;
export type TxnErrorClass = (typeof TxnErrorClass)[keyof typeof TxnErrorClass];

const FATAL = new Set<number>([
  KafkaErrorCode.PRODUCER_FENCED,
  KafkaErrorCode.INVALID_PRODUCER_EPOCH,
  KafkaErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  KafkaErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  KafkaErrorCode.INVALID_TXN_STATE,
  KafkaErrorCode.INVALID_PRODUCER_ID_MAPPING,
  KafkaErrorCode.TRANSACTION_COORDINATOR_FENCED,
]);

/**
 * Classifies `errorCode` of a transactional request. Group errors of TxnOffsetCommit (the
 * consumer's generation is stale) only doom the transaction, as do authorisation failures
 * on topics and groups; other non-retriable errors are fatal.
 */
export function classifyTxnError(errorCode: number): TxnErrorClass {
  if (errorCode === 0) return TxnErrorClass.ok;
  if (errorCode === KafkaErrorCode.NOT_COORDINATOR || errorCode === KafkaErrorCode.COORDINATOR_NOT_AVAILABLE) return TxnErrorClass.coordinator;
  if (FATAL.has(errorCode)) return TxnErrorClass.fatal;
  const info = new KafkaProtocolError(errorCode);
  if (info.retriable) return TxnErrorClass.retry;
  return TxnErrorClass.abortable;
}

/** The typed error for a non-retriable answer. */
export function txnErrorFor(errorCode: number, what: string, brokerMessage: string | null = null): TransactionError {
  const cause = new KafkaProtocolError(errorCode, brokerMessage);
  if (classifyTxnError(errorCode) === TxnErrorClass.fatal) return new ProducerFencedError(cause.code, `${what} refused`, { cause });
  return new TransactionAbortableError(`${what} failed with ${cause.message}`, { cause });
}

/**
 * Errors that an IPC call can answer with. Each class has a stable string `code` (what apps
 * branch on), the JSON-RPC numeric code it travels under, and `retriable`. The numbers and
 * strings are the contract in docs/ipc.md: change them only together with that document.
 */
import { KafkaProtocolError } from '../protocol/errors/kafka-error.js';

/** JSON-RPC error numbers: the five from the JSON-RPC 2.0 spec, then the sidecar's own range. */
export const RpcErrorNumber = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  notReady: -32001,
  shuttingDown: -32002,
  unknownSubscription: -32003,
  revokedPartition: -32004,
  bufferFull: -32005,
  unknownGroup: -32006,
  unknownMessage: -32007,
  unknownTransaction: -32008,
  transaction: -32009,
  kafka: -32010,
} as const;

/** Stable string codes in `error.data.code` (Kafka errors use Kafka's own error name instead). */
export const IpcErrorCode = {
  parseError: 'PARSE_ERROR',
  invalidRequest: 'INVALID_REQUEST',
  frameTooLarge: 'FRAME_TOO_LARGE',
  methodNotFound: 'METHOD_NOT_FOUND',
  invalidParams: 'INVALID_PARAMS',
  internalError: 'INTERNAL_ERROR',
  notReady: 'NOT_READY',
  shuttingDown: 'SHUTTING_DOWN',
  unknownSubscription: 'UNKNOWN_SUBSCRIPTION',
  revokedPartition: 'REVOKED_PARTITION',
  bufferFull: 'BUFFER_FULL',
  unknownGroup: 'UNKNOWN_GROUP',
  unknownMessage: 'UNKNOWN_MESSAGE',
  unknownTransaction: 'UNKNOWN_TRANSACTION',
  transactionInProgress: 'TRANSACTION_IN_PROGRESS',
} as const;

/** The `error` member of a JSON-RPC response as the sidecar sends it: data always has code and retriable. */
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data: { readonly code: string; readonly retriable: boolean; readonly [key: string]: unknown };
}

/** Base of every error an IPC handler or transport answers with. */
export abstract class IpcError extends Error {
  abstract readonly code: string;
  abstract readonly rpcCode: number;
  abstract readonly retriable: boolean;
  /** Extra fields for `error.data`, beside code and retriable. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }

  toRpcError(): RpcErrorObject {
    return { code: this.rpcCode, message: this.message, data: { ...this.details, code: this.code, retriable: this.retriable } };
  }
}

export class ParseError extends IpcError {
  override readonly name = 'ParseError';
  readonly code = IpcErrorCode.parseError;
  readonly rpcCode = RpcErrorNumber.parseError;
  readonly retriable = false;
}

export class InvalidRequestError extends IpcError {
  override readonly name: string = 'InvalidRequestError';
  readonly code: string = IpcErrorCode.invalidRequest;
  readonly rpcCode = RpcErrorNumber.invalidRequest;
  readonly retriable = false;
}

/** A line longer than ipc.maxFrameBytes: answered once, then the connection is closed. */
export class FrameTooLargeError extends InvalidRequestError {
  override readonly name = 'FrameTooLargeError';
  override readonly code = IpcErrorCode.frameTooLarge;

  constructor(maxFrameBytes: number) {
    super(`line longer than ipc.maxFrameBytes (${maxFrameBytes} bytes); closing the connection`, { maxFrameBytes });
  }
}

export class MethodNotFoundError extends IpcError {
  override readonly name = 'MethodNotFoundError';
  readonly code = IpcErrorCode.methodNotFound;
  readonly rpcCode = RpcErrorNumber.methodNotFound;
  readonly retriable = false;

  constructor(method: string, known: readonly string[]) {
    super(`unknown method "${method}"; this daemon serves: ${known.join(', ')}`, { method, known: [...known] });
  }
}

/** Bad params: `field` is the path of the offending value (e.g. params.messages[2].key), `expected` says what fits. */
export class InvalidParamsError extends IpcError {
  override readonly name = 'InvalidParamsError';
  readonly code = IpcErrorCode.invalidParams;
  readonly rpcCode = RpcErrorNumber.invalidParams;
  readonly retriable = false;
  readonly field: string;
  readonly expected: string;

  constructor(field: string, expected: string, got?: string) {
    super(`${field}: expected ${expected}${got === undefined ? '' : `, got ${got}`}`, { field, expected });
    this.field = field;
    this.expected = expected;
  }
}

/** A handler failed in a way that is our bug, not the caller's: the message names the failure. */
export class InternalError extends IpcError {
  override readonly name = 'InternalError';
  readonly code = IpcErrorCode.internalError;
  readonly rpcCode = RpcErrorNumber.internalError;
  readonly retriable = false;
}

/** The daemon is up but what the method needs (a broker connection, the producer) is not yet. */
export class NotReadyError extends IpcError {
  override readonly name = 'NotReadyError';
  readonly code = IpcErrorCode.notReady;
  readonly rpcCode = RpcErrorNumber.notReady;
  readonly retriable = true;
}

export class ShuttingDownError extends IpcError {
  override readonly name = 'ShuttingDownError';
  readonly code = IpcErrorCode.shuttingDown;
  readonly rpcCode = RpcErrorNumber.shuttingDown;
  readonly retriable = true;

  constructor() {
    super('kafka-sidecar is shutting down and accepts no new calls; retry against the next instance');
  }
}

export class UnknownSubscriptionError extends IpcError {
  override readonly name = 'UnknownSubscriptionError';
  readonly code = IpcErrorCode.unknownSubscription;
  readonly rpcCode = RpcErrorNumber.unknownSubscription;
  readonly retriable = false;

  constructor(subscription: string) {
    super(`no subscription "${subscription}" in this session (it ended or never existed)`, { subscription });
  }
}

export class RevokedPartitionError extends IpcError {
  override readonly name = 'RevokedPartitionError';
  readonly code = IpcErrorCode.revokedPartition;
  readonly rpcCode = RpcErrorNumber.revokedPartition;
  readonly retriable = false;

  constructor(topic: string, partition: number) {
    super(`partition ${topic}[${partition}] was revoked from this subscription; the new owner redelivers it`, {
      topic,
      partition,
    });
  }
}

export class BufferFullError extends IpcError {
  override readonly name = 'BufferFullError';
  readonly code = IpcErrorCode.bufferFull;
  readonly rpcCode = RpcErrorNumber.bufferFull;
  readonly retriable = true;
}

/** `ack {group}` / `nack {group}` for a group this daemon does not consume (never fetched, or stopped after idling). */
export class UnknownGroupError extends IpcError {
  override readonly name = 'UnknownGroupError';
  readonly code = IpcErrorCode.unknownGroup;
  readonly rpcCode = RpcErrorNumber.unknownGroup;
  readonly retriable = false;

  constructor(group: string) {
    super(`this daemon does not consume group "${group}" (no fetch or subscription started it, or it stopped after idling); its leases are gone and the messages will be delivered again`, { group });
  }
}

/** An ack or nack naming a message this group never delivered (a wrong offset, another group's message). */
export class UnknownMessageError extends IpcError {
  override readonly name = 'UnknownMessageError';
  readonly code = IpcErrorCode.unknownMessage;
  readonly rpcCode = RpcErrorNumber.unknownMessage;
  readonly retriable = false;

  constructor(topic: string, partition: number, offset: string) {
    super(`${topic}[${partition}] offset ${offset} was not delivered to this consumer group here; ack only messages you received`, { topic, partition, offset });
  }
}

/** A transaction handle this daemon has no open transaction for; `ended` says how it ended when the daemon still knows. */
export class UnknownTransactionError extends IpcError {
  override readonly name = 'UnknownTransactionError';
  readonly code = IpcErrorCode.unknownTransaction;
  readonly rpcCode = RpcErrorNumber.unknownTransaction;
  readonly retriable = false;

  constructor(transaction: string, ended?: string) {
    super(
      ended === undefined
        ? `no open transaction "${transaction}" in this daemon (it ended, or never existed); begin a new one`
        : `transaction "${transaction}" is over: ${ended}; begin a new one`,
      ended === undefined ? { transaction } : { transaction, ended },
    );
  }
}

/** beginTransaction for a transactional id that another session holds an open transaction of in this daemon. */
export class TransactionInProgressError extends IpcError {
  override readonly name = 'TransactionInProgressError';
  readonly code = IpcErrorCode.transactionInProgress;
  readonly rpcCode = RpcErrorNumber.transaction;
  readonly retriable = true;

  constructor(transactionalId: string, holder: string) {
    super(
      `transactional id "${transactionalId}" has an open transaction here (begun by session ${holder}); retry once it is committed or aborted, or use another transactional id`,
      { transactionalId, holder },
    );
  }
}

/**
 * A transaction step the producer refused or that failed (data.code: INVALID_TXN_STATE,
 * TRANSACTION_ABORTABLE, PRODUCER_FENCED, ...), carried over from the producer's typed error.
 */
export class TransactionCallError extends IpcError {
  override readonly name = 'TransactionCallError';
  readonly rpcCode = RpcErrorNumber.transaction;
  readonly retriable = false;

  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown>,
  ) {
    super(message, details);
  }
}

/** Any thrown value as the JSON-RPC error object to answer with. */
export function toRpcError(err: unknown): RpcErrorObject {
  if (err instanceof IpcError) return err.toRpcError();
  if (err instanceof KafkaProtocolError) {
    return {
      code: RpcErrorNumber.kafka,
      message: err.message,
      data: { code: err.code, kafkaCode: err.errorCode, retriable: err.retriable },
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return new InternalError(`internal error: ${message}`).toRpcError();
}

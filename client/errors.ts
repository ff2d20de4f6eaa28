/**
 * Errors the client library throws. SidecarError is an error answer from the daemon, with the
 * same stable `code` string and `retriable` flag as in docs/ipc.md; KafkaError is the subclass
 * for errors a broker reported. The others are about the connection itself.
 */
import { RpcErrorNumber } from '../ipc/errors.js';

/** An error answer from the daemon. */
export class SidecarError extends Error {
  override readonly name: string = 'SidecarError';
  /** Stable string code, e.g. INVALID_PARAMS, SHUTTING_DOWN, or a Kafka error name. */
  readonly code: string;
  /** The JSON-RPC error number, e.g. -32602. */
  readonly rpcCode: number;
  readonly retriable: boolean;
  /** The whole `error.data` object (for INVALID_PARAMS it names `field` and `expected`). */
  readonly data: Readonly<Record<string, unknown>>;

  constructor(rpcCode: number, message: string, data: Record<string, unknown>) {
    super(message);
    this.rpcCode = rpcCode;
    this.data = data;
    this.code = typeof data.code === 'string' ? data.code : `RPC_${rpcCode}`;
    this.retriable = data.retriable === true;
  }
}

/** A Kafka error a broker returned; `code` is Kafka's name (e.g. NOT_LEADER_OR_FOLLOWER). */
export class KafkaError extends SidecarError {
  override readonly name = 'KafkaError';
  /** Kafka's numeric error code. */
  readonly kafkaCode: number;

  constructor(message: string, data: Record<string, unknown>) {
    super(RpcErrorNumber.kafka, message, data);
    this.kafkaCode = typeof data.kafkaCode === 'number' ? data.kafkaCode : -1;
  }
}

/** Any JSON-RPC error object as the matching error class. */
export function errorFromResponse(error: unknown): SidecarError {
  if (typeof error !== 'object' || error === null) return new SidecarError(-32603, `malformed error answer: ${JSON.stringify(error)}`, {});
  const e = error as { code?: unknown; message?: unknown; data?: unknown };
  const rpcCode = typeof e.code === 'number' ? e.code : -32603;
  const message = typeof e.message === 'string' ? e.message : 'error without a message';
  const data = typeof e.data === 'object' && e.data !== null ? (e.data as Record<string, unknown>) : {};
  return rpcCode === RpcErrorNumber.kafka ? new KafkaError(message, data) : new SidecarError(rpcCode, message, data);
}

/** The connection to the daemon went away before the call was answered; the call may or may not have run. */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
  readonly code = 'CONNECTION_LOST';
  readonly retriable = true;
}

/** The client was closed by the app; no more calls are possible. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  readonly code = 'CLIENT_CLOSED';
  readonly retriable = false;

  constructor() {
    super('the kafka-sidecar client is closed');
  }
}

/** No answer within the call's timeout. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
  readonly code = 'CALL_TIMEOUT';
  readonly retriable = true;

  constructor(method: string, timeoutMs: number) {
    super(`no answer to "${method}" within ${timeoutMs} ms`);
  }
}

/** The daemon could not be reached at all. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  readonly code = 'CONNECT_FAILED';
  readonly retriable = true;
}

/** The daemon answered with something that is not a JSON-RPC response. */
export class ProtocolViolationError extends Error {
  override readonly name = 'ProtocolViolationError';
  readonly code = 'PROTOCOL_VIOLATION';
  readonly retriable = false;
}

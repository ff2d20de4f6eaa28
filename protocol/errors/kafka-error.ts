/**
 * Errors that a broker reports through a response's error code, as typed exceptions. The code
 * table (protocol/messages/error-codes.ts) is generated from Kafka's own list, so `code` is
 * always Kafka's name for the error and `retriable`/`refreshMetadata` follow the Java client.
 */
import { kafkaErrors, type KafkaErrorInfo } from '../messages/error-codes.js';

/** Lookup of Kafka's error table by numeric code. */
export const errorByCode: ReadonlyMap<number, KafkaErrorInfo> = new Map(kafkaErrors.map((e) => [e.code, e]));

/** Lookup of Kafka's error table by name, e.g. 'NOT_LEADER_OR_FOLLOWER'. */
export const errorByName: ReadonlyMap<string, KafkaErrorInfo> = new Map(kafkaErrors.map((e) => [e.name, e]));

/** The stable `code` of an error number that is not in the table (a broker newer than us). */
export const UNKNOWN_ERROR_CODE = 'UNKNOWN_ERROR_CODE';

export class KafkaProtocolError extends Error {
  override readonly name = 'KafkaProtocolError';
  /** Kafka's error name, or UNKNOWN_ERROR_CODE for a number the table does not know. */
  readonly code: string;
  /** The numeric error code as the broker sent it. */
  readonly errorCode: number;
  readonly retriable: boolean;
  /** The client's metadata is stale: refresh it before retrying. */
  readonly refreshMetadata: boolean;
  /** The broker's own error message, when the response carried one. */
  readonly brokerMessage: string | null;

  constructor(errorCode: number, brokerMessage: string | null = null) {
    const info = errorByCode.get(errorCode);
    const code = info ? info.name : UNKNOWN_ERROR_CODE;
    super(`${code} (${errorCode})${brokerMessage ? `: ${brokerMessage}` : ''}`);
    this.code = code;
    this.errorCode = errorCode;
    this.retriable = info?.retriable ?? false;
    this.refreshMetadata = info?.refreshMetadata ?? false;
    this.brokerMessage = brokerMessage;
  }
}

/** The error for a code a broker returned (callers check for 0, NONE, first or use kafkaErrorOrNull). */
export function kafkaErrorFor(errorCode: number, message?: string | null): KafkaProtocolError {
  return new KafkaProtocolError(errorCode, message ?? null);
}

/** null for 0 (NONE), the typed error otherwise: `const err = kafkaErrorOrNull(p.errorCode, p.errorMessage)`. */
export function kafkaErrorOrNull(errorCode: number, message?: string | null): KafkaProtocolError | null {
  return errorCode === 0 ? null : new KafkaProtocolError(errorCode, message ?? null);
}

export { KafkaErrorCode, kafkaErrors, type KafkaErrorInfo } from '../messages/error-codes.js';

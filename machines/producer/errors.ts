/**
 * Errors of the producer's own making (not a broker's answer: those are KafkaProtocolError).
 * Each has a stable `code`, Kafka's error name where Kafka has one for the same problem, and
 * says whether sending the same record again later can succeed (`retriable`).
 */

export const ProducerErrorCode = {
  /** The buffer stayed full for the whole max block time. */
  bufferFull: 'BUFFER_FULL',
  /** One record is larger than a bound it can never fit in. */
  recordTooLarge: 'MESSAGE_TOO_LARGE',
  /** Metadata has no partitions for the topic. */
  unknownTopic: 'UNKNOWN_TOPIC_OR_PARTITION',
  /** The caller named a partition the topic does not have. */
  invalidPartition: 'INVALID_PARTITION',
  /** A record not of the expected shape (key not bytes, timestamp not an integer...). */
  invalidRecord: 'INVALID_RECORD',
  /** A batch waited in the accumulator longer than the delivery timeout. */
  deliveryTimeout: 'DELIVERY_TIMEOUT',
  /** The accumulator was closed before the record could be sent. */
  closed: 'PRODUCER_CLOSED',
  /** Accumulator options that cannot work. */
  invalidOptions: 'INVALID_PRODUCER_OPTIONS',
  /** A batch was completed, failed or re-queued in a state that does not allow it (a caller bug). */
  illegalBatchState: 'ILLEGAL_BATCH_STATE',
  /** A Produce response had no answer for a partition the request carried. */
  missingAnswer: 'MISSING_PARTITION_RESPONSE',
  /** The producer stopped for good (its producer id was refused, or it was fenced). */
  fatal: 'PRODUCER_FATAL',
} as const;
export type ProducerErrorCode = (typeof ProducerErrorCode)[keyof typeof ProducerErrorCode];

export abstract class ProducerError extends Error {
  abstract readonly code: ProducerErrorCode;
  abstract readonly retriable: boolean;
}

export class BufferFullError extends ProducerError {
  readonly code = ProducerErrorCode.bufferFull;
  readonly retriable = true;
  override readonly name = 'BufferFullError';
  constructor(
    /** Bytes the record needed. */
    readonly neededBytes: number,
    /** The configured bound of buffered records. */
    readonly bufferBytes: number,
    /** How long the caller waited for room, in milliseconds. */
    readonly maxBlockMs: number,
  ) {
    super(
      `producer buffer full: a record of ${neededBytes} bytes found no room in bufferBytes=${bufferBytes} ` +
        `within maxBlockMs=${maxBlockMs} (records are produced faster than brokers accept them)`,
    );
  }
}

export class RecordTooLargeError extends ProducerError {
  readonly code = ProducerErrorCode.recordTooLarge;
  readonly retriable = false;
  override readonly name = 'RecordTooLargeError';
  constructor(
    readonly sizeBytes: number,
    /** Name of the bound, e.g. 'bufferBytes' or 'maxRecordBytes'. */
    readonly limitName: string,
    readonly limitBytes: number,
  ) {
    super(`record of ${sizeBytes} bytes (encoded, with batch overhead) is larger than ${limitName}=${limitBytes}`);
  }
}

export class UnknownTopicError extends ProducerError {
  readonly code = ProducerErrorCode.unknownTopic;
  readonly retriable = true;
  override readonly name = 'UnknownTopicError';
  constructor(readonly topic: string, detail = 'metadata does not know it') {
    super(`topic "${topic}": ${detail}`);
  }
}

export class InvalidPartitionError extends ProducerError {
  readonly code = ProducerErrorCode.invalidPartition;
  readonly retriable = false;
  override readonly name = 'InvalidPartitionError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly partitionCount: number,
  ) {
    super(`topic "${topic}" has partitions 0..${partitionCount - 1}; partition ${partition} was given`);
  }
}

export class InvalidProducerRecordError extends ProducerError {
  readonly code = ProducerErrorCode.invalidRecord;
  readonly retriable = false;
  override readonly name = 'InvalidProducerRecordError';
  constructor(message: string) {
    super(message);
  }
}

export class DeliveryTimeoutError extends ProducerError {
  readonly code = ProducerErrorCode.deliveryTimeout;
  readonly retriable = true;
  override readonly name = 'DeliveryTimeoutError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly waitedMs: number,
    readonly deliveryTimeoutMs: number,
  ) {
    super(
      `batch for ${topic}-${partition} waited ${waitedMs} ms without being sent, over deliveryTimeoutMs=${deliveryTimeoutMs}`,
    );
  }
}

export class ProducerClosedError extends ProducerError {
  readonly code = ProducerErrorCode.closed;
  readonly retriable = false;
  override readonly name = 'ProducerClosedError';
  constructor(detail = 'the producer is closed') {
    super(detail);
  }
}

export class InvalidProducerOptionsError extends ProducerError {
  readonly code = ProducerErrorCode.invalidOptions;
  readonly retriable = false;
  override readonly name = 'InvalidProducerOptionsError';
  constructor(readonly problem: string) {
    super(`invalid producer options: ${problem}`);
  }
}

export class IllegalBatchStateError extends ProducerError {
  readonly code = ProducerErrorCode.illegalBatchState;
  readonly retriable = false;
  override readonly name = 'IllegalBatchStateError';
  constructor(message: string) {
    super(message);
  }
}

export class MissingPartitionAnswerError extends ProducerError {
  readonly code = ProducerErrorCode.missingAnswer;
  readonly retriable = true;
  override readonly name = 'MissingPartitionAnswerError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly nodeId: number,
  ) {
    super(`broker ${nodeId} answered a Produce request without an answer for ${topic}-${partition}`);
  }
}

/** The producer cannot go on: every record, queued or new, fails with this (its cause says why). */
export class ProducerFatalError extends ProducerError {
  readonly code = ProducerErrorCode.fatal;
  readonly retriable = false;
  override readonly name = 'ProducerFatalError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The shapes the records layer hands out and accepts, and the constants of the v2 batch layout.
 *
 * Representation choices (the hot path creates one record object per consumed message):
 * - `offset` is a bigint: offsets are int64 on the wire and a consumer commits them back, so
 *   they stay exact. Measured cost: one bigint addition (~7 ns) per record, small next to the
 *   two Buffer views (~35 ns each) the same record needs.
 * - `timestamp` is a number of milliseconds: exact up to 2^53 ms (year 285,000), and it is what
 *   `Date` takes. Wire values outside the safe range are rejected as corrupt.
 * - `key`/`value` are Buffers that, for uncompressed batches, view the fetched bytes directly
 *   (no copy): a consumer that keeps one keeps the whole fetch response alive. They are made
 *   by a fast Buffer subclass (see buffer-view.ts): compare them with `.equals()`, since deep
 *   strict equality against a `Buffer.from(...)` sees a different prototype.
 * - `headers` are `[key, value]` pairs in wire order, duplicates kept; records without headers
 *   share one frozen empty array.
 */

/** Compression codec ids, as stored in attribute bits 0-2 of a batch (and of a v0/v1 message). */
export const CompressionCodec = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
} as const;
export type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec];

export const TimestampType = {
  createTime: 'CreateTime',
  logAppendTime: 'LogAppendTime',
} as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** Attribute bits of a v2 batch. */
export const BatchAttribute = {
  compressionMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

/**
 * Byte offsets within a v2 batch. `batchLength` counts from partitionLeaderEpoch to the end,
 * so a whole batch is `logOverhead + batchLength` bytes; the CRC covers attributes..end.
 */
export const BatchLayout = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
  records: 61,
  /** baseOffset + batchLength: the prefix that v2 batches and v0/v1 message entries share. */
  logOverhead: 12,
} as const;

export type HeaderValue = Buffer | null;
export type RecordHeader = readonly [key: string, value: HeaderValue];

/** One decoded record. */
export interface KafkaRecord {
  readonly offset: bigint;
  /** Milliseconds since the epoch; for LogAppendTime batches the broker's append time. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export const ControlRecordType = {
  abort: 0,
  commit: 1,
} as const;

/** The payload of a control batch's record: a transaction marker, or a type we do not interpret. */
export interface ControlRecord {
  readonly version: number;
  /** 0 abort, 1 commit; other values are KRaft-internal markers that consumers skip. */
  readonly type: number;
  /** Present for abort/commit markers whose value could be read. */
  readonly coordinatorEpoch?: number;
}

/** One decoded batch: a v2 record batch, or a v0/v1 message (set) presented the same way. */
export interface RecordBatch {
  readonly magic: 0 | 1 | 2;
  readonly baseOffset: bigint;
  /** Offset of the batch's last record (baseOffset + lastOffsetDelta). */
  readonly lastOffset: bigint;
  readonly partitionLeaderEpoch: number;
  readonly crc: number;
  readonly attributes: number;
  readonly compression: CompressionCodecId;
  readonly timestampType: TimestampType;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  readonly hasDeleteHorizon: boolean;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  /** Bytes the batch took in the input, including the 12-byte log overhead. */
  readonly sizeInBytes: number;
  readonly records: KafkaRecord[];
  /** For control batches: the marker carried by its record. */
  readonly control?: ControlRecord;
}

export interface DecodedRecordBatches {
  readonly batches: RecordBatch[];
  /**
   * Bytes at the end of the input that begin a batch but do not hold all of it. Brokers cut
   * fetch responses at a byte limit, so a partial last batch is normal, not an error.
   */
  readonly truncatedBytes: number;
}

export interface DecodeOptions {
  /** Largest decompressed payload accepted from one batch; default 64 MiB. */
  readonly maxDecompressedBytes?: number;
  /** Check each batch's CRC (default true). */
  readonly verifyCrc?: boolean;
}

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/** Keys, values and header values may be given as strings (encoded as UTF-8) or bytes. */
export type RecordBytesInput = Buffer | string | null | undefined;

export interface RecordInput {
  readonly key?: RecordBytesInput;
  readonly value?: RecordBytesInput;
  readonly headers?: readonly (readonly [key: string, value: RecordBytesInput])[];
  /** Milliseconds since the epoch; defaults to the time of encoding. */
  readonly timestamp?: number;
}

export interface RecordBatchInput {
  readonly records: readonly RecordInput[];
  readonly compression?: CompressionCodecId;
  /** Producers send 0; the broker assigns real offsets. */
  readonly baseOffset?: bigint;
  readonly partitionLeaderEpoch?: number;
  /** -1 (the default) for a producer without idempotence. */
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly transactional?: boolean;
  readonly timestampType?: TimestampType;
}

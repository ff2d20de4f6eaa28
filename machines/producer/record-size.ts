/**
 * The shape of a record handed to the producer, its checks, and the bytes it takes inside an
 * uncompressed v2 record batch. The accumulator bounds batches and buffered memory by these
 * sizes, so they follow the encoder (protocol/records/record-batch-encode.ts) byte for byte:
 * an uncompressed batch of records measured here encodes to exactly
 * `RECORD_BATCH_OVERHEAD + sum of sizes`. Compression only makes the real batch smaller, so
 * the bounds stay safe.
 */
import { BatchLayout } from '../../protocol/records/record-types.js';
import { varintSize, varlongSize } from '../../protocol/records/varint.js';
import { InvalidProducerRecordError } from './errors.js';

/** One record to produce. It is assignable to the encoder's RecordInput as it is. */
export interface ProducerRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [key: string, value: Buffer | null])[];
  /** Milliseconds since the epoch (CreateTime). */
  readonly timestamp: number;
}

/** Bytes of a v2 batch before its first record: log overhead plus the fixed header. */
export const RECORD_BATCH_OVERHEAD: number = BatchLayout.records;

/**
 * Largest accepted timestamp. Any two timestamps in 0..MAX differ by at most MAX, which is the
 * largest delta the records layer writes and reads exactly, so records of any timestamps may
 * share a batch.
 */
export const MAX_RECORD_TIMESTAMP = 2 ** 52 - 1;

/** Strings up to this many UTF-16 units are measured by a loop when they are ASCII. */
const SHORT_STRING = 64;

function utf8Length(text: string): number {
  const n = text.length;
  if (n <= SHORT_STRING) {
    for (let i = 0; i < n; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
    return n;
  }
  return Buffer.byteLength(text, 'utf8');
}

function bytesField(data: unknown, what: string): number {
  if (data === null) return 1; // varint(-1)
  if (data instanceof Uint8Array) return varintSize(data.length) + data.length;
  throw new InvalidProducerRecordError(`${what} must be a Buffer or null, not ${data === undefined ? 'undefined' : typeof data}`);
}

/**
 * Checks `record` and returns the bytes of its body except the two deltas (timestamp and
 * offset), which depend on the batch it joins; recordSizeFromBody adds them. Measuring once
 * and placing later keeps the hot path to one walk over each record.
 */
export function recordBodyWithoutDeltas(record: ProducerRecord): number {
  if (record === null || typeof record !== 'object') throw new InvalidProducerRecordError(`a record must be an object, not ${record === null ? 'null' : typeof record}`);
  const headers = record.headers;
  if (!Array.isArray(headers)) throw new InvalidProducerRecordError('record headers must be an array of [key, value] pairs');
  let body =
    1 + // attributes
    bytesField(record.key, 'record key') +
    bytesField(record.value, 'record value') +
    varintSize(headers.length);
  for (let h = 0; h < headers.length; h++) {
    const header: unknown = headers[h];
    if (!Array.isArray(header) || typeof header[0] !== 'string') {
      throw new InvalidProducerRecordError(`record header ${h} must be a [string, Buffer | null] pair`);
    }
    const keyLength = utf8Length(header[0]);
    body += varintSize(keyLength) + keyLength + bytesField(header[1], `record header ${h} ("${header[0]}") value`);
  }
  return body;
}

/**
 * Bytes a record takes in a batch as record number `offsetDelta`, `timestampDelta` ms after
 * the batch's first record, given its body size from recordBodyWithoutDeltas: the length
 * varint plus the body.
 */
export function recordSizeFromBody(bodyWithoutDeltas: number, offsetDelta: number, timestampDelta: number): number {
  const body = bodyWithoutDeltas + varlongSize(timestampDelta) + varintSize(offsetDelta);
  return varintSize(body) + body;
}

/** Checks `record` and returns the bytes it takes in a batch (see recordSizeFromBody). */
export function recordSizeInBatch(record: ProducerRecord, offsetDelta: number, timestampDelta: number): number {
  return recordSizeFromBody(recordBodyWithoutDeltas(record), offsetDelta, timestampDelta);
}

/** Throws unless `timestamp` is an integer number of milliseconds in 0..MAX_RECORD_TIMESTAMP. */
export function checkRecordTimestamp(timestamp: unknown): number {
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0 || timestamp > MAX_RECORD_TIMESTAMP) {
    throw new InvalidProducerRecordError(
      `record timestamp must be an integer number of milliseconds in 0..${MAX_RECORD_TIMESTAMP}, got ${String(timestamp)}`,
    );
  }
  return timestamp;
}

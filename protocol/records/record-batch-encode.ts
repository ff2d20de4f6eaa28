/**
 * Encoding one v2 record batch for a Produce request.
 *
 * Two passes over the records and one allocation: the first pass validates and measures every
 * record (string byte lengths are remembered on a reusable tape, so no string is measured
 * twice and none is turned into a temporary Buffer), the second writes into one buffer from
 * the batch pool (buffer-pool.ts; the producer gives it back once the broker has answered).
 * Uncompressed, that buffer is the batch: header, records, then the
 * CRC over attributes..end. Compressed, the records are written into their own buffer, which
 * is compressed and placed after the header.
 */
import type { CompressionCodecImpl } from './compression/codec.js';
import { compressionCodec } from './compression/registry.js';
import { crc32c } from './crc32c.js';
import { CompressionNeedsAsyncError, InvalidRecordError } from './errors.js';
import { batchBuffers } from './buffer-pool.js';
import { ReusableBuffer } from './reusable-buffer.js';
import {
  BatchAttribute,
  BatchLayout as L,
  CompressionCodec,
  TimestampType,
  type RecordBatchInput,
  type RecordBytesInput,
  type RecordInput,
} from './record-types.js';
import { varintSize, varlongSize, writeInt64FromNumber, writeVarint, writeVarlong } from './varint.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Strings up to this many UTF-16 units are measured and written by a JavaScript loop. */
const SHORT_STRING = 64;
/** Byte arrays up to this length are copied by a loop; longer ones by TypedArray#set. */
const SHORT_BYTES = 32;
const MAX_TIMESTAMP_DELTA = 2 ** 52 - 1;

/**
 * Per-record numbers from the measuring pass, in write order: record body size, key length,
 * value length, and for each header its key and value lengths (-1 for null). Reused between
 * calls; an encode runs synchronously from measuring to writing, so calls never share it.
 */
let tape = new Int32Array(4096);

function growTape(needed: number): void {
  let size = tape.length;
  while (size < needed) size *= 2;
  const next = new Int32Array(size);
  next.set(tape);
  tape = next;
}

function utf8Length(text: string): number {
  const n = text.length;
  if (n <= SHORT_STRING) {
    for (let i = 0; i < n; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
    return n;
  }
  return Buffer.byteLength(text, 'utf8');
}

/** Byte length of a key/value/header value; -1 for null. */
function bytesLength(data: RecordBytesInput, what: string, index: number): number {
  if (data === null || data === undefined) return -1;
  if (typeof data === 'string') return utf8Length(data);
  if (data instanceof Uint8Array) return data.length;
  throw new InvalidRecordError(`record ${index}: ${what} must be a Buffer, a string or null, not ${typeof data}`);
}

function writeBytes(buf: Buffer, pos: number, data: RecordBytesInput, length: number): number {
  pos = writeVarint(buf, pos, length);
  if (length <= 0) return pos;
  if (typeof data === 'string') {
    if (length === data.length && length <= SHORT_STRING) {
      for (let i = 0; i < length; i++) buf[pos + i] = data.charCodeAt(i);
    } else {
      buf.write(data, pos, length, 'utf8');
    }
  } else {
    const bytes = data as Uint8Array;
    if (length <= SHORT_BYTES) {
      for (let i = 0; i < length; i++) buf[pos + i] = bytes[i]!;
    } else {
      buf.set(bytes, pos);
    }
  }
  return pos + length;
}

interface Plan {
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly now: number;
  /** Bytes of all records together. */
  readonly recordsSize: number;
}

function timestampOf(record: RecordInput, now: number, index: number): number {
  const ts = record.timestamp;
  if (ts === undefined) return now;
  if (!Number.isSafeInteger(ts)) throw new InvalidRecordError(`record ${index}: timestamp ${ts} is not an integer number of milliseconds`);
  return ts;
}

/** First pass: validate, measure, and fill the tape. */
function plan(records: readonly RecordInput[]): Plan {
  const n = records.length;
  if (n === 0) throw new InvalidRecordError('a record batch needs at least one record');
  const now = Date.now();
  const baseTimestamp = timestampOf(records[0]!, now, 0);
  let maxTimestamp = baseTimestamp;
  let recordsSize = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    const record = records[i]!;
    const ts = timestampOf(record, now, i);
    if (ts > maxTimestamp) maxTimestamp = ts;
    // Keeps every delta's zigzag form exact as a number (the decoder rejects anything wider).
    if (Math.abs(ts - baseTimestamp) > MAX_TIMESTAMP_DELTA) {
      throw new InvalidRecordError(`record ${i}: timestamp ${ts} is too far from the batch's first timestamp ${baseTimestamp}`);
    }
    const headers = record.headers;
    const headerCount = headers === undefined ? 0 : headers.length;
    if (t + 3 + 2 * headerCount > tape.length) growTape(t + 3 + 2 * headerCount);
    const keyLength = bytesLength(record.key, 'key', i);
    const valueLength = bytesLength(record.value, 'value', i);
    let body =
      1 +
      varlongSize(ts - baseTimestamp) +
      varintSize(i) +
      varintSize(keyLength) +
      (keyLength > 0 ? keyLength : 0) +
      varintSize(valueLength) +
      (valueLength > 0 ? valueLength : 0) +
      varintSize(headerCount);
    const bodySlot = t;
    tape[t + 1] = keyLength;
    tape[t + 2] = valueLength;
    t += 3;
    for (let h = 0; h < headerCount; h++) {
      const header = headers![h]!;
      const headerKey = header[0];
      if (typeof headerKey !== 'string') throw new InvalidRecordError(`record ${i}: header ${h} key must be a string`);
      const headerKeyLength = utf8Length(headerKey);
      const headerValueLength = bytesLength(header[1], `header ${h} value`, i);
      body +=
        varintSize(headerKeyLength) +
        headerKeyLength +
        varintSize(headerValueLength) +
        (headerValueLength > 0 ? headerValueLength : 0);
      tape[t] = headerKeyLength;
      tape[t + 1] = headerValueLength;
      t += 2;
    }
    tape[bodySlot] = body;
    recordsSize += varintSize(body) + body;
    if (recordsSize > 0x7fffffff - L.records) throw new InvalidRecordError('record batch larger than 2 GiB');
  }
  return { baseTimestamp, maxTimestamp, now, recordsSize };
}

/** Second pass: writes the records at `pos` using the tape; returns the end position. */
function writeRecords(buf: Buffer, pos: number, records: readonly RecordInput[], p: Plan): number {
  let t = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const ts = record.timestamp ?? p.now;
    pos = writeVarint(buf, pos, tape[t]!);
    buf[pos++] = 0;
    pos = writeVarlong(buf, pos, ts - p.baseTimestamp);
    pos = writeVarint(buf, pos, i);
    pos = writeBytes(buf, pos, record.key, tape[t + 1]!);
    pos = writeBytes(buf, pos, record.value, tape[t + 2]!);
    t += 3;
    const headers = record.headers;
    if (headers === undefined || headers.length === 0) {
      buf[pos++] = 0;
      continue;
    }
    pos = writeVarint(buf, pos, headers.length);
    for (let h = 0; h < headers.length; h++) {
      const header = headers[h]!;
      pos = writeBytes(buf, pos, header[0], tape[t]!);
      pos = writeBytes(buf, pos, header[1], tape[t + 1]!);
      t += 2;
    }
  }
  return pos;
}

function checkInt(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidRecordError(`${what} ${value} is outside ${min}..${max}`);
  return value;
}

function checkInt64(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) throw new InvalidRecordError(`${what} must be an int64 bigint`);
  return value;
}

/** Writes the fixed header into `buf[0, 61)` and the CRC; the payload must already be in place. */
function writeHeaderAndCrc(buf: Buffer, input: RecordBatchInput, p: Plan, codecId: number): void {
  let attributes = codecId;
  if (input.timestampType === TimestampType.logAppendTime) attributes |= BatchAttribute.logAppendTime;
  if (input.transactional) attributes |= BatchAttribute.transactional;
  buf.writeBigInt64BE(checkInt64(input.baseOffset ?? 0n, 'baseOffset'), L.baseOffset);
  buf.writeInt32BE(buf.length - L.logOverhead, L.batchLength);
  buf.writeInt32BE(checkInt(input.partitionLeaderEpoch ?? -1, -(2 ** 31), 2 ** 31 - 1, 'partitionLeaderEpoch'), L.partitionLeaderEpoch);
  buf[L.magic] = 2;
  buf.writeInt16BE(attributes, L.attributes);
  buf.writeInt32BE(input.records.length - 1, L.lastOffsetDelta);
  writeInt64FromNumber(buf, L.baseTimestamp, p.baseTimestamp);
  writeInt64FromNumber(buf, L.maxTimestamp, p.maxTimestamp);
  buf.writeBigInt64BE(checkInt64(input.producerId ?? -1n, 'producerId'), L.producerId);
  buf.writeInt16BE(checkInt(input.producerEpoch ?? -1, -32768, 32767, 'producerEpoch'), L.producerEpoch);
  buf.writeInt32BE(checkInt(input.baseSequence ?? -1, -(2 ** 31), 2 ** 31 - 1, 'baseSequence'), L.baseSequence);
  buf.writeInt32BE(input.records.length, L.recordsCount);
  buf.writeUInt32BE(crc32c(buf, L.attributes, buf.length), L.crc);
}

function codecFor(input: RecordBatchInput): CompressionCodecImpl | undefined {
  const id = input.compression ?? CompressionCodec.none;
  return id === CompressionCodec.none ? undefined : compressionCodec(id);
}

function encodePlain(input: RecordBatchInput, p: Plan): Buffer {
  const buf = batchBuffers.take(L.records + p.recordsSize);
  writeRecords(buf, L.records, input.records, p);
  writeHeaderAndCrc(buf, input, p, CompressionCodec.none);
  return buf;
}

function recordsOnly(input: RecordBatchInput, p: Plan, into?: Buffer): Buffer {
  const body = into ?? Buffer.allocUnsafe(p.recordsSize);
  writeRecords(body, 0, input.records, p);
  return body;
}

/**
 * The uncompressed records of a synchronous compression, reused from call to call: the codec
 * is done with it when it returns, and its output never shares the input's memory (assemble()
 * copies it; compressSyncAfter() writes a buffer of its own), so one buffer serves every batch
 * and a compressed batch costs one large allocation fewer (less work for the GC at producer
 * rates). Batches above 1 MiB get a buffer of their own.
 */
const uncompressedScratch = new ReusableBuffer(1 << 20);

/** Compresses synchronously and writes the batch header in front of the compressed bytes. */
function encodeCompressedSync(input: RecordBatchInput, p: Plan, codec: CompressionCodecImpl, compressSync: (data: Buffer) => Buffer): Buffer {
  const body = recordsOnly(input, p, uncompressedScratch.take(p.recordsSize));
  if (codec.compressSyncAfter === undefined) return assemble(input, p, codec, compressSync(body));
  const buf = codec.compressSyncAfter(body, L.records);
  writeHeaderAndCrc(buf, input, p, codec.id);
  return buf;
}

function assemble(input: RecordBatchInput, p: Plan, codec: CompressionCodecImpl, payload: Buffer): Buffer {
  const buf = batchBuffers.take(L.records + payload.length);
  payload.copy(buf, L.records);
  writeHeaderAndCrc(buf, input, p, codec.id);
  return buf;
}

/** Encodes one batch; throws CompressionNeedsAsyncError for a codec without a synchronous implementation. */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const codec = codecFor(input);
  const p = plan(input.records);
  if (codec === undefined) return encodePlain(input, p);
  if (codec.compressSync === undefined) throw new CompressionNeedsAsyncError(codec.name);
  return encodeCompressedSync(input, p, codec, codec.compressSync);
}

/** Encodes one batch with any codec; only compression that has no synchronous implementation is awaited. */
export async function encodeRecordBatchAsync(input: RecordBatchInput): Promise<Buffer> {
  const codec = codecFor(input);
  const p = plan(input.records);
  if (codec === undefined) return encodePlain(input, p);
  if (codec.compressSync !== undefined) return encodeCompressedSync(input, p, codec, codec.compressSync);
  // An asynchronous codec may still read its input when the next batch is encoded: a buffer of its own.
  return assemble(input, p, codec, await codec.compress(recordsOnly(input, p)));
}

/**
 * Decoding of v0/v1 message sets (magic 0 and 1), which brokers can still return for data
 * written in the old formats. Encoding them is not supported: every broker this project
 * targets accepts v2 batches.
 *
 * Entry: offset int64, size int32, then the message: crc uint32 (CRC-32 of magic..end),
 * magic int8, attributes int8 (bits 0-2 codec, bit 3 LogAppendTime in v1), [timestamp int64,
 * v1 only], key (int32 length, -1 null), value (same).
 * A compressed message is a wrapper whose value is a compressed message set. In v1 its inner
 * offsets are relative (0..n-1) and the wrapper carries the absolute offset of the last inner
 * message; in v0 the inner offsets are already absolute.
 * Each top-level entry is presented as one RecordBatch with `magic` 0 or 1.
 */
import { compressionCodec } from './compression/registry.js';
import { crc32 } from './crc32.js';
import { CrcMismatchError, RecordBatchCorruptError, UnsupportedCompressionError } from './errors.js';
import {
  CompressionCodec,
  TimestampType,
  type CompressionCodecId,
  type KafkaRecord,
  type RecordBatch,
  type RecordHeader,
} from './record-types.js';
import { readInt64AsNumber } from './varint.js';

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);
const LOG_OVERHEAD = 12;
const V0_MIN_MESSAGE = 14;
const V1_MIN_MESSAGE = 22;
const NO_TIMESTAMP = -1;

interface LegacyMessage {
  readonly offset: bigint;
  readonly crc: number;
  readonly magic: 0 | 1;
  readonly attributes: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

function corrupt(message: string, pos: number): never {
  throw new RecordBatchCorruptError(message, pos);
}

function readBytes(buf: Buffer, pos: number, end: number, what: string): [Buffer | null, number] {
  if (pos + 4 > end) corrupt(`${what} length runs past the message`, pos);
  const length = buf.readInt32BE(pos);
  pos += 4;
  if (length === -1) return [null, pos];
  if (length < 0 || pos + length > end) corrupt(`${what} length ${length} is invalid`, pos);
  return [buf.subarray(pos, pos + length), pos + length];
}

/** Reads the message of the entry at `start` (whose size field says it ends at `end`). */
function readMessage(buf: Buffer, start: number, end: number, verifyCrc: boolean): LegacyMessage {
  const pos = start + LOG_OVERHEAD;
  const magic = buf[pos + 4]!;
  if (magic !== 0 && magic !== 1) corrupt(`message set entry with magic ${magic} inside a legacy set`, pos);
  if (end - pos < (magic === 0 ? V0_MIN_MESSAGE : V1_MIN_MESSAGE)) corrupt(`v${magic} message too short`, pos);
  const crc = buf.readUInt32BE(pos);
  if (verifyCrc) {
    const actual = crc32(buf, pos + 4, end);
    if (actual !== crc) throw new CrcMismatchError(crc, actual, start);
  }
  const attributes = buf[pos + 5]!;
  let cursor = pos + 6;
  let timestamp = NO_TIMESTAMP;
  if (magic === 1) {
    timestamp = readInt64AsNumber(buf, cursor);
    if (!Number.isSafeInteger(timestamp)) corrupt('message timestamp outside the safe integer range', cursor);
    cursor += 8;
  }
  const [key, afterKey] = readBytes(buf, cursor, end, 'key');
  const [value, afterValue] = readBytes(buf, afterKey, end, 'value');
  if (afterValue !== end) corrupt(`message declares ${end - pos} bytes but its fields end elsewhere`, afterValue);
  return { offset: buf.readBigInt64BE(start), crc, magic, attributes, timestamp, key, value };
}

/** Splits a complete, nested (decompressed) message set into its messages; no partial entries allowed. */
function readInnerMessages(buf: Buffer, verifyCrc: boolean): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + LOG_OVERHEAD > buf.length) corrupt('truncated entry inside a compressed message', pos);
    const size = buf.readInt32BE(pos + 8);
    const end = pos + LOG_OVERHEAD + size;
    if (size < V0_MIN_MESSAGE || end > buf.length) corrupt(`inner message size ${size} is invalid`, pos);
    const message = readMessage(buf, pos, end, verifyCrc);
    if ((message.attributes & 0x07) !== 0) corrupt('compressed message nested inside a compressed message', pos);
    out.push(message);
    pos = end;
  }
  if (out.length === 0) corrupt('compressed message holds no messages', 0);
  return out;
}

function toRecord(message: LegacyMessage, offset: bigint, timestamp: number): KafkaRecord {
  return { offset, timestamp, key: message.key, value: message.value, headers: NO_HEADERS };
}

/**
 * Decodes the legacy entry `buf[start, end)` (its size field already checked to be complete).
 * `maxDecompressedBytes` caps a compressed wrapper's inner set.
 */
export function decodeLegacyEntry(
  buf: Buffer,
  start: number,
  end: number,
  verifyCrc: boolean,
  maxDecompressedBytes: number,
): RecordBatch {
  const wrapper = readMessage(buf, start, end, verifyCrc);
  const codecId = wrapper.attributes & 0x07;
  const logAppendTime = wrapper.magic === 1 && (wrapper.attributes & 0x08) !== 0;
  let records: KafkaRecord[];
  if (codecId === CompressionCodec.none) {
    records = [toRecord(wrapper, wrapper.offset, wrapper.timestamp)];
  } else {
    // zstd (4) arrived together with v2 batches; legacy messages never carry it.
    if (codecId > CompressionCodec.lz4) throw new UnsupportedCompressionError(codecId, `not valid in a v${wrapper.magic} message`);
    if (wrapper.value === null) corrupt('compressed message without a value', start);
    const codec = compressionCodec(codecId);
    const inner = readInnerMessages(codec.decompressSync!(wrapper.value, maxDecompressedBytes), verifyCrc);
    const lastRelative = inner[inner.length - 1]!.offset;
    records = inner.map((message) => {
      const offset = wrapper.magic === 1 ? wrapper.offset - lastRelative + message.offset : message.offset;
      return toRecord(message, offset, logAppendTime ? wrapper.timestamp : message.timestamp);
    });
  }
  let maxTimestamp = NO_TIMESTAMP;
  for (const record of records) if (record.timestamp > maxTimestamp) maxTimestamp = record.timestamp;
  return {
    magic: wrapper.magic,
    baseOffset: records[0]!.offset,
    lastOffset: records[records.length - 1]!.offset,
    partitionLeaderEpoch: -1,
    crc: wrapper.crc,
    attributes: wrapper.attributes,
    compression: codecId as CompressionCodecId,
    timestampType: logAppendTime ? TimestampType.logAppendTime : TimestampType.createTime,
    isTransactional: false,
    isControl: false,
    hasDeleteHorizon: false,
    baseTimestamp: records[0]!.timestamp,
    maxTimestamp,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    sizeInBytes: end - start,
    records,
  };
}

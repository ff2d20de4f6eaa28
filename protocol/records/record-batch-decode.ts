/**
 * Decoding the `records` bytes of a Fetch response partition (or a log segment): a sequence
 * of v2 record batches, possibly mixed with v0/v1 message set entries from older data, where
 * the last one may be cut short by the broker's byte limit.
 *
 * Two entry points: `decodeRecordBatches` is synchronous and covers every batch whose codec
 * has a synchronous implementation; `decodeRecordBatchesAsync` covers all codecs (zstd on
 * Node.js < 22.15 only decompresses asynchronously) and stays synchronous for everything else.
 */
import type { CompressionCodecImpl } from './compression/codec.js';
import { compressionCodec } from './compression/registry.js';
import { decodeControlRecord } from './control-record.js';
import { crc32c } from './crc32c.js';
import {
  CompressionNeedsAsyncError,
  CrcMismatchError,
  RecordBatchCorruptError,
  UnsupportedMagicError,
} from './errors.js';
import { decodeLegacyEntry } from './legacy-message-set.js';
import {
  BatchAttribute,
  BatchLayout as L,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  TimestampType,
  type CompressionCodecId,
  type DecodeOptions,
  type DecodedRecordBatches,
  type KafkaRecord,
  type RecordBatch,
} from './record-types.js';
import { decodeRecords } from './records-decode.js';
import { readInt64AsNumber } from './varint.js';

/** A v2 batch is at least its fixed header; a legacy entry at least its size field's target. */
const V2_MIN_BATCH_LENGTH = L.records - L.logOverhead;
const LEGACY_MIN_ENTRY_LENGTH = 14;

interface Settings {
  readonly verifyCrc: boolean;
  readonly maxDecompressedBytes: number;
}

function settings(options: DecodeOptions | undefined): Settings {
  return {
    verifyCrc: options?.verifyCrc ?? true,
    maxDecompressedBytes: options?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  };
}

/** A v2 batch header, read and CRC-checked, before its records are decoded. */
interface V2Header {
  readonly start: number;
  readonly end: number;
  readonly baseOffset: bigint;
  readonly partitionLeaderEpoch: number;
  readonly crc: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly count: number;
}

/** `buf[start, end)` holds at least the fixed header: locateEntries checked the v2 length. */
function readV2Header(buf: Buffer, start: number, end: number, verifyCrc: boolean): V2Header {
  const crc = buf.readUInt32BE(start + L.crc);
  if (verifyCrc) {
    const actual = crc32c(buf, start + L.attributes, end);
    if (actual !== crc) throw new CrcMismatchError(crc, actual, start);
  }
  const baseTimestamp = readInt64AsNumber(buf, start + L.baseTimestamp);
  const maxTimestamp = readInt64AsNumber(buf, start + L.maxTimestamp);
  if (!Number.isSafeInteger(baseTimestamp) || !Number.isSafeInteger(maxTimestamp)) {
    throw new RecordBatchCorruptError('batch timestamp outside the safe integer range', start + L.baseTimestamp);
  }
  return {
    start,
    end,
    baseOffset: buf.readBigInt64BE(start + L.baseOffset),
    partitionLeaderEpoch: buf.readInt32BE(start + L.partitionLeaderEpoch),
    crc,
    attributes: buf.readInt16BE(start + L.attributes),
    lastOffsetDelta: buf.readInt32BE(start + L.lastOffsetDelta),
    baseTimestamp,
    maxTimestamp,
    producerId: buf.readBigInt64BE(start + L.producerId),
    producerEpoch: buf.readInt16BE(start + L.producerEpoch),
    baseSequence: buf.readInt32BE(start + L.baseSequence),
    count: buf.readInt32BE(start + L.recordsCount),
  };
}

/** Builds the batch from its header and the bytes holding its records (decompressed if needed). */
function finishV2Batch(h: V2Header, recordsBuf: Buffer, recordsStart: number, recordsEnd: number): RecordBatch {
  const logAppend = (h.attributes & BatchAttribute.logAppendTime) !== 0;
  const records: KafkaRecord[] = decodeRecords(
    recordsBuf,
    recordsStart,
    recordsEnd,
    h.count,
    h.baseOffset,
    h.baseTimestamp,
    logAppend ? h.maxTimestamp : -1,
  );
  const isControl = (h.attributes & BatchAttribute.control) !== 0;
  const batch: RecordBatch = {
    magic: 2,
    baseOffset: h.baseOffset,
    lastOffset: h.baseOffset + BigInt(h.lastOffsetDelta),
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    crc: h.crc,
    attributes: h.attributes,
    compression: (h.attributes & BatchAttribute.compressionMask) as CompressionCodecId,
    timestampType: logAppend ? TimestampType.logAppendTime : TimestampType.createTime,
    isTransactional: (h.attributes & BatchAttribute.transactional) !== 0,
    isControl,
    hasDeleteHorizon: (h.attributes & BatchAttribute.deleteHorizon) !== 0,
    baseTimestamp: h.baseTimestamp,
    maxTimestamp: h.maxTimestamp,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    sizeInBytes: h.end - h.start,
    records,
  };
  if (isControl && records.length > 0) return { ...batch, control: decodeControlRecord(records[0]!, h.start) };
  return batch;
}

/** The codec of a compressed v2 batch, or undefined when the records are stored plain. */
function codecOf(h: V2Header): CompressionCodecImpl | undefined {
  const id = h.attributes & BatchAttribute.compressionMask;
  return id === 0 ? undefined : compressionCodec(id);
}

/** One complete entry of the input, located but not yet decoded. */
interface Entry {
  readonly start: number;
  readonly end: number;
  readonly magic: number;
}

/** Finds the complete entries in `buf` and the length of a partial one at its end. */
function locateEntries(buf: Buffer): { entries: Entry[]; truncatedBytes: number } {
  const entries: Entry[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const remaining = buf.length - pos;
    if (remaining < L.logOverhead) return { entries, truncatedBytes: remaining };
    const length = buf.readInt32BE(pos + L.batchLength);
    if (length < LEGACY_MIN_ENTRY_LENGTH) {
      throw new RecordBatchCorruptError(`batch length ${length} is smaller than any batch`, pos + L.batchLength);
    }
    const end = pos + L.logOverhead + length;
    if (end > buf.length) return { entries, truncatedBytes: remaining };
    const magic = buf[pos + L.magic]!;
    if (magic > 2) throw new UnsupportedMagicError(magic, pos);
    if (magic === 2 && length < V2_MIN_BATCH_LENGTH) {
      throw new RecordBatchCorruptError(`batch length ${length} is smaller than a v2 batch header`, pos + L.batchLength);
    }
    entries.push({ start: pos, end, magic });
    pos = end;
  }
  return { entries, truncatedBytes: 0 };
}

/** Decodes every complete batch in `buf`; throws CompressionNeedsAsyncError for async-only codecs. */
export function decodeRecordBatches(buf: Buffer, options?: DecodeOptions): DecodedRecordBatches {
  const s = settings(options);
  const { entries, truncatedBytes } = locateEntries(buf);
  const batches: RecordBatch[] = [];
  for (const entry of entries) {
    if (entry.magic !== 2) {
      batches.push(decodeLegacyEntry(buf, entry.start, entry.end, s.verifyCrc, s.maxDecompressedBytes));
      continue;
    }
    const h = readV2Header(buf, entry.start, entry.end, s.verifyCrc);
    const codec = codecOf(h);
    if (codec === undefined) {
      batches.push(finishV2Batch(h, buf, h.start + L.records, h.end));
      continue;
    }
    if (codec.decompressSync === undefined) throw new CompressionNeedsAsyncError(codec.name);
    const plain = codec.decompressSync(buf.subarray(h.start + L.records, h.end), s.maxDecompressedBytes);
    batches.push(finishV2Batch(h, plain, 0, plain.length));
  }
  return { batches, truncatedBytes };
}

/** Decodes every complete batch in `buf`, awaiting only codecs that have no synchronous implementation. */
export async function decodeRecordBatchesAsync(buf: Buffer, options?: DecodeOptions): Promise<DecodedRecordBatches> {
  const s = settings(options);
  const { entries, truncatedBytes } = locateEntries(buf);
  const batches: RecordBatch[] = [];
  for (const entry of entries) {
    if (entry.magic !== 2) {
      batches.push(decodeLegacyEntry(buf, entry.start, entry.end, s.verifyCrc, s.maxDecompressedBytes));
      continue;
    }
    const h = readV2Header(buf, entry.start, entry.end, s.verifyCrc);
    const codec = codecOf(h);
    if (codec === undefined) {
      batches.push(finishV2Batch(h, buf, h.start + L.records, h.end));
      continue;
    }
    const payload = buf.subarray(h.start + L.records, h.end);
    const plain =
      codec.decompressSync !== undefined
        ? codec.decompressSync(payload, s.maxDecompressedBytes)
        : await codec.decompress(payload, s.maxDecompressedBytes);
    batches.push(finishV2Batch(h, plain, 0, plain.length));
  }
  return { batches, truncatedBytes };
}

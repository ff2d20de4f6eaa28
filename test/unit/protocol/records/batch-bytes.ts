/**
 * Test-only builders of raw batch bytes, written field by field from the protocol
 * documentation so that tests do not depend on the encoder they check. The CRC comes from
 * crc32c(), which crc32c.test.ts pins to the published check values.
 */
import { crc32 } from '../../../../protocol/records/crc32.js';
import { crc32c } from '../../../../protocol/records/crc32c.js';

export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

export interface RawBatchFields {
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  attributes?: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  count: number;
  /** The records section exactly as it follows the header (compressed or not). */
  payload: Buffer;
}

/** A v2 batch: 61-byte header + payload, with batchLength and CRC filled in. */
export function rawBatch(f: RawBatchFields): Buffer {
  const buf = Buffer.alloc(61 + f.payload.length);
  buf.writeBigInt64BE(f.baseOffset ?? 0n, 0);
  buf.writeInt32BE(buf.length - 12, 8);
  buf.writeInt32BE(f.partitionLeaderEpoch ?? -1, 12);
  buf.writeInt8(2, 16);
  buf.writeInt16BE(f.attributes ?? 0, 21);
  buf.writeInt32BE(f.lastOffsetDelta, 23);
  buf.writeBigInt64BE(BigInt(f.baseTimestamp), 27);
  buf.writeBigInt64BE(BigInt(f.maxTimestamp), 35);
  buf.writeBigInt64BE(f.producerId ?? -1n, 43);
  buf.writeInt16BE(f.producerEpoch ?? -1, 51);
  buf.writeInt32BE(f.baseSequence ?? -1, 53);
  buf.writeInt32BE(f.count, 57);
  f.payload.copy(buf, 61);
  buf.writeUInt32BE(crc32c(buf, 21, buf.length), 17);
  return buf;
}

export interface RawLegacyMessage {
  offset: bigint;
  magic: 0 | 1;
  attributes?: number;
  timestamp?: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** One v0/v1 message set entry: offset, size, crc, magic, attributes, [timestamp], key, value. */
export function rawLegacyEntry(m: RawLegacyMessage): Buffer {
  const bytesField = (b: Buffer | null): Buffer => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b === null ? -1 : b.length);
    return b === null ? len : Buffer.concat([len, b]);
  };
  const head = Buffer.alloc(m.magic === 1 ? 10 : 2);
  head.writeInt8(m.magic, 0);
  head.writeInt8(m.attributes ?? 0, 1);
  if (m.magic === 1) head.writeBigInt64BE(BigInt(m.timestamp ?? -1), 2);
  const body = Buffer.concat([head, bytesField(m.key), bytesField(m.value)]);
  const entry = Buffer.alloc(16 + body.length);
  entry.writeBigInt64BE(m.offset, 0);
  entry.writeInt32BE(4 + body.length, 8);
  entry.writeUInt32BE(crc32(body), 12);
  body.copy(entry, 16);
  return entry;
}

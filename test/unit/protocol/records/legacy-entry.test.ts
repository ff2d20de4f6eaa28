/**
 * decodeLegacyEntry on hand-built v0/v1 entries placed mid-buffer (7 bytes of lead, junk
 * after the end): every batch field, timestamps and offsets of compressed wrappers, and each
 * corrupt-input path with its message and byte position.
 */
import test from 'ava';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { crc32 } from '../../../../protocol/records/crc32.js';
import { CrcMismatchError, RecordBatchCorruptError, UnsupportedCompressionError } from '../../../../protocol/records/errors.js';
import { decodeLegacyEntry } from '../../../../protocol/records/legacy-message-set.js';
import type { RecordBatch } from '../../../../protocol/records/record-types.js';
import { rawLegacyEntry } from './batch-bytes.js';

const snappy = createRequire(import.meta.url)('snappy') as { compressSync(b: Buffer): Buffer };
const TS = 1_500_000_000_000;
const LEAD = 7;

/** A length-prefixed bytes field (int32, -1 for null). */
function bytesField(b: Buffer | string | null, declared?: number): Buffer {
  const value = b === null ? Buffer.alloc(0) : Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeInt32BE(declared ?? (b === null ? -1 : value.length));
  return Buffer.concat([len, value]);
}

/** An entry from its message body after the CRC (magic, attributes, ...), CRC computed. */
function entry(offset: bigint, body: Buffer): Buffer {
  const out = Buffer.alloc(16 + body.length);
  out.writeBigInt64BE(offset, 0);
  out.writeInt32BE(4 + body.length, 8);
  out.writeUInt32BE(crc32(body), 12);
  body.copy(out, 16);
  return out;
}

function head(magic: number, attributes: number, timestamp?: number): Buffer {
  const h = Buffer.alloc(magic === 1 ? 10 : 2);
  h.writeUInt8(magic, 0);
  h.writeUInt8(attributes, 1);
  if (magic === 1) h.writeBigInt64BE(BigInt(timestamp ?? -1), 2);
  return h;
}

function decode(e: Buffer, verifyCrc = true, max = 1 << 20): RecordBatch {
  const buf = Buffer.concat([Buffer.alloc(LEAD, 0xaa), e, Buffer.alloc(9, 0xbb)]);
  return decodeLegacyEntry(buf, LEAD, LEAD + e.length, verifyCrc, max);
}

function corrupt(t: { throws: (fn: () => unknown, e: object) => unknown }, e: Buffer, message: string, at: number): void {
  t.throws(() => decode(e, false), { instanceOf: RecordBatchCorruptError, message: `${message} (at byte ${LEAD + at})` });
}

test('an uncompressed v0 entry becomes a one-record batch with every field set', (t) => {
  const e = rawLegacyEntry({ offset: 77n, magic: 0, key: Buffer.from('k'), value: Buffer.from('v0') });
  const batch = decode(e);
  t.like(batch, {
    magic: 0,
    baseOffset: 77n,
    lastOffset: 77n,
    partitionLeaderEpoch: -1,
    crc: e.readUInt32BE(12),
    attributes: 0,
    compression: 0,
    timestampType: 'CreateTime',
    isTransactional: false,
    isControl: false,
    hasDeleteHorizon: false,
    baseTimestamp: -1,
    maxTimestamp: -1,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    sizeInBytes: e.length,
  });
  t.is(batch.records.length, 1);
  t.like(batch.records[0], { offset: 77n, timestamp: -1 });
  t.is(batch.records[0]!.key!.toString(), 'k');
  t.is(batch.records[0]!.value!.toString(), 'v0');
  t.is(batch.records[0]!.headers.length, 0);
});

test('an uncompressed v1 entry keeps its timestamp; the LogAppendTime bit sets the type', (t) => {
  const create = decode(rawLegacyEntry({ offset: 1n, magic: 1, timestamp: TS, key: null, value: null }));
  t.like(create, { magic: 1, timestampType: 'CreateTime', baseTimestamp: TS, maxTimestamp: TS });
  t.like(create.records[0], { key: null, value: null, timestamp: TS });
  const append = decode(rawLegacyEntry({ offset: 1n, magic: 1, attributes: 0x08, timestamp: TS + 1, key: null, value: Buffer.from('x') }));
  t.like(append, { timestampType: 'LogAppendTime', attributes: 0x08, compression: 0, maxTimestamp: TS + 1 });
  // In v0 the same bit means nothing.
  const v0 = decode(rawLegacyEntry({ offset: 1n, magic: 0, attributes: 0x08, key: null, value: Buffer.from('x') }));
  t.is(v0.timestampType, 'CreateTime');
});

test('a compressed v1 wrapper: base and max timestamps over unordered inner timestamps', (t) => {
  const stamps = [TS + 5, TS + 9, TS + 1];
  const inner = Buffer.concat(stamps.map((ts, i) => rawLegacyEntry({ offset: BigInt(i), magic: 1, timestamp: ts, key: null, value: Buffer.from(`m${i}`) })));
  const batch = decode(rawLegacyEntry({ offset: 52n, magic: 1, attributes: 2, timestamp: TS + 100, key: null, value: snappy.compressSync(inner) }));
  t.like(batch, { compression: 2, baseOffset: 50n, lastOffset: 52n, baseTimestamp: TS + 5, maxTimestamp: TS + 9, timestampType: 'CreateTime' });
  t.deepEqual(batch.records.map((r) => r.timestamp), stamps);
  t.deepEqual(batch.records.map((r) => r.value!.toString()), ['m0', 'm1', 'm2']);
});

test('a compressed v0 wrapper ignores the LogAppendTime bit and keeps inner offsets', (t) => {
  const inner = Buffer.concat([10n, 12n].map((o) => rawLegacyEntry({ offset: o, magic: 0, key: null, value: Buffer.from('z') })));
  // The wrapper's own offset (normally the last inner one) does not move v0 inner offsets.
  const batch = decode(rawLegacyEntry({ offset: 99n, magic: 0, attributes: 1 | 0x08, key: null, value: gzipSync(inner) }));
  t.like(batch, { baseOffset: 10n, lastOffset: 12n, timestampType: 'CreateTime', maxTimestamp: -1, baseTimestamp: -1 });
  t.deepEqual(batch.records.map((r) => r.timestamp), [-1, -1]);
});

test('CRC: checked over magic..end when asked, reported with both values and the entry position', (t) => {
  const e = rawLegacyEntry({ offset: 0n, magic: 1, timestamp: TS, key: null, value: Buffer.from('abc') });
  const stored = e.readUInt32BE(12);
  e.writeUInt32BE((stored ^ 1) >>> 0, 12);
  const err = t.throws(() => decode(e), { instanceOf: CrcMismatchError }) as CrcMismatchError;
  t.is(err.expected, (stored ^ 1) >>> 0);
  t.is(err.actual, stored);
  t.is(err.position, LEAD);
  t.is(decode(e, false).records[0]!.value!.toString(), 'abc');
  // A changed magic byte is covered by the CRC too.
  const v0 = rawLegacyEntry({ offset: 0n, magic: 0, key: null, value: Buffer.from('abcdefghi') });
  v0[17] = 0x08; // attributes
  t.throws(() => decode(v0), { instanceOf: CrcMismatchError });
});

test('magic and minimum sizes', (t) => {
  corrupt(t, entry(0n, Buffer.concat([head(2, 0), bytesField(null), bytesField(null)])), 'message set entry with magic 2 inside a legacy set', 12);
  // The smallest messages (null key and value) are accepted; one byte less is too short.
  t.is(decode(entry(0n, Buffer.concat([head(0, 0), bytesField(null), bytesField(null)]))).records[0]!.value, null);
  t.is(decode(entry(0n, Buffer.concat([head(1, 0, TS), bytesField(null), bytesField(null)]))).records[0]!.timestamp, TS);
  corrupt(t, entry(0n, Buffer.concat([head(0, 0), bytesField(null), Buffer.from([0, 0, 0])])), 'v0 message too short', 12);
  corrupt(t, entry(0n, Buffer.concat([head(1, 0, TS), bytesField(null), Buffer.from([0, 0, 0])])), 'v1 message too short', 12);
});

test('key, value and timestamp fields that cannot be right', (t) => {
  // Message fields start at 12 (crc), magic 16, attributes 17, v0 key length at 18, v1 at 26.
  corrupt(t, entry(0n, Buffer.concat([head(0, 0), bytesField('ab', -2), bytesField(null)])), 'key length -2 is invalid', 22);
  corrupt(t, entry(0n, Buffer.concat([head(0, 0), bytesField('ab', 7), bytesField(null)])), 'key length 7 is invalid', 22);
  corrupt(t, entry(0n, Buffer.concat([head(0, 0), bytesField('ab'), bytesField('cd', 3)])), 'value length 3 is invalid', 28);
  corrupt(t, entry(0n, Buffer.concat([head(0, 0), bytesField('ab'), Buffer.from([0, 0])])), 'value length runs past the message', 24);
  corrupt(t, entry(0n, Buffer.concat([head(0, 0), bytesField(null), bytesField('ab'), Buffer.from([1])])), 'message declares 17 bytes but its fields end elsewhere', 28);
  corrupt(t, entry(0n, Buffer.concat([head(1, 0, 2 ** 60), bytesField(null), bytesField(null)])), 'message timestamp outside the safe integer range', 18);
  // Empty (not null) keys and values.
  const empty = decode(entry(0n, Buffer.concat([head(0, 0), bytesField(''), bytesField('')]))).records[0]!;
  t.is(empty.key!.length, 0);
  t.is(empty.value!.length, 0);
  // A value that ends exactly at the end is fine; the junk after the end is not read.
  t.is(decode(entry(0n, Buffer.concat([head(1, 0, TS), bytesField('k'), bytesField('vv')]))).records[0]!.value!.toString(), 'vv');
});

test('compressed wrappers that cannot be right', (t) => {
  const one = rawLegacyEntry({ offset: 0n, magic: 1, timestamp: TS, key: null, value: Buffer.from('a') });
  corrupt(t, rawLegacyEntry({ offset: 0n, magic: 1, attributes: 1, timestamp: TS, key: null, value: null }), 'compressed message without a value', 0);
  for (const codec of [4, 5, 7]) {
    t.throws(() => decode(rawLegacyEntry({ offset: 0n, magic: 1, attributes: codec, timestamp: TS, key: null, value: Buffer.from('x') })), {
      instanceOf: UnsupportedCompressionError,
      message: `unsupported compression codec id ${codec}: not valid in a v1 message`,
    });
  }
  t.throws(() => decode(rawLegacyEntry({ offset: 0n, magic: 0, attributes: 4, key: null, value: Buffer.from('x') })), {
    message: 'unsupported compression codec id 4: not valid in a v0 message',
  });
  const wrap = (inner: Buffer): Buffer => rawLegacyEntry({ offset: 3n, magic: 1, attributes: 1, timestamp: TS, key: null, value: gzipSync(inner) });
  corrupt(t, wrap(Buffer.alloc(0)), 'compressed message holds no messages', -LEAD);
  corrupt(t, wrap(Buffer.concat([one, Buffer.alloc(11)])), 'truncated entry inside a compressed message', one.length - LEAD);
  corrupt(t, wrap(Buffer.concat([one, Buffer.alloc(12)])), 'inner message size 0 is invalid', one.length - LEAD);
  const nested = rawLegacyEntry({ offset: 0n, magic: 1, attributes: 1, timestamp: TS, key: null, value: gzipSync(one) });
  corrupt(t, wrap(Buffer.concat([one, nested])), 'compressed message nested inside a compressed message', one.length - LEAD);
  const short = Buffer.from(one);
  short.writeInt32BE(13, 8);
  corrupt(t, wrap(short), 'inner message size 13 is invalid', -LEAD);
  const long = Buffer.from(one);
  long.writeInt32BE(one.length - 11, 8);
  corrupt(t, wrap(long), `inner message size ${one.length - 11} is invalid`, -LEAD);
  corrupt(t, wrap(Buffer.concat([one, entry(0n, Buffer.concat([head(7, 0), bytesField(null), bytesField(null)]))])), 'message set entry with magic 7 inside a legacy set', one.length + 12 - LEAD);
  // The smallest inner message (v0, 14 bytes) is accepted.
  const tiny = entry(3n, Buffer.concat([head(0, 0), bytesField(null), bytesField(null)]));
  t.is(decode(rawLegacyEntry({ offset: 3n, magic: 0, attributes: 1, key: null, value: gzipSync(tiny) })).records.length, 1);
  // The decompression cap applies to the inner set.
  t.throws(() => decode(wrap(Buffer.concat([one, one, one])), true, 10), { code: 'DECOMPRESSED_SIZE_LIMIT' });
});

import test from 'ava';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { decodeRecordBatches } from '../../../../protocol/records/record-batch-decode.js';
import { CrcMismatchError, RecordBatchCorruptError, UnsupportedCompressionError } from '../../../../protocol/records/errors.js';
import { encodeRecordBatch } from '../../../../protocol/records/record-batch-encode.js';
import { rawLegacyEntry } from './batch-bytes.js';

const lz4 = createRequire(import.meta.url)('lz4-napi') as { compressFrameSync(b: Buffer): Buffer };
const TS = 1_500_000_000_000;

test('v0 and v1 uncompressed messages decode as single-record batches', (t) => {
  const input = Buffer.concat([
    rawLegacyEntry({ offset: 5n, magic: 0, key: Buffer.from('a'), value: Buffer.from('one') }),
    rawLegacyEntry({ offset: 6n, magic: 1, timestamp: TS, key: null, value: Buffer.from('two') }),
  ]);
  const { batches, truncatedBytes } = decodeRecordBatches(input);
  t.is(truncatedBytes, 0);
  t.is(batches.length, 2);
  t.like(batches[0], { magic: 0, baseOffset: 5n, lastOffset: 5n, producerId: -1n });
  t.is(batches[0]!.records[0]!.timestamp, -1);
  t.is(batches[0]!.records[0]!.key!.toString(), 'a');
  t.like(batches[1], { magic: 1, baseOffset: 6n, maxTimestamp: TS });
  t.is(batches[1]!.records[0]!.key, null);
  t.is(batches[1]!.records[0]!.value!.toString(), 'two');
});

test('a v1 gzip wrapper: relative inner offsets become absolute, LogAppendTime applies to all', (t) => {
  const inner = Buffer.concat(
    [0, 1, 2].map((i) => rawLegacyEntry({ offset: BigInt(i), magic: 1, timestamp: TS + i, key: null, value: Buffer.from(`m${i}`) })),
  );
  const wrapper = rawLegacyEntry({ offset: 102n, magic: 1, attributes: 1 | 0x08, timestamp: TS + 50, key: null, value: gzipSync(inner) });
  const batch = decodeRecordBatches(wrapper).batches[0]!;
  t.like(batch, { magic: 1, compression: 1, baseOffset: 100n, lastOffset: 102n, timestampType: 'LogAppendTime' });
  t.deepEqual(
    batch.records.map((r) => [r.offset, r.timestamp, r.value!.toString()]),
    [
      [100n, TS + 50, 'm0'],
      [101n, TS + 50, 'm1'],
      [102n, TS + 50, 'm2'],
    ],
  );
});

test('a v0 lz4 wrapper keeps the absolute inner offsets; CreateTime v1 keeps inner timestamps', (t) => {
  const inner0 = Buffer.concat([40n, 41n].map((o) => rawLegacyEntry({ offset: o, magic: 0, key: null, value: Buffer.from(`x${o}`) })));
  const v0 = rawLegacyEntry({ offset: 41n, magic: 0, attributes: 3, key: null, value: lz4.compressFrameSync(inner0) });
  t.deepEqual(
    decodeRecordBatches(v0).batches[0]!.records.map((r) => r.offset),
    [40n, 41n],
  );
  const inner1 = Buffer.concat([0n, 1n].map((o) => rawLegacyEntry({ offset: o, magic: 1, timestamp: TS + Number(o) * 7, key: null, value: null })));
  const v1 = rawLegacyEntry({ offset: 9n, magic: 1, attributes: 1, timestamp: TS, key: null, value: gzipSync(inner1) });
  t.deepEqual(
    decodeRecordBatches(v1).batches[0]!.records.map((r) => [r.offset, r.timestamp]),
    [
      [8n, TS],
      [9n, TS + 7],
    ],
  );
});

test('legacy entries and v2 batches can follow each other (format upgrade mid-log)', (t) => {
  const input = Buffer.concat([
    rawLegacyEntry({ offset: 0n, magic: 1, timestamp: TS, key: null, value: Buffer.from('old') }),
    encodeRecordBatch({ baseOffset: 1n, records: [{ value: 'new', timestamp: TS }] }),
  ]);
  t.deepEqual(
    decodeRecordBatches(input).batches.map((b) => [b.magic, b.records[0]!.value!.toString()]),
    [
      [1, 'old'],
      [2, 'new'],
    ],
  );
});

test('legacy errors: CRC, nested compression, zstd, short value fields', (t) => {
  const good = rawLegacyEntry({ offset: 0n, magic: 1, timestamp: TS, key: null, value: Buffer.from('abc') });
  const flipped = Buffer.from(good);
  flipped[flipped.length - 1]! ^= 1;
  t.throws(() => decodeRecordBatches(flipped), { instanceOf: CrcMismatchError });

  const nestedInner = rawLegacyEntry({ offset: 0n, magic: 1, attributes: 1, timestamp: TS, key: null, value: gzipSync(good) });
  const nested = rawLegacyEntry({ offset: 0n, magic: 1, attributes: 1, timestamp: TS, key: null, value: gzipSync(nestedInner) });
  t.throws(() => decodeRecordBatches(nested), { instanceOf: RecordBatchCorruptError });

  const zstd = rawLegacyEntry({ offset: 0n, magic: 1, attributes: 4, timestamp: TS, key: null, value: Buffer.from('x') });
  t.throws(() => decodeRecordBatches(zstd), { instanceOf: UnsupportedCompressionError });

  const lying = rawLegacyEntry({ offset: 0n, magic: 0, key: null, value: Buffer.from('abcd') });
  lying.writeInt32BE(100, 12 + 4 + 2 + 4); // value length 100 in a 4-byte value
  t.throws(() => decodeRecordBatches(lying, { verifyCrc: false }), { instanceOf: RecordBatchCorruptError });
});

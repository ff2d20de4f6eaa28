import test from 'ava';
import {
  CompressionNeedsAsyncError,
  CrcMismatchError,
  RecordBatchCorruptError,
  UnsupportedCompressionError,
  UnsupportedMagicError,
} from '../../../../protocol/records/errors.js';
import { encodeRecordBatch } from '../../../../protocol/records/record-batch-encode.js';
import { decodeRecordBatches, decodeRecordBatchesAsync } from '../../../../protocol/records/record-batch-decode.js';
import { zstdCodec } from '../../../../protocol/records/compression/zstd.js';
import { hex, rawBatch } from './batch-bytes.js';

const TS = 1_700_000_000_000;

function batchOf(n: number, baseOffset = 0n): Buffer {
  return encodeRecordBatch({
    baseOffset,
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `value-${i}`, timestamp: TS + i })),
  });
}

test('several batches in one buffer decode in order', (t) => {
  const input = Buffer.concat([batchOf(3, 0n), batchOf(2, 3n), batchOf(1, 5n)]);
  const { batches, truncatedBytes } = decodeRecordBatches(input);
  t.is(truncatedBytes, 0);
  t.deepEqual(
    batches.flatMap((b) => b.records.map((r) => r.offset)),
    [0n, 1n, 2n, 3n, 4n, 5n],
  );
});

test('a partial batch at the end is reported, not thrown, at every cut point', (t) => {
  const whole = Buffer.concat([batchOf(2), batchOf(3, 2n)]);
  const firstLength = batchOf(2).length;
  for (let cut = 0; cut < whole.length; cut++) {
    const { batches, truncatedBytes } = decodeRecordBatches(whole.subarray(0, cut));
    const expectedWhole = cut >= firstLength ? 1 : 0;
    t.is(batches.length, expectedWhole, `cut at ${cut}`);
    t.is(truncatedBytes, cut - (expectedWhole ? firstLength : 0), `cut at ${cut}`);
  }
  t.is(decodeRecordBatches(whole).batches.length, 2);
});

test('a flipped bit anywhere after the CRC field is a CRC mismatch', (t) => {
  const good = batchOf(4);
  for (let pos = 21; pos < good.length; pos++) {
    const bad = Buffer.from(good);
    bad[pos]! ^= 0x01;
    const err = t.throws(() => decodeRecordBatches(bad), { instanceOf: CrcMismatchError });
    t.is(err?.code, 'CRC_MISMATCH');
    t.false(err?.retriable);
  }
  const wrongCrc = Buffer.from(good);
  wrongCrc.writeUInt32BE((wrongCrc.readUInt32BE(17) + 1) >>> 0, 17);
  t.throws(() => decodeRecordBatches(wrongCrc), { instanceOf: CrcMismatchError });
  // With verification off the same bytes decode.
  t.is(decodeRecordBatches(wrongCrc, { verifyCrc: false }).batches[0]!.records.length, 4);
});

test('a control batch yields its transaction marker', (t) => {
  // Commit marker: key = version 0, type 1; value = version 0, coordinator epoch 5.
  // body: 00 | 00 | 00 | key 4 -> 08 00000001 | value 6 -> 0c 000000000005 | 00 = 16 bytes -> 20
  const payload = hex('20 00 00 00 08 00000001 0c 000000000005 00');
  const bytes = rawBatch({
    baseOffset: 77n,
    attributes: 0x30, // transactional + control
    lastOffsetDelta: 0,
    baseTimestamp: TS,
    maxTimestamp: TS,
    producerId: 4000n,
    producerEpoch: 2,
    count: 1,
    payload,
  });
  const batch = decodeRecordBatches(bytes).batches[0]!;
  t.true(batch.isControl);
  t.true(batch.isTransactional);
  t.deepEqual(batch.control, { version: 0, type: 1, coordinatorEpoch: 5 });
  t.is(batch.records[0]!.offset, 77n);
});

test('LogAppendTime batches give every record the batch max timestamp; delete horizon bit is read', (t) => {
  const payload = hex('0c 00 0a 00 01 01 00' + '0c 00 14 02 01 01 00');
  const bytes = rawBatch({
    attributes: 0x08 | 0x40,
    lastOffsetDelta: 1,
    baseTimestamp: TS,
    maxTimestamp: TS + 999,
    count: 2,
    payload,
  });
  const batch = decodeRecordBatches(bytes).batches[0]!;
  t.is(batch.timestampType, 'LogAppendTime');
  t.true(batch.hasDeleteHorizon);
  t.deepEqual(
    batch.records.map((r) => r.timestamp),
    [TS + 999, TS + 999],
  );
});

test('headers keep duplicates, order, null and binary values, and UTF-8 keys', (t) => {
  const headers = [
    ['dup', Buffer.from([0, 255, 128])],
    ['dup', null],
    ['ключ', Buffer.alloc(0)],
    ['dup', Buffer.from('x')],
  ] as const;
  const bytes = encodeRecordBatch({ records: [{ value: 'v', headers }, { value: 'w', headers }] });
  for (const record of decodeRecordBatches(bytes).batches[0]!.records) {
    t.deepEqual(
      record.headers.map(([k, v]) => [k, v === null ? null : [...v]]),
      headers.map(([k, v]) => [k, v === null ? null : [...v]]),
    );
  }
});

test('structural problems are typed errors naming the problem', (t) => {
  const base = { lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS };
  const cases: [string, Buffer, new (...args: never[]) => Error][] = [
    ['negative count', rawBatch({ ...base, count: -1, payload: hex('') }), RecordBatchCorruptError],
    ['count larger than the bytes allow', rawBatch({ ...base, count: 1_000_000, payload: hex('0c 00 00 00 01 01 00') }), RecordBatchCorruptError],
    ['record length past the batch', rawBatch({ ...base, count: 1, payload: hex('7e 00 00 00 01 01 00') }), RecordBatchCorruptError],
    ['key length past the record', rawBatch({ ...base, count: 1, payload: hex('0c 00 00 00 10 01 00') }), RecordBatchCorruptError],
    ['key length -2', rawBatch({ ...base, count: 1, payload: hex('0c 00 00 00 03 01 00') }), RecordBatchCorruptError],
    ['negative header count', rawBatch({ ...base, count: 1, payload: hex('0c 00 00 00 01 01 01') }), RecordBatchCorruptError],
    ['bytes left after the records', rawBatch({ ...base, count: 1, payload: hex('0c 00 00 00 01 01 00 00') }), RecordBatchCorruptError],
    ['record shorter than its fields', rawBatch({ ...base, count: 1, payload: hex('0e 00 00 00 01 01 00 00') }), RecordBatchCorruptError],
    ['codec id 5', rawBatch({ ...base, attributes: 5, count: 1, payload: hex('00') }), UnsupportedCompressionError],
  ];
  for (const [name, bytes, type] of cases) {
    t.throws(() => decodeRecordBatches(bytes), { instanceOf: type }, name);
  }
  const magic3 = rawBatch({ ...base, count: 0, payload: hex('') });
  magic3[16] = 3;
  t.throws(() => decodeRecordBatches(magic3), { instanceOf: UnsupportedMagicError });
  const tinyLength = hex('0000000000000000 00000003 000000');
  t.throws(() => decodeRecordBatches(tinyLength), { instanceOf: RecordBatchCorruptError });
});

test('an empty batch (all records compacted away) decodes with no records', (t) => {
  const bytes = rawBatch({ baseOffset: 10n, lastOffsetDelta: 4, baseTimestamp: TS, maxTimestamp: TS, count: 0, payload: hex('') });
  const batch = decodeRecordBatches(bytes).batches[0]!;
  t.deepEqual(batch.records, []);
  t.is(batch.lastOffset, 14n);
});

test('zstd without a synchronous implementation: sync decode says so, async decode works', async (t) => {
  const records = [{ key: 'a', value: 'zstd!', timestamp: TS }];
  const { encodeRecordBatchAsync } = await import('../../../../protocol/records/record-batch-encode.js');
  const bytes = await encodeRecordBatchAsync({ records, compression: 4 });
  if (zstdCodec.decompressSync === undefined) {
    t.throws(() => decodeRecordBatches(bytes), { instanceOf: CompressionNeedsAsyncError });
  } else {
    t.is(decodeRecordBatches(bytes).batches[0]!.records[0]!.value!.toString(), 'zstd!');
  }
  const { batches } = await decodeRecordBatchesAsync(bytes);
  t.is(batches[0]!.records[0]!.value!.toString(), 'zstd!');
});

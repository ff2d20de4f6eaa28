/**
 * decodeRecordBatches and decodeRecordBatchesAsync on hand-built batches: every batch field and
 * attribute bit, control batches, the entry framing (minimum lengths, magic, partial tails),
 * and the messages and positions of framing errors, in both entry points.
 */
import test from 'ava';
import { gzipSync } from 'node:zlib';
import { CrcMismatchError, RecordBatchCorruptError, UnsupportedMagicError } from '../../../../protocol/records/errors.js';
import { decodeRecordBatches, decodeRecordBatchesAsync } from '../../../../protocol/records/record-batch-decode.js';
import type { DecodeOptions, DecodedRecordBatches } from '../../../../protocol/records/record-types.js';
import { hex, rawBatch, rawLegacyEntry } from './batch-bytes.js';

const TS = 1_700_000_000_000;
/** One record: length 7, attributes, ts delta 1, offset delta 2, key "k", value null, no headers. */
const ONE_RECORD = hex('0e 00 02 04 02 6b 01 00');

async function both(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, buf: Buffer, options?: DecodeOptions): Promise<DecodedRecordBatches> {
  const sync = decodeRecordBatches(buf, options);
  const asynchronous = await decodeRecordBatchesAsync(buf, options);
  t.deepEqual(
    asynchronous.batches.map((b) => ({ ...b, records: b.records.length })),
    sync.batches.map((b) => ({ ...b, records: b.records.length })),
    'sync and async agree',
  );
  return sync;
}

async function rejects(t: { throws: (fn: () => unknown, e: object) => unknown; throwsAsync: (p: Promise<unknown>, e: object) => Promise<unknown> }, buf: Buffer, expected: object, options?: DecodeOptions): Promise<void> {
  t.throws(() => decodeRecordBatches(buf, options), expected);
  await t.throwsAsync(decodeRecordBatchesAsync(buf, options), expected);
}

test('every header field and attribute bit is read', async (t) => {
  const attributes = 0x10 | 0x40 | 0x08;
  const bytes = rawBatch({
    baseOffset: 1000n,
    partitionLeaderEpoch: 7,
    attributes,
    lastOffsetDelta: 2,
    baseTimestamp: TS,
    maxTimestamp: TS + 50,
    producerId: 4242n,
    producerEpoch: 3,
    baseSequence: 99,
    count: 1,
    payload: ONE_RECORD,
  });
  const { batches, truncatedBytes } = await both(t, bytes);
  t.is(truncatedBytes, 0);
  const { records, ...batch } = batches[0]!;
  t.deepEqual(batch, {
    magic: 2,
    baseOffset: 1000n,
    lastOffset: 1002n,
    partitionLeaderEpoch: 7,
    crc: bytes.readUInt32BE(17),
    attributes,
    compression: 0,
    timestampType: 'LogAppendTime',
    isTransactional: true,
    isControl: false,
    hasDeleteHorizon: true,
    baseTimestamp: TS,
    maxTimestamp: TS + 50,
    producerId: 4242n,
    producerEpoch: 3,
    baseSequence: 99,
    sizeInBytes: bytes.length,
  });
  t.like(records[0], { offset: 1002n, timestamp: TS + 50 });
  // CreateTime, no flags: the record's own timestamp.
  const plain = (await both(t, rawBatch({ lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS + 1, count: 1, payload: ONE_RECORD }))).batches[0]!;
  t.like(plain, { timestampType: 'CreateTime', isTransactional: false, hasDeleteHorizon: false, isControl: false });
  t.like(plain.records[0], { offset: 2n, timestamp: TS + 1 });
});

test('compressed batches: the codec id is reported and the records come from the decompressed bytes', async (t) => {
  const bytes = rawBatch({ attributes: 1, lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS + 1, count: 1, payload: gzipSync(ONE_RECORD) });
  const batch = (await both(t, bytes)).batches[0]!;
  t.is(batch.compression, 1);
  t.is(batch.records[0]!.key!.toString(), 'k');
  t.is(batch.sizeInBytes, bytes.length);
  // The cap reaches the codec in both entry points.
  await rejects(t, bytes, { code: 'DECOMPRESSED_SIZE_LIMIT' }, { maxDecompressedBytes: ONE_RECORD.length - 1 });
  t.is(decodeRecordBatches(bytes, { maxDecompressedBytes: ONE_RECORD.length }).batches.length, 1);
});

test('control batches carry their marker; an empty control batch has none', async (t) => {
  // Control record: key = version 0, type 1 (commit); value = version 0, coordinator epoch 5.
  const control = hex('20 00 00 00 08 0000 0001 0c 0000 00000005 00');
  const marker = (await both(t, rawBatch({ attributes: 0x30, lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 1, payload: control }))).batches[0]!;
  t.like(marker, { isControl: true, isTransactional: true, control: { version: 0, type: 1, coordinatorEpoch: 5 } });
  const empty = (await both(t, rawBatch({ attributes: 0x20, lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 0, payload: hex('') }))).batches[0]!;
  t.true(empty.isControl);
  t.false('control' in empty);
});

test('framing errors name the length, the magic and where they are', async (t) => {
  const good = rawBatch({ lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS, count: 1, payload: ONE_RECORD });
  const at = good.length; // a second entry starts here
  const withLength = (length: number, magic = 2): Buffer => {
    const e = Buffer.alloc(12 + Math.max(length, 5));
    e.writeInt32BE(length, 8);
    e[16] = magic;
    return Buffer.concat([good, e]);
  };
  await rejects(t, withLength(13), { instanceOf: RecordBatchCorruptError, message: `batch length 13 is smaller than any batch (at byte ${at + 8})` });
  await rejects(t, withLength(-1), { instanceOf: RecordBatchCorruptError, message: `batch length -1 is smaller than any batch (at byte ${at + 8})` });
  await rejects(t, withLength(48), { instanceOf: RecordBatchCorruptError, message: `batch length 48 is smaller than a v2 batch header (at byte ${at + 8})` });
  await rejects(t, withLength(20, 3), { instanceOf: UnsupportedMagicError, message: `record batch at byte ${at} has magic 3; only 0, 1 and 2 exist` });
  // Length 14 is a possible legacy entry (then judged by the legacy decoder).
  await rejects(t, withLength(14, 0), { instanceOf: CrcMismatchError });
  // The smallest v2 batch: a header with no records.
  const headerOnly = rawBatch({ lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 0, payload: hex('') });
  t.is(headerOnly.readInt32BE(8), 49);
  t.is((await both(t, Buffer.concat([good, headerOnly]))).batches.length, 2);
  // Timestamps beyond 2^53 cannot be numbers.
  const base = rawBatch({ lastOffsetDelta: 0, baseTimestamp: 2 ** 53, maxTimestamp: TS, count: 0, payload: hex('') });
  await rejects(t, Buffer.concat([good, base]), { instanceOf: RecordBatchCorruptError, message: `batch timestamp outside the safe integer range (at byte ${at + 27})` });
  const max = rawBatch({ lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: -(2 ** 53), count: 0, payload: hex('') });
  await rejects(t, max, { instanceOf: RecordBatchCorruptError, message: 'batch timestamp outside the safe integer range (at byte 27)' });
});

test('CRCs are verified by default in both entry points, and the error names both values', async (t) => {
  const good = rawBatch({ lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS, count: 1, payload: ONE_RECORD });
  const bad = Buffer.from(good);
  const stored = good.readUInt32BE(17);
  const wrong = (stored ^ 0x100) >>> 0;
  bad.writeUInt32BE(wrong, 17);
  const input = Buffer.concat([good, bad]);
  const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
  const expected = { instanceOf: CrcMismatchError, message: `record batch at byte ${good.length}: stored CRC 0x${hex8(wrong)} but the bytes hash to 0x${hex8(stored)}` };
  await rejects(t, input, expected);
  await rejects(t, input, expected, {});
  await rejects(t, input, expected, { verifyCrc: true });
  t.is((await both(t, input, { verifyCrc: false })).batches.length, 2);
  // Legacy entries honour the same option.
  const legacy = rawLegacyEntry({ offset: 0n, magic: 0, key: null, value: Buffer.from('12345') });
  legacy.writeUInt32BE((legacy.readUInt32BE(12) ^ 1) >>> 0, 12);
  await rejects(t, legacy, { instanceOf: CrcMismatchError });
  t.is((await both(t, legacy, { verifyCrc: false })).batches.length, 1);
});

test('partial tails: fewer than 12 bytes, or a length past the end, are left for the next fetch', async (t) => {
  const good = rawBatch({ lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS, count: 1, payload: ONE_RECORD });
  for (const tail of [1, 11, 12, good.length - 1]) {
    const { batches, truncatedBytes } = await both(t, Buffer.concat([good, good.subarray(0, tail)]));
    t.is(batches.length, 1, `tail ${tail}`);
    t.is(truncatedBytes, tail, `tail ${tail}`);
  }
  t.deepEqual(await both(t, Buffer.alloc(0)), { batches: [], truncatedBytes: 0 });
});

/**
 * encodeRecordBatch against batches written byte by byte from the protocol documentation
 * (batch-bytes.ts and a zigzag writer here): every header field and attribute bit, the CRC,
 * each kind of key/value/header input, compressed payloads, and the limits of each field.
 */
import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { InvalidRecordError } from '../../../../protocol/records/errors.js';
import { encodeRecordBatch, encodeRecordBatchAsync } from '../../../../protocol/records/record-batch-encode.js';
import type { RecordBatchInput, RecordInput } from '../../../../protocol/records/record-types.js';
import { rawBatch } from './batch-bytes.js';

const TS = 1_700_000_000_000;

function zz(n: number): number[] {
  let v = n >= 0 ? BigInt(n) << 1n : (BigInt(-n) << 1n) - 1n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

type Bytes = Buffer | Uint8Array | string | null | undefined;
const field = (b: Bytes): number[] => {
  if (b === null || b === undefined) return zz(-1);
  const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
  return [...zz(bytes.length), ...bytes];
};

/** The expected bytes of record `i` of a batch whose first timestamp is `base`. */
function recordBytes(i: number, base: number, r: RecordInput): number[] {
  const headers = r.headers ?? [];
  const body = [0, ...zz(r.timestamp! - base), ...zz(i), ...field(r.key), ...field(r.value), ...zz(headers.length)];
  for (const [k, v] of headers) body.push(...field(k), ...field(v));
  return [...zz(body.length), ...body];
}

function expectedPayload(records: readonly RecordInput[]): Buffer {
  const base = records[0]!.timestamp!;
  return Buffer.from(records.flatMap((r, i) => recordBytes(i, base, r)));
}

function fail(t: { throws: (fn: () => unknown, e: object) => unknown }, input: RecordBatchInput, message: string): void {
  t.throws(() => encodeRecordBatch(input), { instanceOf: InvalidRecordError, message });
}

const records: RecordInput[] = [
  { key: 'k', value: 'ascii value', timestamp: TS + 5 },
  { key: Buffer.from([0, 1, 2]), value: null, timestamp: TS, headers: [['h1', 'v'], ['h1', null], ['', Buffer.alloc(0)]] },
  { key: null, value: 'x'.repeat(64), timestamp: TS + 9 },
  { key: '', value: 'y'.repeat(65), timestamp: TS + 2 },
  { value: 'é'.repeat(10) + 'ü', timestamp: TS + 1, headers: [['clé', 'wert €']] },
  { value: Buffer.alloc(32, 0xab), key: new Uint8Array(33).fill(0xcd) as Buffer, timestamp: TS + 5 },
  { value: 'z'.repeat(70) + '€', timestamp: TS - 3, headers: [['k'.repeat(70), new Uint8Array([9, 8]) as Buffer]] },
  // U+0080 is the first code point that takes two UTF-8 bytes; U+007F the last that takes one.
  { key: '\u0080', value: 'a\u007f\u0080', timestamp: TS, headers: [['\u0080', '\u0080']] },
];

test('an uncompressed batch is byte for byte the documented layout', (t) => {
  const input: RecordBatchInput = {
    records,
    baseOffset: 0x0102030405060708n,
    partitionLeaderEpoch: 17,
    producerId: 0x7fff000011112222n,
    producerEpoch: 3,
    baseSequence: 1000,
  };
  const expected = rawBatch({
    baseOffset: 0x0102030405060708n,
    partitionLeaderEpoch: 17,
    attributes: 0,
    lastOffsetDelta: records.length - 1,
    baseTimestamp: TS + 5,
    maxTimestamp: TS + 9,
    producerId: 0x7fff000011112222n,
    producerEpoch: 3,
    baseSequence: 1000,
    count: records.length,
    payload: expectedPayload(records),
  });
  const actual = encodeRecordBatch(input);
  t.is(actual.toString('hex'), expected.toString('hex'));
});

test('defaults: offset 0, no leader epoch, no producer id/epoch/sequence', (t) => {
  const one = [{ value: 'v', timestamp: TS }];
  const expected = rawBatch({ lastOffsetDelta: 0, baseTimestamp: TS, maxTimestamp: TS, count: 1, payload: expectedPayload(one) });
  t.is(encodeRecordBatch({ records: one }).toString('hex'), expected.toString('hex'));
});

test('attribute bits: LogAppendTime, transactional, and the codec id', async (t) => {
  const one = [{ value: 'v', timestamp: TS }];
  const attributes = (input: Omit<RecordBatchInput, 'records'>): number => encodeRecordBatch({ records: one, ...input }).readInt16BE(21);
  t.is(attributes({ timestampType: 'LogAppendTime' }), 0x08);
  t.is(attributes({ timestampType: 'CreateTime' }), 0);
  t.is(attributes({ transactional: true }), 0x10);
  t.is(attributes({ transactional: false }), 0);
  t.is(attributes({ transactional: true, timestampType: 'LogAppendTime', compression: 1 }), 0x19);
  t.is(attributes({ compression: 0 }), 0);
  for (const id of [1, 2, 3] as const) t.is(attributes({ compression: id }), id);
  t.is((await encodeRecordBatchAsync({ records: one, compression: 4 })).readInt16BE(21), 4);
});

test('a compressed batch: header as documented, payload the compressed records, CRC over the result', async (t) => {
  const input: RecordBatchInput = { records, compression: 1, producerId: 5n, producerEpoch: 1, baseSequence: 7, transactional: true };
  for (const actual of [encodeRecordBatch(input), await encodeRecordBatchAsync(input)]) {
    const payload = actual.subarray(61);
    t.true(gunzipSync(payload).equals(expectedPayload(records)));
    const expected = rawBatch({
      attributes: 0x11,
      lastOffsetDelta: records.length - 1,
      baseTimestamp: TS + 5,
      maxTimestamp: TS + 9,
      producerId: 5n,
      producerEpoch: 1,
      baseSequence: 7,
      count: records.length,
      payload,
    });
    t.is(actual.toString('hex'), expected.toString('hex'));
  }
  // The async encoder writes uncompressed batches exactly like the sync one.
  t.is((await encodeRecordBatchAsync({ records })).toString('hex'), encodeRecordBatch({ records }).toString('hex'));
});

test('records without a timestamp all get one encoding time', (t) => {
  const before = Date.now();
  const batch = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b', timestamp: before - 10 }, { value: 'c' }] });
  const base = Number(batch.readBigInt64BE(27));
  t.true(base >= before && base <= Date.now());
  t.is(Number(batch.readBigInt64BE(35)), base);
  const expected = expectedPayload([
    { value: 'a', timestamp: base },
    { value: 'b', timestamp: before - 10 },
    { value: 'c', timestamp: base },
  ]);
  t.is(batch.subarray(61).toString('hex'), expected.toString('hex'));
});

test('field limits: each int range is inclusive at both ends', (t) => {
  const one = [{ value: 'v', timestamp: TS }];
  const ok = (input: Omit<RecordBatchInput, 'records'>): Buffer => encodeRecordBatch({ records: one, ...input });
  t.is(ok({ partitionLeaderEpoch: -(2 ** 31) }).readInt32BE(12), -(2 ** 31));
  t.is(ok({ partitionLeaderEpoch: 2 ** 31 - 1 }).readInt32BE(12), 2 ** 31 - 1);
  t.is(ok({ producerEpoch: -32768 }).readInt16BE(51), -32768);
  t.is(ok({ producerEpoch: 32767 }).readInt16BE(51), 32767);
  t.is(ok({ baseSequence: -(2 ** 31) }).readInt32BE(53), -(2 ** 31));
  t.is(ok({ baseSequence: 2 ** 31 - 1 }).readInt32BE(53), 2 ** 31 - 1);
  t.is(ok({ baseOffset: -(2n ** 63n) }).readBigInt64BE(0), -(2n ** 63n));
  t.is(ok({ producerId: 2n ** 63n - 1n }).readBigInt64BE(43), 2n ** 63n - 1n);
  const range = (what: string, value: number, min: number, max: number): string => `${what} ${value} is outside ${min}..${max}`;
  fail(t, { records: one, partitionLeaderEpoch: 2 ** 31 }, range('partitionLeaderEpoch', 2 ** 31, -(2 ** 31), 2 ** 31 - 1));
  fail(t, { records: one, partitionLeaderEpoch: -(2 ** 31) - 1 }, range('partitionLeaderEpoch', -(2 ** 31) - 1, -(2 ** 31), 2 ** 31 - 1));
  fail(t, { records: one, producerEpoch: 32768 }, range('producerEpoch', 32768, -32768, 32767));
  fail(t, { records: one, producerEpoch: -32769 }, range('producerEpoch', -32769, -32768, 32767));
  fail(t, { records: one, producerEpoch: 1.5 }, range('producerEpoch', 1.5, -32768, 32767));
  fail(t, { records: one, baseSequence: -(2 ** 31) - 1 }, range('baseSequence', -(2 ** 31) - 1, -(2 ** 31), 2 ** 31 - 1));
  fail(t, { records: one, baseOffset: 2n ** 63n }, 'baseOffset must be an int64 bigint');
  fail(t, { records: one, baseOffset: -(2n ** 63n) - 1n }, 'baseOffset must be an int64 bigint');
  fail(t, { records: one, baseOffset: 5 as unknown as bigint }, 'baseOffset must be an int64 bigint');
  fail(t, { records: one, producerId: -(2n ** 63n) - 1n }, 'producerId must be an int64 bigint');
});

test('record errors name the record, the field and the problem', (t) => {
  fail(t, { records: [] }, 'a record batch needs at least one record');
  fail(t, { records: [{ value: 'a', timestamp: TS }, { value: 'b', timestamp: Number.NaN }] }, 'record 1: timestamp NaN is not an integer number of milliseconds');
  fail(t, { records: [{ value: 'a', timestamp: 2 ** 53 }] }, `record 0: timestamp ${2 ** 53} is not an integer number of milliseconds`);
  fail(t, { records: [{ key: 5 as unknown as string, value: 'a', timestamp: TS }] }, 'record 0: key must be a Buffer, a string or null, not number');
  fail(t, { records: [{ value: 'a', timestamp: TS }, { value: {} as unknown as string, timestamp: TS }] }, 'record 1: value must be a Buffer, a string or null, not object');
  fail(t, { records: [{ value: 'a', timestamp: TS, headers: [['k', 'v'], ['k2', true as unknown as string]] }] }, 'record 0: header 1 value must be a Buffer, a string or null, not boolean');
  fail(t, { records: [{ value: 'a', timestamp: TS, headers: [['k', 'v'], [null as unknown as string, 'v']] }] }, 'record 0: header 1 key must be a string');
  // Timestamps may be up to 2^52 - 1 ms from the first one, in either direction.
  const far = 2 ** 52 - 1;
  t.is(encodeRecordBatch({ records: [{ value: 'a', timestamp: 0 }, { value: 'b', timestamp: far }] }).readBigInt64BE(35), BigInt(far));
  t.is(encodeRecordBatch({ records: [{ value: 'a', timestamp: far }, { value: 'b', timestamp: 0 }] }).readBigInt64BE(35), BigInt(far));
  fail(t, { records: [{ value: 'a', timestamp: 0 }, { value: 'b', timestamp: far + 1 }] }, `record 1: timestamp ${far + 1} is too far from the batch's first timestamp 0`);
  fail(t, { records: [{ value: 'a', timestamp: far + 1 }, { value: 'b', timestamp: 0 }] }, `record 1: timestamp 0 is too far from the batch's first timestamp ${far + 1}`);
});

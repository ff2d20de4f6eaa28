import test from 'ava';
import fc from 'fast-check';
import { RecordBatchCorruptError } from '../../../../protocol/records/errors.js';
import {
  RecordCursor,
  readInt64AsNumber,
  varintSize,
  varlongSize,
  writeInt64FromNumber,
  writeVarint,
  writeVarlong,
} from '../../../../protocol/records/varint.js';
import { hex } from './batch-bytes.js';

// Zigzag: 0->0, -1->1, 1->2, -2->3 ..., then base-128 little-endian groups.
const known: [number, string][] = [
  [0, '00'],
  [-1, '01'],
  [1, '02'],
  [63, '7e'],
  [-64, '7f'],
  [64, '8001'],
  [-65, '8101'],
  [300, 'd804'],
  [2147483647, 'feffffff0f'],
  [-2147483648, 'ffffffff0f'],
];

for (const [value, bytes] of known) {
  test(`varint ${value} is ${bytes}`, (t) => {
    const buf = Buffer.alloc(10);
    const end = writeVarint(buf, 0, value);
    t.is(buf.subarray(0, end).toString('hex'), bytes);
    t.is(varintSize(value), bytes.length / 2);
    t.is(new RecordCursor(hex(bytes), 0, bytes.length / 2).varint(), value);
  });
}

test('varlong of large values matches the 64-bit zigzag encoding', (t) => {
  const buf = Buffer.alloc(12);
  // 2^40 -> zigzag 2^41 = groups of 7 bits: 41 bits -> 6 bytes.
  const end = writeVarlong(buf, 0, 2 ** 40);
  t.is(buf.subarray(0, end).toString('hex'), '808080808040');
  t.is(new RecordCursor(buf, 0, end).varlong(), 2 ** 40);
  // -(2^40)-1 -> zigzag 2^41 + 1.
  const endNeg = writeVarlong(buf, 0, -(2 ** 40) - 1);
  t.is(buf.subarray(0, endNeg).toString('hex'), '818080808040');
});

test('varint and varlong round trip and sizes agree with writes', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
      const buf = Buffer.alloc(10);
      const end = writeVarint(buf, 0, v);
      const cur = new RecordCursor(buf, 0, end);
      return end === varintSize(v) && cur.varint() === v && cur.pos === end;
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 - 1 }), (v) => {
      const buf = Buffer.alloc(12);
      const end = writeVarlong(buf, 0, v);
      const cur = new RecordCursor(buf, 0, end);
      return end === varlongSize(v) && cur.varlong() === v && cur.pos === end;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('reads past the end, over-long varints and unsafe varlongs are typed errors', (t) => {
  t.throws(() => new RecordCursor(hex('80'), 0, 1).varint(), { instanceOf: RecordBatchCorruptError });
  t.throws(() => new RecordCursor(hex(''), 0, 0).varint(), { instanceOf: RecordBatchCorruptError });
  t.throws(() => new RecordCursor(hex('8080808080'), 0, 5).varint(), { instanceOf: RecordBatchCorruptError });
  t.throws(() => new RecordCursor(hex('ffffffffffffffffffff01'), 0, 11).varlong(), { instanceOf: RecordBatchCorruptError });
  // 2^52 zigzags to 2^53, the first value past the safe range: refused rather than rounded.
  const edge = Buffer.alloc(12);
  t.throws(() => new RecordCursor(edge, 0, writeVarlong(edge, 0, 2 ** 52)).varlong(), { instanceOf: RecordBatchCorruptError });
  // 2^54 zigzagged is beyond 2^53: refused rather than rounded.
  t.throws(() => new RecordCursor(hex('80808080808080808001'), 0, 10).varlong(), { instanceOf: RecordBatchCorruptError });
  // The end bound applies even when the buffer has more bytes.
  t.throws(() => new RecordCursor(hex('8001'), 0, 1).varint(), { instanceOf: RecordBatchCorruptError });
});

test('int64 timestamps as numbers', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (v) => {
      const buf = Buffer.alloc(8);
      writeInt64FromNumber(buf, 0, v);
      return buf.readBigInt64BE(0) === BigInt(v) && readInt64AsNumber(buf, 0) === v;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

import test from 'ava';
import fc from 'fast-check';
import { encodeRecordBatch } from '../../../../protocol/records/record-batch-encode.js';
import {
  MAX_RECORD_TIMESTAMP,
  RECORD_BATCH_OVERHEAD,
  checkRecordTimestamp,
  recordSizeInBatch,
  type ProducerRecord,
} from '../../../../machines/producer/record-size.js';
import { InvalidProducerRecordError } from '../../../../machines/producer/errors.js';

const bytes = fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { nil: null });
const record: fc.Arbitrary<ProducerRecord> = fc.record({
  key: bytes,
  value: bytes,
  headers: fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 20 }), bytes), { maxLength: 4 }),
  timestamp: fc.integer({ min: 0, max: MAX_RECORD_TIMESTAMP }),
});

test('measured sizes add up to the encoded batch length, byte for byte', (t) => {
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 200 }), (records) => {
      const base = records[0]!.timestamp;
      let size = RECORD_BATCH_OVERHEAD;
      records.forEach((r, i) => (size += recordSizeInBatch(r, i, r.timestamp - base)));
      return size === encodeRecordBatch({ records }).length;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a record of 100 value bytes, no key, no headers takes 109 bytes as the first of a batch', (t) => {
  // Body: attributes (1) + deltas (1 + 1) + key -1 (1) + value length (zigzag 200: 2) + value (100)
  // + header count (1) = 107, and its length varint (zigzag 214) takes 2 more.
  const r: ProducerRecord = { key: null, value: Buffer.alloc(100), headers: [], timestamp: 1 };
  t.is(recordSizeInBatch(r, 0, 0), 2 + 1 + 1 + 1 + 1 + 2 + 100 + 1);
  t.is(RECORD_BATCH_OVERHEAD + recordSizeInBatch(r, 0, 0), encodeRecordBatch({ records: [r] }).length);
});

test('malformed records are refused with INVALID_RECORD naming the field', (t) => {
  const good: ProducerRecord = { key: null, value: null, headers: [], timestamp: 0 };
  const cases: [unknown, RegExp][] = [
    [{ ...good, key: 'text' }, /record key must be a Buffer or null, not string/],
    [{ ...good, value: undefined }, /record value must be a Buffer or null, not undefined/],
    [{ ...good, headers: {} }, /headers must be an array/],
    [{ ...good, headers: [[1, null]] }, /header 0 must be a \[string, Buffer \| null\] pair/],
    [{ ...good, headers: [['h', 5]] }, /header 0 \("h"\) value must be a Buffer or null/],
    [null, /must be an object, not null/],
  ];
  for (const [bad, message] of cases) {
    const err = t.throws(() => recordSizeInBatch(bad as ProducerRecord, 0, 0), { instanceOf: InvalidProducerRecordError, message });
    t.is(err.code, 'INVALID_RECORD');
  }
});

test('timestamps must be integers in 0..2^52-1', (t) => {
  t.is(checkRecordTimestamp(0), 0);
  t.is(checkRecordTimestamp(MAX_RECORD_TIMESTAMP), MAX_RECORD_TIMESTAMP);
  for (const bad of [-1, 1.5, MAX_RECORD_TIMESTAMP + 1, Number.NaN, '5', undefined]) {
    t.throws(() => checkRecordTimestamp(bad), { instanceOf: InvalidProducerRecordError, message: /timestamp must be an integer/ });
  }
});

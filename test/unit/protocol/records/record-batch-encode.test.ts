import test from 'ava';
import { CompressionNeedsAsyncError, InvalidRecordError, UnsupportedCompressionError } from '../../../../protocol/records/errors.js';
import { encodeRecordBatch } from '../../../../protocol/records/record-batch-encode.js';
import { decodeRecordBatches } from '../../../../protocol/records/record-batch-decode.js';
import { zstdCodec } from '../../../../protocol/records/compression/zstd.js';
import type { RecordBatchInput } from '../../../../protocol/records/record-types.js';

const TS = 1_700_000_000_000;

test('bad input is an InvalidRecordError naming the problem', (t) => {
  const cases: [RecordBatchInput, RegExp][] = [
    [{ records: [] }, /at least one record/],
    [{ records: [{ value: 'a', timestamp: 1.5 }] }, /record 0: timestamp 1.5/],
    [{ records: [{ value: 'a', timestamp: TS }, { value: 'b', timestamp: TS + 2 ** 53 }] }, /record 1: timestamp/],
    [{ records: [{ value: 42 as unknown as string }] }, /record 0: value must be a Buffer, a string or null/],
    [{ records: [{ value: 'a', headers: [[7 as unknown as string, null]] }] }, /header 0 key must be a string/],
    [{ records: [{ value: 'a' }], producerEpoch: 40000 }, /producerEpoch 40000/],
    [{ records: [{ value: 'a' }], baseSequence: 2 ** 31 }, /baseSequence/],
    [{ records: [{ value: 'a' }], producerId: 2n ** 63n }, /producerId/],
  ];
  for (const [input, message] of cases) {
    const err = t.throws(() => encodeRecordBatch(input), { instanceOf: InvalidRecordError });
    t.regex(err?.message ?? '', message);
    t.is(err?.code, 'INVALID_RECORD');
  }
  t.throws(() => encodeRecordBatch({ records: [{ value: 'a' }], compression: 6 as never }), { instanceOf: UnsupportedCompressionError });
});

test('records without a timestamp get the encoding time; strings are UTF-8', (t) => {
  const before = Date.now();
  const bytes = encodeRecordBatch({ records: [{ key: 'ключ', value: '€ and ascii' }, { value: 'x'.repeat(100) + 'é' }] });
  const [a, b] = decodeRecordBatches(bytes).batches[0]!.records;
  t.true(a!.timestamp >= before && a!.timestamp <= Date.now());
  t.is(a!.key!.toString(), 'ключ');
  t.is(a!.value!.toString(), '€ and ascii');
  t.is(b!.value!.toString(), 'x'.repeat(100) + 'é');
});

test('the tape grows for batches with many headers', (t) => {
  const headers = Array.from({ length: 50 }, (_, i) => [`h${i}`, `v${i}`] as const);
  const records = Array.from({ length: 200 }, (_, i) => ({ value: `r${i}`, headers, timestamp: TS }));
  const decoded = decodeRecordBatches(encodeRecordBatch({ records })).batches[0]!.records;
  t.is(decoded.length, 200);
  t.deepEqual(decoded[199]!.headers.map(([k, v]) => `${k}=${v!.toString()}`), headers.map(([k, v]) => `${k}=${v}`));
});

test('sync encode with zstd reports when only the async implementation exists', (t) => {
  if (zstdCodec.compressSync === undefined) {
    t.throws(() => encodeRecordBatch({ records: [{ value: 'a' }], compression: 4 }), { instanceOf: CompressionNeedsAsyncError });
  } else {
    t.is(decodeRecordBatches(encodeRecordBatch({ records: [{ value: 'a' }], compression: 4 })).batches[0]!.compression, 4);
  }
});

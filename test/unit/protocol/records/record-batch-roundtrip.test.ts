import test from 'ava';
import fc from 'fast-check';
import { encodeRecordBatchAsync } from '../../../../protocol/records/record-batch-encode.js';
import { decodeRecordBatchesAsync } from '../../../../protocol/records/record-batch-decode.js';
import { CompressionCodec, type CompressionCodecId, type RecordInput } from '../../../../protocol/records/record-types.js';

const bytesOrString = fc.oneof(
  fc.constant(null),
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const record: fc.Arbitrary<RecordInput> = fc.record({
  key: bytesOrString,
  value: bytesOrString,
  headers: fc.array(fc.tuple(fc.oneof(fc.constantFrom('a', 'trace', 'ключ'), fc.string({ maxLength: 30 })), bytesOrString), {
    maxLength: 4,
  }),
  timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
});

const batchInput = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 25 }),
  baseOffset: fc.bigInt({ min: 0n, max: 2n ** 62n }),
  producerId: fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  transactional: fc.boolean(),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
});

function asBytes(v: Buffer | string | null | undefined): number[] | null {
  if (v === null || v === undefined) return null;
  return [...(typeof v === 'string' ? Buffer.from(v, 'utf8') : v)];
}

const codecs: [string, CompressionCodecId][] = Object.entries(CompressionCodec);

for (const [name, compression] of codecs) {
  test(`round trip through the encoder and decoder: ${name}`, async (t) => {
    await fc.assert(
      fc.asyncProperty(batchInput, async (input) => {
        const bytes = await encodeRecordBatchAsync({ ...input, compression });
        const { batches, truncatedBytes } = await decodeRecordBatchesAsync(bytes);
        t.is(truncatedBytes, 0);
        t.is(batches.length, 1);
        const b = batches[0]!;
        t.is(b.compression, compression);
        t.is(b.baseOffset, input.baseOffset);
        t.is(b.lastOffset, input.baseOffset + BigInt(input.records.length - 1));
        t.is(b.producerId, input.producerId);
        t.is(b.producerEpoch, input.producerEpoch);
        t.is(b.baseSequence, input.baseSequence);
        t.is(b.isTransactional, input.transactional);
        t.is(b.partitionLeaderEpoch, input.partitionLeaderEpoch);
        t.is(b.maxTimestamp, Math.max(...input.records.map((r) => r.timestamp!)));
        t.deepEqual(
          b.records.map((r) => ({
            offset: r.offset,
            timestamp: r.timestamp,
            key: asBytes(r.key),
            value: asBytes(r.value),
            headers: r.headers.map(([k, v]) => [k, asBytes(v)]),
          })),
          input.records.map((r, i) => ({
            offset: input.baseOffset + BigInt(i),
            timestamp: r.timestamp,
            key: asBytes(r.key),
            value: asBytes(r.value),
            headers: (r.headers ?? []).map(([k, v]) => [k, asBytes(v)]),
          })),
        );
      }),
      { numRuns: 150 },
    );
  });
}

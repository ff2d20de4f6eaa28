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

test('compressed batches encoded one after another keep their own records (the records buffer is reused between encodes)', async (t) => {
  const valuesOf = (seed: number, n: number, size: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.alloc(size, (seed * 31 + i) & 0xff));
  for (const compression of [CompressionCodec.gzip, CompressionCodec.snappy, CompressionCodec.lz4, CompressionCodec.zstd] as const) {
    // Same sizes, different bytes; the last one above the reused buffer's 1 MiB cap.
    const shapes = [
      [1, 50, 1000],
      [2, 50, 1000],
      [3, 3, 5],
      [4, 1200, 1000],
    ] as const;
    const encoded = [];
    for (const [seed, n, size] of shapes) {
      const records: RecordInput[] = valuesOf(seed, n, size).map((value) => ({ key: null, value, timestamp: 1 }));
      encoded.push({ values: records.map((r) => r.value as Buffer), bytes: await encodeRecordBatchAsync({ records, compression }) });
    }
    for (const { values, bytes } of encoded) {
      const [batch] = (await decodeRecordBatchesAsync(bytes)).batches;
      t.deepEqual(
        batch!.records.map((r) => Buffer.from(r.value!).toString('hex')),
        values.map((v) => v.toString('hex')),
        `codec ${compression}`,
      );
    }
  }
});

/**
 * Random and mutated inputs into the decoder: the only acceptable outcomes are a result or a
 * RecordFormatError (never a RangeError, TypeError or a hang). 120k cases in total.
 */
import test from 'ava';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { RecordFormatError } from '../../../../protocol/records/errors.js';
import { encodeRecordBatch, encodeRecordBatchAsync } from '../../../../protocol/records/record-batch-encode.js';
import { decodeRecordBatches, decodeRecordBatchesAsync } from '../../../../protocol/records/record-batch-decode.js';
import type { DecodeOptions } from '../../../../protocol/records/record-types.js';
import { rawLegacyEntry } from './batch-bytes.js';

const options: DecodeOptions = { maxDecompressedBytes: 256 * 1024, verifyCrc: false };

function decodesOrTypedError(buf: Buffer, opts: DecodeOptions): boolean {
  try {
    decodeRecordBatches(buf, opts);
    return true;
  } catch (err) {
    if (err instanceof RecordFormatError) return true;
    throw err;
  }
}

const sample = [
  { key: 'key-1', value: 'value one', headers: [['h', Buffer.from([1, 2, 3])] as const], timestamp: 1_700_000_000_000 },
  { key: null, value: Buffer.alloc(40, 7), timestamp: 1_700_000_000_100 },
  { key: 'k3', value: null, headers: [['a', null] as const, ['a', 'x'] as const], timestamp: 1_699_000_000_000 },
];

const seeds: Buffer[] = [
  encodeRecordBatch({ records: sample }),
  encodeRecordBatch({ records: sample, compression: 1 }),
  encodeRecordBatch({ records: sample, compression: 2 }),
  encodeRecordBatch({ records: sample, compression: 3 }),
  rawLegacyEntry({ offset: 3n, magic: 1, timestamp: 5, key: null, value: Buffer.from('legacy') }),
  rawLegacyEntry({
    offset: 3n,
    magic: 1,
    attributes: 1,
    timestamp: 5,
    key: null,
    value: gzipSync(rawLegacyEntry({ offset: 0n, magic: 1, timestamp: 5, key: null, value: Buffer.from('in') })),
  }),
];

const mutation = fc.record({
  seed: fc.nat({ max: seeds.length - 1 }),
  edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
});

test('mutated batches (every codec, legacy too) give a result or a typed error', (t) => {
  fc.assert(
    fc.property(mutation, ({ seed, edits, cut }) => {
      const buf = Buffer.from(seeds[seed]!);
      for (const [pos, byte] of edits) buf[pos % buf.length] = byte;
      const input = cut === undefined ? buf : buf.subarray(0, cut % (buf.length + 1));
      return decodesOrTypedError(input, options) && decodesOrTypedError(input, { ...options, verifyCrc: true });
    }),
    { numRuns: 60_000 },
  );
  t.pass();
});

test('mutations aimed at the record area (past the batch header) give a result or a typed error', (t) => {
  const plain = seeds[0]!;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: plain.length - 62 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (edits) => {
      const buf = Buffer.from(plain);
      for (const [pos, byte] of edits) buf[61 + pos] = byte;
      return decodesOrTypedError(buf, options);
    }),
    { numRuns: 30_000 },
  );
  t.pass();
});

test('random bytes, with and without a plausible batch prefix, give a result or a typed error', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.integer({ min: 0, max: 2 }), (bytes, prefix, magic) => {
      const buf = Buffer.from(bytes);
      if (prefix && buf.length >= 17) {
        buf.writeInt32BE(buf.length - 12, 8);
        buf[16] = magic;
      }
      return decodesOrTypedError(buf, options);
    }),
    { numRuns: 30_000 },
  );
  t.pass();
});

test('mutated zstd batches through the async decoder give a result or a typed error', async (t) => {
  const zstd = await encodeRecordBatchAsync({ records: sample, compression: 4 });
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), async (edits) => {
      const buf = Buffer.from(zstd);
      for (const [pos, byte] of edits) buf[61 + (pos % (buf.length - 61))] = byte;
      try {
        await decodeRecordBatchesAsync(buf, options);
      } catch (err) {
        if (!(err instanceof RecordFormatError)) throw err;
      }
      return true;
    }),
    { numRuns: 2_000 },
  );
  t.pass();
});

/**
 * The LZ4 frame writers (liblz4 addon and lz4-napi fallback): the exact frame layout (header,
 * 64 KiB blocks, stored blocks for data that does not shrink, end mark), read back by the
 * reference decoder and by ours.
 */
import test from 'ava';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { compressLz4FrameLz4Napi, liblz4FrameCompressor } from '../../../../../protocol/records/compression/lz4-frame-encoder.js';
import { decompressLz4Frames } from '../../../../../protocol/records/compression/lz4-frame-decoder.js';
import { lz4Addon } from '../../../../../protocol/records/compression/lz4-native.js';
import { compressionCodec } from '../../../../../protocol/records/compression/registry.js';
import { UnsupportedCompressionError } from '../../../../../protocol/records/errors.js';

const lz4 = createRequire(import.meta.url)('lz4-napi') as { decompressFrameSync(b: Buffer): Buffer };
const HEADER = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82];

/** The block size words of a frame written by compressLz4Frame (no checksums, no content size). */
function blockWords(frame: Buffer): number[] {
  const words: number[] = [];
  let pos = HEADER.length;
  for (;;) {
    const word = frame.readUInt32LE(pos);
    words.push(word);
    pos += 4;
    if (word === 0) break;
    pos += word & 0x7fffffff;
  }
  if (pos !== frame.length) throw new Error(`frame has ${frame.length - pos} bytes after the end mark`);
  return words;
}

// Both writers where the addon is built; the lz4-napi one alone elsewhere.
const writers: [string, (data: Buffer, headroom?: number) => Buffer][] = [['lz4-napi', compressLz4FrameLz4Napi]];
if (lz4Addon !== undefined) writers.push(['liblz4', liblz4FrameCompressor(lz4Addon)]);

for (const [name, compressLz4Frame] of writers) {
  test(`${name}: an empty input is the header and the end mark only`, (t) => {
    t.deepEqual([...compressLz4Frame(Buffer.alloc(0))], [...HEADER, 0, 0, 0, 0]);
    t.is(lz4.decompressFrameSync(compressLz4Frame(Buffer.alloc(0))).length, 0);
  });

  test(`${name}: data that does not shrink is stored in 64 KiB blocks`, (t) => {
    const data = randomBytes(100_000);
    const frame = compressLz4Frame(data);
    t.deepEqual([...frame.subarray(0, 7)], HEADER);
    t.deepEqual(blockWords(frame), [(0x80000000 | 65536) >>> 0, (0x80000000 | 34464) >>> 0, 0]);
    t.true(frame.subarray(11, 11 + 65536).equals(data.subarray(0, 65536)));
    t.true(lz4.decompressFrameSync(frame).equals(data));
    t.true(decompressLz4Frames(frame, data.length).equals(data));
    // Exactly one block's worth makes exactly one block.
    t.deepEqual(blockWords(compressLz4Frame(data.subarray(0, 65536))), [(0x80000000 | 65536) >>> 0, 0]);
  });

  test(`${name}: compressible data is written as compressed blocks the reference decoder reads`, (t) => {
    const data = Buffer.from('kafka record batch '.repeat(10_000));
    const frame = compressLz4Frame(data);
    const words = blockWords(frame);
    t.is(words.length, Math.ceil(data.length / 65536) + 1);
    for (const word of words.slice(0, -1)) t.true(word < 0x80000000 && word < 65536, `compressed block word ${word}`);
    t.true(frame.length < data.length / 10);
    t.true(lz4.decompressFrameSync(frame).equals(data));
    t.true(decompressLz4Frames(frame, data.length).equals(data));
  });
}

for (const [name, compressLz4Frame] of writers) {
  test(`${name}: with headroom the same frame follows that many bytes the caller fills`, (t) => {
    for (const data of [Buffer.alloc(0), randomBytes(70_000), Buffer.alloc(200_000, 'kafka ')]) {
      const plain = compressLz4Frame(data);
      const after = compressLz4Frame(data, 61);
      t.is(after.length, 61 + plain.length);
      t.true(after.subarray(61).equals(plain));
    }
  });
}

test('the batch encoder writes its header into the LZ4 headroom: the batch decodes and equals one built by copying', async (t) => {
  const { encodeRecordBatch } = await import('../../../../../protocol/records/record-batch-encode.js');
  const { decodeRecordBatches } = await import('../../../../../protocol/records/record-batch-decode.js');
  const records = Array.from({ length: 300 }, (_, i) => ({ key: null, value: Buffer.alloc(500, `v${i} `), timestamp: 5 }));
  const batch = encodeRecordBatch({ records, compression: 3 });
  const [decoded] = decodeRecordBatches(batch).batches;
  t.is(decoded!.records.length, 300);
  t.is(Buffer.from(decoded!.records[299]!.value!).toString('latin1', 0, 6), 'v299 v');
  // The compressed payload after the 61-byte header is exactly the codec's frame.
  t.true(batch.subarray(61).equals(compressionCodec(3).compressSync!(Buffer.from(recordsBody(batch)))));
});

/** The uncompressed records of an LZ4 batch, read back with the reference decoder. */
function recordsBody(batch: Buffer): Buffer {
  return lz4.decompressFrameSync(batch.subarray(61));
}

test('the registry maps codec ids 1-4 to their codecs and refuses the rest', (t) => {
  t.deepEqual([1, 2, 3, 4].map((id) => compressionCodec(id).name), ['gzip', 'snappy', 'lz4', 'zstd']);
  t.deepEqual([1, 2, 3, 4].map((id) => compressionCodec(id).id), [1, 2, 3, 4]);
  for (const id of [0, 5, 7, -1, 1.5, Number.NaN]) {
    t.throws(() => compressionCodec(id), { instanceOf: UnsupportedCompressionError, message: `unsupported compression codec id ${id}` });
  }
});

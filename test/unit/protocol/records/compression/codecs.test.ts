import test from 'ava';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { DecompressedTooLargeError, DecompressionFailedError, UnsupportedCompressionError } from '../../../../../protocol/records/errors.js';
import { compressionCodec } from '../../../../../protocol/records/compression/registry.js';
import { decompressLz4Frames } from '../../../../../protocol/records/compression/lz4-frame-decoder.js';
import { zstdDecompressedBound } from '../../../../../protocol/records/compression/zstd-frame-bound.js';

const require = createRequire(import.meta.url);
const lz4 = require('lz4-napi') as { compressFrameSync(b: Buffer, o?: object): Buffer; decompressFrameSync(b: Buffer): Buffer };
const snappy = require('snappy') as { compressSync(b: Buffer): Buffer };
const mongoZstd = require('@mongodb-js/zstd') as { compress(b: Buffer, level?: number): Promise<Buffer> };

/** Data with runs, repeats and noise, so every LZ4 sequence kind occurs. */
const compressible = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 50 }).map((a) => Buffer.from(a)),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 5000 })).map(([b, n]) => Buffer.alloc(n, b)),
      fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 300 })).map(([s, n]) => Buffer.from(s.repeat(n))),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.concat(parts));

test('our LZ4 frame decoder agrees with the reference on compressor output', (t) => {
  fc.assert(
    fc.property(compressible, (data) => decompressLz4Frames(lz4.compressFrameSync(data), 1 << 30).equals(data)),
    { numRuns: 400 },
  );
  const big = Buffer.alloc(1_000_000);
  for (let i = 0; i < big.length; i++) big[i] = (i % 1000 < 500 ? i % 7 : (i * 2654435761) >>> 27) & 0xff;
  t.true(decompressLz4Frames(lz4.compressFrameSync(big), 1 << 30).equals(big));
});

test('LZ4 frames with stored blocks, block checksums and content size are read', (t) => {
  // FLG 0x78: version 01, independent, block checksum, content size; BD 0x40 (64 KiB); HC 0x00 (not checked).
  const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x78, 0x40, 5, 0, 0, 0, 0, 0, 0, 0, 0x00]);
  const stored = Buffer.from([5, 0, 0, 0x80, ...Buffer.from('hello'), 0xde, 0xad, 0xbe, 0xef]);
  const frame = Buffer.concat([header, stored, Buffer.alloc(4)]);
  t.is(decompressLz4Frames(frame, 100).toString(), 'hello');
  // Two frames back to back.
  const two = Buffer.concat([lz4.compressFrameSync(Buffer.from('ab')), lz4.compressFrameSync(Buffer.from('cd'))]);
  t.is(decompressLz4Frames(two, 100).toString(), 'abcd');
});

test('LZ4 garbage and truncation are DecompressionFailedError', (t) => {
  const frame = lz4.compressFrameSync(Buffer.from('x'.repeat(1000) + 'yz'.repeat(300)));
  for (let cut = 0; cut < frame.length; cut++) {
    t.throws(() => decompressLz4Frames(frame.subarray(0, cut), 1 << 20), { instanceOf: DecompressionFailedError }, `cut ${cut}`);
  }
  // A match offset reaching before the start of the output.
  const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
  const block = Buffer.from([0x10, 0x61, 0x09, 0x00]); // 1 literal 'a', then offset 9
  const bad = Buffer.concat([header, Buffer.from([block.length, 0, 0, 0]), block, Buffer.alloc(4)]);
  t.throws(() => decompressLz4Frames(bad, 100), { instanceOf: DecompressionFailedError });
});

test('decompression bombs are refused by every codec before or while inflating', async (t) => {
  const zeros = Buffer.alloc(8 * 1024 * 1024);
  const limit = 1024 * 1024;
  const payloads: [number, Buffer][] = [
    [1, gzipSync(zeros)],
    [2, snappy.compressSync(zeros)],
    [3, lz4.compressFrameSync(zeros)],
    [4, await mongoZstd.compress(zeros, 3)],
  ];
  for (const [id, payload] of payloads) {
    const codec = compressionCodec(id);
    t.true(payload.length < zeros.length / 20, `${codec.name} payload is small`);
    await t.throwsAsync(codec.decompress(payload, limit), { instanceOf: DecompressedTooLargeError }, codec.name);
    if (codec.decompressSync) t.throws(() => codec.decompressSync!(payload, limit), { instanceOf: DecompressedTooLargeError }, codec.name);
    // Under a limit that fits, the same payload decompresses.
    t.true((await codec.decompress(payload, zeros.length)).equals(zeros), codec.name);
  }
});

test('snappy reads the xerial framing the Java client writes', (t) => {
  const part1 = Buffer.from('first block / '.repeat(20));
  const part2 = Buffer.from('second block');
  const block = (b: Buffer): Buffer => {
    const c = snappy.compressSync(b);
    const len = Buffer.alloc(4);
    len.writeInt32BE(c.length);
    return Buffer.concat([len, c]);
  };
  const header = Buffer.from([0x82, ...Buffer.from('SNAPPY'), 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  const xerial = Buffer.concat([header, block(part1), block(part2)]);
  t.true(compressionCodec(2).decompressSync!(xerial, 1 << 20).equals(Buffer.concat([part1, part2])));
  t.throws(() => compressionCodec(2).decompressSync!(xerial, 100), { instanceOf: DecompressedTooLargeError });
  t.throws(() => compressionCodec(2).decompressSync!(xerial.subarray(0, xerial.length - 3), 1 << 20), {
    instanceOf: DecompressionFailedError,
  });
});

test('zstd bound: frame content size when declared, else a sum over blocks', async (t) => {
  const data = Buffer.from('zstd '.repeat(100_000));
  const withSize = await mongoZstd.compress(data, 3);
  const bound = zstdDecompressedBound(withSize);
  t.true(bound >= data.length && bound <= data.length + 128 * 1024, `bound ${bound}`);
  // A raw-block frame without content size: magic, FHD 0x00, window descriptor, last raw block of 3 bytes.
  const rawFrame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, (3 << 3) | 1, 0, 0, 0x61, 0x62, 0x63]);
  t.is(zstdDecompressedBound(rawFrame), 3);
  t.is((await compressionCodec(4).decompress(rawFrame, 10)).toString(), 'abc');
  t.throws(() => zstdDecompressedBound(rawFrame.subarray(0, 8)), { instanceOf: DecompressionFailedError });
});

test('codec ids outside 1-4 are UnsupportedCompressionError', (t) => {
  for (const id of [0, 5, 6, 7, -1]) t.throws(() => compressionCodec(id), { instanceOf: UnsupportedCompressionError });
});

/** gzip and zstd codecs: round trips, and the errors (with messages and causes) for bad input and the cap. */
import test from 'ava';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { DecompressedTooLargeError, DecompressionFailedError } from '../../../../../protocol/records/errors.js';
import { gzipCodec } from '../../../../../protocol/records/compression/gzip.js';
import { zstdCodec } from '../../../../../protocol/records/compression/zstd.js';

const mongoZstd = createRequire(import.meta.url)('@mongodb-js/zstd') as { compress(b: Buffer, level?: number): Promise<Buffer> };

test('gzip: round trip, exact limit, and the cap error', async (t) => {
  const data = Buffer.from('gzip data '.repeat(100));
  t.true(gzipCodec.decompressSync!(gzipCodec.compressSync!(data), data.length).equals(data));
  t.true((await gzipCodec.decompress(await gzipCodec.compress(data), data.length)).equals(data));
  const packed = gzipSync(data);
  const message = `gzip payload decompresses to more than the limit of ${data.length - 1} bytes`;
  t.throws(() => gzipCodec.decompressSync!(packed, data.length - 1), { instanceOf: DecompressedTooLargeError, message });
  await t.throwsAsync(gzipCodec.decompress(packed, data.length - 1), { instanceOf: DecompressedTooLargeError, message });
  // An empty payload under a zero limit.
  t.is(gzipCodec.decompressSync!(gzipSync(Buffer.alloc(0)), 0).length, 0);
});

test('gzip: bad input is DecompressionFailedError with zlib\'s reason and the error as cause', async (t) => {
  const bad = Buffer.from('not gzip at all');
  const sync = t.throws(() => gzipCodec.decompressSync!(bad, 1000), {
    instanceOf: DecompressionFailedError,
    message: 'gzip payload could not be decompressed: incorrect header check',
  });
  t.is((sync.cause as NodeJS.ErrnoException).code, 'Z_DATA_ERROR');
  const asyncErr = await t.throwsAsync(gzipCodec.decompress(bad, 1000), {
    instanceOf: DecompressionFailedError,
    message: 'gzip payload could not be decompressed: incorrect header check',
  });
  t.is((asyncErr.cause as NodeJS.ErrnoException).code, 'Z_DATA_ERROR');
});

test('zstd: round trip through the async functions', async (t) => {
  const data = Buffer.from('zstd data '.repeat(1000));
  t.true((await zstdCodec.decompress(await zstdCodec.compress(data), 1 << 20)).equals(data));
  t.true((await zstdCodec.decompress(await mongoZstd.compress(data, 3), 1 << 20)).equals(data));
});

test('zstd: the frame bound is checked before decompressing', async (t) => {
  const data = Buffer.from('0123456789');
  const packed = await mongoZstd.compress(data, 3);
  await t.throwsAsync(zstdCodec.decompress(packed, 9), {
    instanceOf: DecompressedTooLargeError,
    message: 'zstd payload would decompress to 10 bytes, over the limit of 9',
  });
  // Bytes that are not a zstd frame are refused by the bound's frame check.
  await t.throwsAsync(zstdCodec.decompress(Buffer.from('not zstd'), 1000), {
    instanceOf: DecompressionFailedError,
    message: 'zstd payload could not be decompressed: bad frame magic 0x20746f6e',
  });
});

test('zstd: a frame that passes the header check but not the decoder fails with the decoder\'s error as cause', async (t) => {
  // Valid frame header (single segment, 8 bytes of content) and a compressed block of garbage.
  const bad = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 8, (4 << 3) | (2 << 1) | 1, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const err = await t.throwsAsync(zstdCodec.decompress(bad, 1000), { instanceOf: DecompressionFailedError });
  t.true(err.cause instanceof Error);
  t.is(err.message, `zstd payload could not be decompressed: ${(err.cause as Error).message}`);
});

/**
 * gzip (codec id 1) through node:zlib. The synchronous calls are used on the hot path (a batch
 * is at most a few MB, and zlib's thread-pool variants cost a round trip each); the async
 * variants are offered for callers that compress large batches off the main thread.
 * `maxOutputLength` makes zlib stop at the cap instead of inflating a bomb.
 */
import { gunzip, gunzipSync, gzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { DecompressedTooLargeError, DecompressionFailedError } from '../errors.js';
import { CompressionCodec } from '../record-types.js';
import type { CompressionCodecImpl } from './codec.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

function translate(err: unknown, maxBytes: number): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') throw new DecompressedTooLargeError('gzip', undefined, maxBytes);
  throw new DecompressionFailedError('gzip', (err as Error).message, { cause: err });
}

export const gzipCodec: CompressionCodecImpl = {
  id: CompressionCodec.gzip,
  name: 'gzip',
  compressSync: (data) => gzipSync(data),
  compress: (data) => gzipAsync(data),
  decompressSync: (data, maxBytes) => {
    try {
      return gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes) });
    } catch (err) {
      return translate(err, maxBytes);
    }
  },
  decompress: async (data, maxBytes) => {
    try {
      return await gunzipAsync(data, { maxOutputLength: Math.max(1, maxBytes) });
    } catch (err) {
      return translate(err, maxBytes);
    }
  },
};

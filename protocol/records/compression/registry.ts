/** Compression codecs by the id that batch attributes carry (bits 0-2). */
import { UnsupportedCompressionError } from '../errors.js';
import type { CompressionCodecImpl } from './codec.js';
import { gzipCodec } from './gzip.js';
import { lz4Codec } from './lz4.js';
import { snappyCodec } from './snappy.js';
import { zstdCodec } from './zstd.js';

const codecs: readonly (CompressionCodecImpl | undefined)[] = [undefined, gzipCodec, snappyCodec, lz4Codec, zstdCodec];

/** The codec for a non-zero codec id; ids 5-7 (and anything else) are unsupported. */
export function compressionCodec(id: number): CompressionCodecImpl {
  // Index 0 (none) holds no codec, and any other id reads undefined.
  const codec = codecs[id];
  if (codec === undefined) throw new UnsupportedCompressionError(id);
  return codec;
}

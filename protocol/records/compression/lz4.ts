/**
 * LZ4 (codec id 3). Kafka requires the LZ4 *frame* format (not raw blocks).
 * Compression: our frame writer (lz4-frame-encoder.ts), independent 64 KiB blocks without
 * checksums, the layout the Java client writes, with the system liblz4 through our addon
 * (lz4-native.ts) or, where that is not built, lz4-napi's block compressor.
 * Decompression: our own frame reader, with the same native block decompressor for independent
 * blocks and a JavaScript one for linked blocks (see lz4-frame-decoder.ts for why).
 */
import { CompressionCodec } from '../record-types.js';
import type { CompressionCodecImpl } from './codec.js';
import { decompressLz4Frames } from './lz4-frame-decoder.js';
import { compressLz4Frame } from './lz4-frame-encoder.js';

const compressSync = (data: Buffer): Buffer => compressLz4Frame(data);

export const lz4Codec: CompressionCodecImpl = {
  id: CompressionCodec.lz4,
  name: 'lz4',
  compressSync,
  compressSyncAfter: compressLz4Frame,
  compress: async (data) => compressSync(data),
  decompressSync: decompressLz4Frames,
  decompress: async (data, maxBytes) => decompressLz4Frames(data, maxBytes),
};

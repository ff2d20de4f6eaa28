/**
 * LZ4 (codec id 3). Kafka requires the LZ4 *frame* format (not raw blocks).
 * Compression: lz4-napi's compressFrameSync, which writes independent blocks with no content
 * size and no checksums (FLG 0x60), a layout the Java client, librdkafka and the broker read.
 * Decompression: our own frame decoder (see lz4-frame-decoder.ts for why).
 */
import { createRequire } from 'node:module';
import { CompressionCodec } from '../record-types.js';
import type { CompressionCodecImpl } from './codec.js';
import { decompressLz4Frames } from './lz4-frame-decoder.js';

interface Lz4Napi {
  compressFrameSync(data: Buffer, options?: { contentChecksum?: boolean; blockChecksums?: boolean }): Buffer;
}

const lz4Napi = createRequire(import.meta.url)('lz4-napi') as Lz4Napi;
const frameOptions = { contentChecksum: false, blockChecksums: false } as const;

function compressSync(data: Buffer): Buffer {
  return lz4Napi.compressFrameSync(data, frameOptions);
}

export const lz4Codec: CompressionCodecImpl = {
  id: CompressionCodec.lz4,
  name: 'lz4',
  compressSync,
  compress: async (data) => compressSync(data),
  decompressSync: decompressLz4Frames,
  decompress: async (data, maxBytes) => decompressLz4Frames(data, maxBytes),
};

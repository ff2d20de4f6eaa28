/**
 * zstd (codec id 4). Node.js 22.15+ ships zstd in node:zlib with synchronous calls and a
 * `maxOutputLength` cap; we use those when present. On older Node.js (the project supports
 * 20) the only installed implementation is @mongodb-js/zstd, which is asynchronous only, so
 * the synchronous members are left undefined there and the async batch functions serve zstd.
 * Either way the decompressed size is bounded from the frame headers before decompressing.
 * Compression level 3, Kafka's default for zstd.
 */
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { DecompressedTooLargeError, DecompressionFailedError } from '../errors.js';
import { CompressionCodec } from '../record-types.js';
import type { CompressionCodecImpl } from './codec.js';
import { zstdDecompressedBound } from './zstd-frame-bound.js';

const LEVEL = 3;

interface NodeZstd {
  zstdCompressSync(data: Buffer, options?: { params?: Record<number, number> }): Buffer;
  zstdDecompressSync(data: Buffer, options?: { maxOutputLength?: number }): Buffer;
  constants: Record<string, number>;
}

interface MongoZstd {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

const nodeZstd: NodeZstd | undefined =
  typeof (zlib as unknown as Partial<NodeZstd>).zstdCompressSync === 'function' ? (zlib as unknown as NodeZstd) : undefined;

let mongoZstd: MongoZstd | undefined;
function mongo(): MongoZstd {
  mongoZstd ??= createRequire(import.meta.url)('@mongodb-js/zstd') as MongoZstd;
  return mongoZstd;
}

function checkBound(data: Buffer, maxBytes: number): void {
  const bound = zstdDecompressedBound(data);
  if (bound > maxBytes) throw new DecompressedTooLargeError('zstd', bound, maxBytes);
}

/** Errors of the zstd library itself (our own bound check runs outside the try blocks). */
function failed(err: unknown): never {
  if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
    throw new DecompressionFailedError('zstd', 'output larger than its frame headers declare', { cause: err });
  }
  throw new DecompressionFailedError('zstd', (err as Error).message, { cause: err });
}

function compressSyncNode(data: Buffer): Buffer {
  const z = nodeZstd!;
  return z.zstdCompressSync(data, { params: { [z.constants.ZSTD_c_compressionLevel!]: LEVEL } });
}

function decompressSyncNode(data: Buffer, maxBytes: number): Buffer {
  checkBound(data, maxBytes);
  try {
    return nodeZstd!.zstdDecompressSync(data, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    return failed(err);
  }
}

async function decompressAsync(data: Buffer, maxBytes: number): Promise<Buffer> {
  if (nodeZstd) return decompressSyncNode(data, maxBytes);
  checkBound(data, maxBytes);
  let out: Buffer;
  try {
    out = await mongo().decompress(data);
  } catch (err) {
    return failed(err);
  }
  if (out.length > maxBytes) throw new DecompressedTooLargeError('zstd', out.length, maxBytes);
  return out;
}

export const zstdCodec: CompressionCodecImpl = {
  id: CompressionCodec.zstd,
  name: 'zstd',
  compressSync: nodeZstd ? compressSyncNode : undefined,
  compress: async (data) => (nodeZstd ? compressSyncNode(data) : mongo().compress(data, LEVEL)),
  decompressSync: nodeZstd ? decompressSyncNode : undefined,
  decompress: decompressAsync,
};

/**
 * What every compression codec offers the batch encoder and decoder.
 *
 * Compression is per batch (never per record), so a promise here is per batch and cheap; but
 * most codecs have fast synchronous implementations, and the uncompressed and synchronous
 * paths stay free of promises. A codec whose only implementation is asynchronous (zstd before
 * Node.js 22.15) leaves the `...Sync` members undefined, and the synchronous batch functions
 * report that with CompressionNeedsAsyncError.
 *
 * `maxBytes` caps the decompressed size. Each codec enforces it from the format's own size
 * information before it allocates (snappy's length preamble, the LZ4 frame's block sizes,
 * zstd's frame header and block headers, zlib's maxOutputLength), so a small payload cannot
 * make the process allocate gigabytes.
 */
import type { CompressionCodecId } from '../record-types.js';

export interface CompressionCodecImpl {
  readonly id: CompressionCodecId;
  readonly name: string;
  readonly compressSync: ((data: Buffer) => Buffer) | undefined;
  /**
   * Optional: compresses like compressSync into a buffer whose first `headroom` bytes are left
   * for the caller (uninitialised), so the batch encoder writes its header in front of the
   * compressed bytes instead of copying them behind it.
   */
  readonly compressSyncAfter?: (data: Buffer, headroom: number) => Buffer;
  readonly compress: (data: Buffer) => Promise<Buffer>;
  readonly decompressSync: ((data: Buffer, maxBytes: number) => Buffer) | undefined;
  readonly decompress: (data: Buffer, maxBytes: number) => Promise<Buffer>;
}

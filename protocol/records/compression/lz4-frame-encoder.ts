/**
 * LZ4 frame writers. The frame is the one Kafka's Java client writes: version 01, independent
 * blocks, no block or content checksums, no content size, 64 KiB maximum block size. A block
 * that does not shrink is stored uncompressed (high bit of its size), as the format allows.
 *
 * Two writers produce that layout:
 * - liblz4 (the addon in lz4-native.ts): one native call writes the whole frame into a buffer
 *   allocated here at the worst-case size. Measured on the codec benchmark's 1 MB batch
 *   (1000 records of 1 KiB), see DESIGN.md "LZ4".
 * - lz4-napi's *block* compressor (lz4_flex), framed here: the fallback where the addon is not
 *   built. On the same batch it takes ~3.9 ms where lz4-napi's own `compressFrameSync` takes ~8.7 ms.
 * `compressLz4Frame` is the first one available.
 */
import { LZ4_BLOCK_SIZE_PREFIX as SIZE_PREFIX, lz4Blocks } from './lz4-block-native.js';
import { lz4Addon, type Lz4Addon } from './lz4-native.js';
import { batchBuffers } from '../buffer-pool.js';
import { ReusableBuffer } from '../reusable-buffer.js';

const BLOCK_SIZE = 64 * 1024;
/**
 * Magic 0x184D2204 (LE), FLG 0x60, BD 0x40, then the header checksum: the second byte of
 * xxHash32(FLG BD), fixed because FLG and BD are.
 */
const FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);

/** The largest frame `data.length` bytes can make: header, a size word per block, every block stored, end mark. */
export function lz4FrameBound(length: number): number {
  return FRAME_HEADER.length + Math.ceil(length / BLOCK_SIZE) * 4 + length + 4;
}

/**
 * The writer on lz4-napi's block compressor. The frame starts at `headroom`; the bytes before
 * it are left for the caller (both writers take it, see CompressionCodecImpl.compressSyncAfter).
 */
export function compressLz4FrameLz4Napi(data: Buffer, headroom = 0): Buffer {
  const parts: Buffer[] = headroom > 0 ? [Buffer.allocUnsafe(headroom), FRAME_HEADER] : [FRAME_HEADER];
  let total = headroom + FRAME_HEADER.length + 4;
  for (let offset = 0; offset < data.length; offset += BLOCK_SIZE) {
    const chunk = data.subarray(offset, Math.min(offset + BLOCK_SIZE, data.length));
    const packed = lz4Blocks().compressSync(chunk);
    const compressedLength = packed.length - SIZE_PREFIX;
    const header = Buffer.allocUnsafe(4);
    if (compressedLength < chunk.length) {
      header.writeUInt32LE(compressedLength);
      parts.push(header, packed.subarray(SIZE_PREFIX));
      total += 4 + compressedLength;
    } else {
      header.writeUInt32LE((chunk.length | 0x80000000) >>> 0);
      parts.push(header, chunk);
      total += 4 + chunk.length;
    }
  }
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts, total);
}

/**
 * Frames up to this size are written into one reused buffer and copied out at their exact
 * length. A fresh worst-case buffer per frame would cost more than the copy: its pages are new
 * to the process each time (on the project's VMs a first touch costs ~4 ms per MB, ~4 times
 * the whole compression of the codec benchmark's 1 MB batch), where the reused one stays mapped.
 */
const SCRATCH_MAX = 4 * 1024 * 1024;

/**
 * Frames up to this size (a producer's batches, 16-64 KiB by default) are written straight
 * into the buffer returned, from the batch pool (buffer-pool.ts): the copy out of the scratch
 * buffer would be pure cost (about 6% of a producer's CPU for 1 KiB records in a --cpu-prof
 * profile), and the unused tail of the worst-case size is small.
 */
const DIRECT_MAX = 256 * 1024;

/** The writer on the liblz4 addon: the whole frame in one native call. */
export function liblz4FrameCompressor(addon: Lz4Addon): (data: Buffer, headroom?: number) => Buffer {
  const frames = new ReusableBuffer(SCRATCH_MAX);
  return (data, headroom = 0) => {
    const bound = lz4FrameBound(data.length);
    const scratch = bound <= DIRECT_MAX ? undefined : frames.take(bound);
    if (scratch === undefined) {
      const out = batchBuffers.take(headroom + bound);
      return out.subarray(0, headroom + addon.compressFrame(data, out.subarray(headroom)));
    }
    const length = addon.compressFrame(data, scratch);
    const out = Buffer.allocUnsafe(headroom + length);
    scratch.copy(out, headroom, 0, length);
    return out;
  };
}

/** Writes the frame of `data` from `headroom` on (default 0: the frame alone). */
export const compressLz4Frame: (data: Buffer, headroom?: number) => Buffer = lz4Addon !== undefined ? liblz4FrameCompressor(lz4Addon) : compressLz4FrameLz4Napi;

/**
 * The most a zstd payload can decompress to, read from its frame and block headers (RFC 8878)
 * without decompressing: the frame's content size when it declares one, else the sum over its
 * blocks (raw and RLE blocks state their size; a compressed block yields at most
 * min(window size, 128 KiB)). Compressors fill blocks before starting the next, so this bound
 * is close to the real size and a legitimate batch is not rejected by it.
 */
import { DecompressionFailedError } from '../errors.js';

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAXIMUM = 128 * 1024;

function fail(detail: string): never {
  throw new DecompressionFailedError('zstd', detail);
}

function u32le(src: Uint8Array, pos: number): number {
  return (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
}

function uintLE(src: Uint8Array, pos: number, bytes: number): number {
  let value = 0;
  for (let i = bytes - 1; i >= 0; i--) value = value * 256 + src[pos + i]!;
  return value;
}

export function zstdDecompressedBound(src: Uint8Array): number {
  let total = 0;
  let pos = 0;
  if (src.length === 0) fail('empty payload holds no frame');
  while (pos < src.length) {
    if (pos + 4 > src.length) fail('truncated frame magic');
    const magic = u32le(src, pos);
    if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      if (pos + 8 > src.length) fail('truncated skippable frame');
      pos += 8 + u32le(src, pos + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) fail(`bad frame magic 0x${magic.toString(16)}`);
    pos += 4;
    if (pos >= src.length) fail('truncated frame header');
    const descriptor = src[pos++]!;
    const fcsFlag = descriptor >>> 6;
    const singleSegment = (descriptor & 0x20) !== 0;
    const checksum = (descriptor & 0x04) !== 0;
    const dictIdBytes = [0, 1, 2, 4][descriptor & 3]!;
    let windowSize = Infinity;
    if (!singleSegment) {
      if (pos >= src.length) fail('truncated window descriptor');
      const wd = src[pos++]!;
      const base = 2 ** (10 + (wd >>> 3));
      windowSize = base + (base / 8) * (wd & 7);
    }
    pos += dictIdBytes;
    const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
    if (pos + fcsBytes > src.length) fail('truncated frame header');
    let contentSize = -1;
    if (fcsBytes > 0) contentSize = uintLE(src, pos, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    pos += fcsBytes;
    if (singleSegment) windowSize = contentSize;
    const compressedMax = Math.min(windowSize, BLOCK_MAXIMUM);
    let frameBound = 0;
    for (;;) {
      if (pos + 3 > src.length) fail('truncated block header');
      const header = src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16);
      pos += 3;
      const last = (header & 1) !== 0;
      const type = (header >>> 1) & 3;
      const size = header >>> 3;
      if (type === 3) fail('reserved block type');
      if (type === 1) {
        frameBound += size;
        pos += 1;
      } else {
        frameBound += type === 0 ? size : compressedMax;
        pos += size;
      }
      if (pos > src.length) fail('block runs past the payload');
      if (last) break;
    }
    pos += checksum ? 4 : 0;
    if (pos > src.length) fail('truncated content checksum');
    total += contentSize >= 0 ? Math.min(contentSize, frameBound) : frameBound;
  }
  return total;
}

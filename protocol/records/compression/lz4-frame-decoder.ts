/**
 * LZ4 frame decoder: the frame and block headers are walked here, the blocks themselves are
 * decompressed natively where the frame declares its blocks independent (the Java client's and
 * our own frames), else by the JavaScript block decoder below. The native block decoder is the
 * liblz4 addon (lz4-native.ts) when it loads, else lz4-napi's block function.
 * - speed: measured on the project machine for the codec benchmark's 1 MB frame (1000 records
 *   of 1 KiB, ~117k LZ4 sequences), the JavaScript decoder needs ~4.2-5.4 ms, lz4-napi's
 *   decompressFrameSync ~4.5 ms, its block function over the 17 blocks (copies included)
 *   ~1.3 ms; for a 130 KB frame 0.5-0.74 ms against 0.16-0.21 ms. liblz4 decodes each block
 *   in place (no size-prefixed copy in, no output Buffer to copy out); see DESIGN.md "LZ4".
 * - safety: the output size is known from the block headers before anything is allocated, and
 *   each native call is told the most its block may produce (the block maximum, or what the
 *   decompression-bomb cap leaves), so the cap is exact. Any native failure hands the block to
 *   the JavaScript decoder, whose bounds checks name the problem (or find the cap reached).
 *
 * Format (lz4 frame spec v1.6): magic 0x184D2204 LE, FLG, BD, [content size u64 LE],
 * [dict id u32], HC; then blocks of [u32 LE size, high bit = stored uncompressed][data]
 * [u32 checksum if FLG.blockChecksum], ended by a zero size, then [u32 content checksum].
 * The header checksum and xxHash checksums are not verified: v2 batches are covered by their
 * CRC-32C, v1 messages by their CRC-32, and Kafka's magic-0 LZ4 writer is known to compute the
 * header checksum wrongly (KIP-57), which a strict check would reject.
 */
import { DecompressedTooLargeError, DecompressionFailedError } from '../errors.js';
import { LZ4_BLOCK_SIZE_PREFIX, lz4Blocks } from './lz4-block-native.js';
import { lz4Addon, type Lz4Addon } from './lz4-native.js';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAX_SIZES: Readonly<Record<number, number>> = { 4: 0x10000, 5: 0x40000, 6: 0x100000, 7: 0x400000 };

function fail(detail: string): never {
  throw new DecompressionFailedError('lz4', detail);
}

function readU32LE(src: Uint8Array, pos: number): number {
  return (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
}

interface FrameBlock {
  readonly start: number;
  readonly end: number;
  readonly stored: boolean;
  /** FLG.blockIndependence: no match reaches into an earlier block. */
  readonly independent: boolean;
  /** The frame's block maximum size. */
  readonly max: number;
}

interface ParsedFrames {
  readonly blocks: FrameBlock[];
  /** The most the blocks can decompress to. */
  readonly bound: number;
}

/** Walks every frame's header and block headers without decompressing anything. */
function parseFrames(src: Uint8Array): ParsedFrames {
  const blocks: FrameBlock[] = [];
  let bound = 0;
  let pos = 0;
  if (src.length === 0) fail('empty payload holds no frame');
  while (pos < src.length) {
    if (pos + 4 > src.length) fail('truncated frame magic');
    const magic = readU32LE(src, pos);
    if (((magic & SKIPPABLE_MAGIC_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      if (pos + 8 > src.length) fail('truncated skippable frame');
      pos += 8 + readU32LE(src, pos + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) fail(`bad frame magic 0x${magic.toString(16)}`);
    if (pos + 7 > src.length) fail('truncated frame descriptor');
    const flg = src[pos + 4]!;
    const bd = src[pos + 5]!;
    if (flg >>> 6 !== 1) fail(`unsupported frame version ${flg >>> 6}`);
    const blockMax = BLOCK_MAX_SIZES[(bd >>> 4) & 7];
    if (blockMax === undefined) fail(`invalid block maximum size code ${(bd >>> 4) & 7}`);
    const independent = (flg & 0x20) !== 0;
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const dictId = (flg & 0x01) !== 0;
    pos += 6 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1;
    for (;;) {
      if (pos + 4 > src.length) fail('truncated block header');
      const word = readU32LE(src, pos);
      pos += 4;
      if (word === 0) break;
      const stored = word >= 0x80000000;
      const size = word & 0x7fffffff;
      if (size > blockMax) fail(`block of ${size} bytes exceeds the frame's maximum ${blockMax}`);
      if (pos + size > src.length) fail('block runs past the end of the frame');
      blocks.push({ start: pos, end: pos + size, stored, independent, max: blockMax });
      bound += stored ? size : blockMax;
      pos += size + (blockChecksum ? 4 : 0);
    }
    pos += contentChecksum ? 4 : 0;
    if (pos > src.length) fail('truncated content checksum');
  }
  return { blocks, bound };
}

/**
 * Decodes one LZ4 block `src[ip, iend)` into `dst` at `op`; matches may reach back to
 * `dst[0]` (dependent blocks). Returns the output position after the block.
 */
function decodeBlock(src: Uint8Array, ip: number, iend: number, dst: Uint8Array, op: number, oend: number): number {
  while (ip < iend) {
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (ip >= iend) fail('literal length runs past the block');
        b = src[ip++]!;
        literals += b;
      } while (b === 255);
    }
    if (ip + literals > iend) fail('literals run past the block');
    if (op + literals > oend) return -1;
    if (literals < 32) {
      for (let k = 0; k < literals; k++) dst[op + k] = src[ip + k]!;
    } else {
      dst.set(src.subarray(ip, ip + literals), op);
    }
    ip += literals;
    op += literals;
    // The last sequence of a block carries literals only.
    if (ip === iend) break;
    if (ip + 2 > iend) fail('match offset runs past the block');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) fail(`match offset ${offset} points before the output`);
    let length = (token & 15) + 4;
    if (length === 19) {
      let b: number;
      do {
        if (ip >= iend) fail('match length runs past the block');
        b = src[ip++]!;
        length += b;
      } while (b === 255);
    }
    if (op + length > oend) return -1;
    let from = op - offset;
    if (length < 16) {
      // Short matches dominate real data; a byte loop also handles overlap (offset < length),
      // where the copy must repeat the last `offset` bytes.
      const stop = op + length;
      while (op < stop) dst[op++] = dst[from++]!;
    } else if (offset >= length) {
      dst.copyWithin(op, from, from + length);
      op += length;
    } else {
      // A long overlapping match (runs of a repeated pattern): copy the pattern, then keep
      // doubling what has been written.
      const stop = op + length;
      let chunk = offset;
      while (op < stop) {
        const n = Math.min(chunk, stop - op);
        dst.copyWithin(op, from, from + n);
        op += n;
        chunk += n;
      }
    }
  }
  return op;
}

/**
 * Decompresses the independent block `src[start, end)` natively into `dst` at `op`, producing
 * at most `limit` bytes. Returns the output position after the block, or -1 when the native
 * decoder refused the block (the JavaScript decoder then says why).
 */
export type IndependentBlockDecoder = (src: Uint8Array, start: number, end: number, dst: Buffer, op: number, limit: number) => number;

/** Reused for the size prefix lz4-napi wants in front of a block; frames of 64 KiB blocks fit. */
const scratch = Buffer.allocUnsafe(LZ4_BLOCK_SIZE_PREFIX + 0x10000);

/** lz4-napi's block function: the block is copied behind a size prefix, its output copied into `dst`. */
export const lz4NapiBlockDecoder: IndependentBlockDecoder = (src, start, end, dst, op, limit) => {
  const size = end - start;
  const framed = LZ4_BLOCK_SIZE_PREFIX + size;
  const input = framed <= scratch.length ? scratch : Buffer.allocUnsafe(framed);
  input.writeUInt32LE(limit, 0);
  input.set(src.subarray(start, end), LZ4_BLOCK_SIZE_PREFIX);
  let out: Buffer;
  try {
    out = lz4Blocks().uncompressSync(input.subarray(0, framed));
  } catch {
    return -1;
  }
  if (out.length > limit) return -1;
  dst.set(out, op);
  return op + out.length;
};

/** The liblz4 addon: the block is read where it is and written straight into `dst`. */
export function liblz4BlockDecoder(addon: Lz4Addon): IndependentBlockDecoder {
  return (src, start, end, dst, op, limit) => {
    const produced = addon.decompressBlock(src, start, end, dst, op, limit);
    return produced < 0 ? -1 : op + produced;
  };
}

/** A frame reader that decodes independent blocks with `decodeIndependent`. */
export function lz4FrameDecompressor(decodeIndependent: IndependentBlockDecoder): (src: Uint8Array, maxBytes: number) => Buffer {
  return (src, maxBytes) => {
    const { blocks, bound } = parseFrames(src);
    const capacity = Math.min(bound, maxBytes);
    const dst = Buffer.allocUnsafe(capacity);
    // Plain Uint8Array views keep the block loop monomorphic whatever Buffer subclass comes in.
    const out = new Uint8Array(dst.buffer, dst.byteOffset, capacity);
    const input = new Uint8Array(src.buffer, src.byteOffset, src.length);
    let op = 0;
    for (const block of blocks) {
      if (block.stored) {
        const size = block.end - block.start;
        // Stored blocks count exactly in the bound, so overflowing here means the cap was hit.
        if (op + size > capacity) throw new DecompressedTooLargeError('lz4', undefined, maxBytes);
        dst.set(src.subarray(block.start, block.end), op);
        op += size;
        continue;
      }
      let next = block.independent ? decodeIndependent(input, block.start, block.end, dst, op, Math.min(block.max, capacity - op)) : -1;
      if (next < 0) next = decodeBlock(input, block.start, block.end, out, op, capacity);
      if (next < 0) {
        if (capacity < bound) throw new DecompressedTooLargeError('lz4', undefined, maxBytes);
        fail("a block decompresses beyond the frame's block maximum size");
      }
      op = next;
    }
    return op === capacity ? dst : dst.subarray(0, op);
  };
}

/** Decompresses one or more concatenated LZ4 frames, refusing output beyond `maxBytes`. */
export const decompressLz4Frames: (src: Uint8Array, maxBytes: number) => Buffer = lz4FrameDecompressor(
  lz4Addon !== undefined ? liblz4BlockDecoder(lz4Addon) : lz4NapiBlockDecoder,
);

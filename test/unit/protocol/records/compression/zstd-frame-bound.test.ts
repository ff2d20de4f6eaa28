/**
 * zstdDecompressedBound on hand-built frames (RFC 8878): each frame-header field, each block
 * type, skippable frames, several frames, and each failure with its message.
 */
import test from 'ava';
import { DecompressionFailedError } from '../../../../../protocol/records/errors.js';
import { zstdDecompressedBound } from '../../../../../protocol/records/compression/zstd-frame-bound.js';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const RAW = 0;
const RLE = 1;
const COMPRESSED = 2;

/** A block header (3 bytes LE: last bit, type, size) and its content. */
function block(type: number, size: number, last: boolean, content?: number[]): number[] {
  const header = (size << 3) | (type << 1) | (last ? 1 : 0);
  const body = content ?? (type === RLE ? [0x61] : Array.from({ length: size }, (_, i) => i & 0xff));
  return [header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff, ...body];
}

/** A frame: magic, descriptor, then the given header fields and blocks as raw bytes. */
const frame = (fhd: number, ...rest: number[][]): number[] => [...MAGIC, fhd, ...rest.flat()];
const bound = (bytes: number[]): number => zstdDecompressedBound(Buffer.from(bytes));
const failsWith = (t: { throws: (fn: () => unknown, e: object) => unknown }, bytes: number[], detail: string): void => {
  t.throws(() => bound(bytes), { instanceOf: DecompressionFailedError, message: `zstd payload could not be decompressed: ${detail}` });
};

test('a declared content size bounds the frame unless the blocks bound it lower', (t) => {
  // Single segment, 1-byte content size.
  t.is(bound(frame(0x20, [5], block(RAW, 3, false), block(RAW, 2, true))), 5);
  t.is(bound(frame(0x20, [4], block(RAW, 3, false), block(RAW, 2, true))), 4);
  t.is(bound(frame(0x20, [200], block(RAW, 3, false), block(RAW, 2, true))), 5);
  t.is(bound(frame(0x20, [0], block(RAW, 3, true))), 0);
  // 2-byte content size: value + 256, little-endian.
  t.is(bound(frame(0x60, [0x10, 0x00], block(RLE, 300, true))), 272);
  t.is(bound(frame(0x60, [0x01, 0x01], block(RLE, 1000, true))), 513);
  // 4 and 8 bytes, little-endian.
  t.is(bound(frame(0xa0, [0x03, 0x02, 0x00, 0x00], block(RLE, 100_000, true))), 0x0203);
  t.is(bound(frame(0xe0, [0x05, 0x01, 0, 0, 0, 0, 0, 0], block(RLE, 100_000, true))), 261);
  // Not single segment: a window descriptor comes first, then the content size.
  t.is(bound(frame(0x40, [0x00], [0x2c, 0x01], block(RLE, 5000, true))), 0x12c + 256);
});

test('without a content size: raw and RLE blocks count their size, compressed ones the window (at most 128 KiB)', (t) => {
  t.is(bound(frame(0x00, [0x00], block(RAW, 3, false), block(RLE, 7, false), block(COMPRESSED, 2, true))), 3 + 7 + 1024);
  t.is(bound(frame(0x00, [0x01], block(COMPRESSED, 2, true))), 1024 + 128);
  t.is(bound(frame(0x00, [(3 << 3) | 2], block(COMPRESSED, 2, true))), 8192 + 2 * 1024);
  t.is(bound(frame(0x00, [11 << 3], block(COMPRESSED, 2, true))), 128 * 1024);
  // A single-segment frame's window is its content size.
  t.is(bound(frame(0x20, [50], block(COMPRESSED, 2, false), block(COMPRESSED, 2, true))), 50);
});

test('dictionary ids and checksums are stepped over', (t) => {
  t.is(bound(frame(0x21, [0x99], [9], block(RAW, 9, true))), 9);
  t.is(bound(frame(0x22, [0x99, 0x98], [9], block(RAW, 9, true))), 9);
  t.is(bound(frame(0x23, [0x99, 0x98, 0x97, 0x96], [9], block(RAW, 9, true))), 9);
  t.is(bound(frame(0x01, [0x00], [0x77], block(RAW, 2, true))), 2);
  const checked = frame(0x24, [3], block(RAW, 3, true), [1, 2, 3, 4]);
  t.is(bound(checked), 3);
  t.is(bound([...checked, ...frame(0x20, [2], block(RAW, 2, true))]), 5);
  failsWith(t, checked.slice(0, -1), 'truncated content checksum');
});

test('skippable frames count nothing; several frames add up', (t) => {
  const skip = (n: number, nibble = 0): number[] => [0x50 | nibble, 0x2a, 0x4d, 0x18, n, 0, 0, 0, ...Array.from({ length: n }, () => 0xee)];
  const one = frame(0x20, [3], block(RAW, 3, true));
  t.is(bound([...skip(4), ...one, ...skip(0, 0xf), ...one]), 6);
  t.is(bound(skip(2)), 0);
  t.is(bound(skip(0)), 0);
  failsWith(t, [...one, ...skip(0).slice(0, 7)], 'truncated skippable frame');
});

test('malformed frames fail with the reason', (t) => {
  const one = frame(0x20, [3], block(RAW, 3, true));
  failsWith(t, [], 'empty payload holds no frame');
  failsWith(t, MAGIC.slice(0, 3), 'truncated frame magic');
  failsWith(t, [...one, 0x28, 0xb5, 0x2f], 'truncated frame magic');
  failsWith(t, [...one, 1, 2, 3, 4], 'bad frame magic 0x4030201');
  failsWith(t, MAGIC, 'truncated frame header');
  failsWith(t, [...MAGIC, 0x00], 'truncated window descriptor');
  failsWith(t, [...MAGIC, 0x20], 'truncated frame header');
  failsWith(t, [...MAGIC, 0xe0, 1, 2, 3, 4, 5, 6, 7], 'truncated frame header');
  failsWith(t, [...MAGIC, 0x23, 1, 2, 3], 'truncated frame header');
  failsWith(t, frame(0x20, [3]), 'truncated block header');
  failsWith(t, frame(0x20, [3], [1, 0]), 'truncated block header');
  failsWith(t, frame(0x20, [3], block(RAW, 3, false)), 'truncated block header');
  failsWith(t, frame(0x20, [3], block(3, 3, true)), 'reserved block type');
  failsWith(t, frame(0x20, [3], block(RAW, 3, true, [1, 2])), 'block runs past the payload');
  failsWith(t, frame(0x20, [3], block(RLE, 3, true, [])), 'block runs past the payload');
  failsWith(t, frame(0x20, [3], block(COMPRESSED, 3, true, [1, 2])), 'block runs past the payload');
});

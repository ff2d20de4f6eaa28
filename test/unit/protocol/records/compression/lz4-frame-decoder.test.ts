/**
 * The LZ4 frame decoder on hand-built frames (lz4 frame format spec 1.6): header flags, block
 * sizes and kinds, skippable frames, the decompression cap, and each failure with its message.
 */
import test from 'ava';
import { DecompressedTooLargeError, DecompressionFailedError } from '../../../../../protocol/records/errors.js';
import {
  decompressLz4Frames,
  liblz4BlockDecoder,
  lz4FrameDecompressor,
  lz4NapiBlockDecoder,
  type IndependentBlockDecoder,
} from '../../../../../protocol/records/compression/lz4-frame-decoder.js';
import { lz4Addon } from '../../../../../protocol/records/compression/lz4-native.js';
import { LZ4_BLOCK_SIZE_PREFIX, lz4Blocks } from '../../../../../protocol/records/compression/lz4-block-native.js';

const MAGIC = [0x04, 0x22, 0x4d, 0x18];
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

interface Block {
  readonly data: number[] | Buffer;
  readonly stored?: boolean;
}

/** A frame: header (FLG, BD, optional content size and dict id, HC), blocks, end mark, checksum. */
function frame(blocks: Block[], o: { flg?: number; bd?: number; end?: boolean; trailer?: number[] } = {}): Buffer {
  const flg = o.flg ?? 0x60;
  const head: number[] = [...MAGIC, flg, o.bd ?? 0x40];
  if (flg & 0x08) head.push(...u32(0), ...u32(0)); // content size (not checked)
  if (flg & 0x01) head.push(...u32(0xdeadbeef)); // dictionary id
  head.push(0x00); // header checksum (not checked)
  const parts: Buffer[] = [Buffer.from(head)];
  for (const b of blocks) {
    parts.push(Buffer.from(u32((b.data.length | (b.stored ? 0x80000000 : 0)) >>> 0)), Buffer.from(b.data));
    if (flg & 0x10) parts.push(Buffer.from(u32(0x01020304))); // block checksum
  }
  if (o.end ?? true) parts.push(Buffer.from(u32(0)));
  parts.push(Buffer.from(o.trailer ?? []));
  return Buffer.concat(parts);
}

const text = (s: string): number[] => [...Buffer.from(s)];
type Decompress = (src: Uint8Array, maxBytes: number) => Buffer;
type Throws = { throws: (fn: () => unknown, e: object) => unknown };
const failsWithOf =
  (decompress: Decompress) =>
  (t: Throws, src: Buffer, detail: string, max = 1 << 20): void => {
    t.throws(() => decompress(src, max), { instanceOf: DecompressionFailedError, message: `lz4 payload could not be decompressed: ${detail}` });
  };
const decodesOf =
  (decompress: Decompress) =>
  (src: Buffer, max = 1 << 20): string =>
    decompress(src, max).toString('latin1');
const failsWith = failsWithOf(decompressLz4Frames);
const decodes = decodesOf(decompressLz4Frames);

test('frame header flags: dictionary id, content size, block and content checksums', (t) => {
  const blocks = [{ data: text('hello'), stored: true }];
  t.is(decodes(frame(blocks)), 'hello');
  t.is(decodes(frame(blocks, { flg: 0x61 })), 'hello');
  t.is(decodes(frame(blocks, { flg: 0x68 })), 'hello');
  t.is(decodes(frame(blocks, { flg: 0x69 })), 'hello');
  t.is(decodes(frame(blocks, { flg: 0x70 })), 'hello');
  // A content checksum follows the end mark; another frame may follow it.
  const checked = frame(blocks, { flg: 0x64, trailer: u32(0xcafebabe) });
  t.is(decodes(checked), 'hello');
  t.is(decodes(Buffer.concat([checked, frame([{ data: text('!'), stored: true }])])), 'hello!');
  failsWith(t, frame(blocks, { flg: 0x64 }), 'truncated content checksum');
  failsWith(t, frame(blocks, { flg: 0x64, trailer: [1, 2, 3] }), 'truncated content checksum');
});

test('frame versions and block maximum sizes', (t) => {
  for (const flg of [0x20, 0xa0, 0xe0]) failsWith(t, frame([], { flg }), `unsupported frame version ${flg >>> 6}`);
  for (const bd of [0x00, 0x30]) failsWith(t, frame([], { bd }), `invalid block maximum size code ${bd >>> 4}`);
  // Bit 7 of BD is outside the size code.
  t.is(decodes(frame([{ data: text('ok'), stored: true }], { bd: 0xc0 })), 'ok');
  // Code 4 (64 KiB) caps a block at 65536 bytes; code 5 allows 256 KiB.
  const full = Buffer.alloc(65536, 7);
  t.is(decompressLz4Frames(frame([{ data: full, stored: true }]), 1 << 20).length, 65536);
  failsWith(t, frame([{ data: Buffer.alloc(65537), stored: true }]), "block of 65537 bytes exceeds the frame's maximum 65536");
  t.is(decompressLz4Frames(frame([{ data: Buffer.alloc(65537), stored: true }], { bd: 0x50 }), 1 << 20).length, 65537);
  failsWith(t, frame([{ data: Buffer.alloc(0x40001), stored: true }], { bd: 0x50 }), "block of 262145 bytes exceeds the frame's maximum 262144");
});

test('frames that end early name what is missing', (t) => {
  failsWith(t, Buffer.alloc(0), 'empty payload holds no frame');
  failsWith(t, Buffer.from(MAGIC.slice(0, 3)), 'truncated frame magic');
  const one = frame([{ data: text('ab'), stored: true }]);
  for (const extra of [1, 3]) failsWith(t, Buffer.concat([one, Buffer.from(MAGIC.slice(0, extra))]), 'truncated frame magic');
  failsWith(t, Buffer.concat([one, Buffer.from([1, 2, 3, 4])]), 'bad frame magic 0x4030201');
  failsWith(t, Buffer.from([...MAGIC, 0x60, 0x40]), 'truncated frame descriptor');
  failsWith(t, Buffer.from([...MAGIC, 0x60, 0x40, 0x00]), 'truncated block header');
  failsWith(t, frame([{ data: text('ab'), stored: true }], { end: false }), 'truncated block header');
  failsWith(t, frame([{ data: text('ab'), stored: true }], { end: false, trailer: [0, 0, 0] }), 'truncated block header');
  // A block whose size reaches one byte past the input.
  const cut = frame([{ data: text('abc'), stored: true }], { end: false });
  failsWith(t, cut.subarray(0, cut.length - 1), 'block runs past the end of the frame');
});

test('skippable frames are skipped wherever they appear', (t) => {
  const skip = (n: number, nibble = 0): Buffer => Buffer.from([0x50 | nibble, 0x2a, 0x4d, 0x18, ...u32(n), ...Buffer.alloc(n, 0xff)]);
  const data = frame([{ data: text('xy'), stored: true }]);
  t.is(decodes(Buffer.concat([skip(3), data, skip(0, 0xf)])), 'xy');
  t.is(decompressLz4Frames(skip(5), 10).length, 0);
  failsWith(t, Buffer.concat([data, skip(0).subarray(0, 7)]), 'truncated skippable frame');
});

/** Record-like bytes in 64 KiB blocks compressed by lz4-napi's block function (native path). */
function realBlocks(size: number): { input: Buffer; blocks: Block[] } {
  const input = Buffer.alloc(size, 0x20);
  let seed = 7;
  for (let i = 0; i < size; i += 5) input[i] = 0x61 + ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 26);
  const blocks: Block[] = [];
  for (let o = 0; o < size; o += 0x10000) blocks.push({ data: lz4Blocks().compressSync(input.subarray(o, o + 0x10000)).subarray(LZ4_BLOCK_SIZE_PREFIX) });
  return { input, blocks };
}

// The frame reader with each native block decoder for independent blocks: liblz4 where the
// addon is built, lz4-napi everywhere. The JavaScript decoder takes over from either.
const blockDecoders: [string, IndependentBlockDecoder][] = [['lz4-napi', lz4NapiBlockDecoder]];
if (lz4Addon !== undefined) blockDecoders.push(['liblz4', liblz4BlockDecoder(lz4Addon)]);

for (const [name, blockDecoder] of blockDecoders) {
  const decompressLz4Frames = lz4FrameDecompressor(blockDecoder);
  const failsWith = failsWithOf(decompressLz4Frames);
  const decodes = decodesOf(decompressLz4Frames);

  test(`${name}: compressed blocks: literals, matches, overlaps and long lengths`, (t) => {
    // 'abc' literals, then match offset 3 length 4+2: abcabcabc.
    t.is(decodes(frame([{ data: [0x32, ...text('abc'), 3, 0] }])), 'abcabcabc');
    // A block that ends with a match (no trailing literals) and the next block after it.
    t.is(decodes(frame([{ data: [0x10, ...text('a'), 1, 0] }, { data: text('Z'), stored: true }])), 'aaaaaZ');
    // A block that yields nothing, then a stored block.
    t.is(decodes(frame([{ data: [0x00] }, { data: text('q'), stored: true }])), 'q');
    // Literal length 15 + 255 + 5 = 275 bytes, then a long overlapping match 19 + 255 + 1 = 275.
    const lit = Buffer.alloc(275);
    for (let i = 0; i < lit.length; i++) lit[i] = 97 + (i % 26);
    const long = [0xff, 255, 5, ...lit, 2, 0, 255, 1, 0x00];
    const expectedTail = Buffer.alloc(275);
    for (let i = 0; i < expectedTail.length; i++) expectedTail[i] = lit[lit.length - 2 + (i % 2)]!;
    const out = decompressLz4Frames(frame([{ data: long }]), 1 << 20);
    t.true(out.equals(Buffer.concat([lit, expectedTail])));
    // A long match that does not overlap: offset 275 (the start), length 19 + 2.
    const far = [0xff, 255, 5, ...lit, 0x13, 1, 2, 0x00];
    const farOut = decompressLz4Frames(frame([{ data: far }]), 1 << 20);
    t.true(farOut.equals(Buffer.concat([lit, lit.subarray(0, 21)])));
    // Dependent blocks: a match in the second block reaches into the first block's output.
    t.is(decodes(frame([{ data: text('wxyz'), stored: true }, { data: [0x00, 4, 0] }])), 'wxyzwxyz');
  });

  test(`${name}: corrupt compressed blocks fail with the reason`, (t) => {
    failsWith(t, frame([{ data: [0xf0] }]), 'literal length runs past the block');
    failsWith(t, frame([{ data: [0xf0, 255] }]), 'literal length runs past the block');
    failsWith(t, frame([{ data: [0x30, ...text('ab')] }]), 'literals run past the block');
    failsWith(t, frame([{ data: [0x10, ...text('a'), 1] }]), 'match offset runs past the block');
    failsWith(t, frame([{ data: [0x10, ...text('a'), 0, 0] }]), 'match offset 0 points before the output');
    failsWith(t, frame([{ data: [0x10, ...text('a'), 2, 0] }]), 'match offset 2 points before the output');
    failsWith(t, frame([{ data: [0x1f, ...text('a'), 1, 0] }]), 'match length runs past the block');
    failsWith(t, frame([{ data: [0x1f, ...text('a'), 1, 0, 255] }]), 'match length runs past the block');
  });

  test(`${name}: the cap: stored and compressed blocks stop at maxBytes; a lying block fails on its own`, (t) => {
    const stored = frame([{ data: text('0123456789'), stored: true }]);
    t.is(decodes(stored, 10), '0123456789');
    t.throws(() => decompressLz4Frames(stored, 9), { instanceOf: DecompressedTooLargeError, message: 'lz4 payload decompresses to more than the limit of 9 bytes' });
    const literals = frame([{ data: [0xa0, ...text('0123456789')] }]);
    t.is(decodes(literals, 10), '0123456789');
    t.throws(() => decompressLz4Frames(literals, 9), { instanceOf: DecompressedTooLargeError, message: 'lz4 payload decompresses to more than the limit of 9 bytes' });
    const match = frame([{ data: [0x16, ...text('a'), 1, 0] }]); // 'a' + 10 more
    t.is(decodes(match, 11), 'a'.repeat(11));
    t.throws(() => decompressLz4Frames(match, 10), { instanceOf: DecompressedTooLargeError });
    // A compressed block that expands past the frame's 64 KiB block maximum is corrupt, not a bomb.
    const runs = Array.from({ length: 257 }, () => 255);
    const bomb = frame([{ data: [0x1f, ...text('a'), 1, 0, ...runs, 0, 0x00] }]);
    failsWith(t, bomb, "a block decompresses beyond the frame's block maximum size", 1 << 30);
    t.throws(() => decompressLz4Frames(bomb, 1000), { instanceOf: DecompressedTooLargeError });
  });

  // The hand-built corrupt blocks above sit in independent frames (FLG 0x60): the native decoder
  // refuses them first, so their messages also show the JavaScript decoder taking over.
  test(`${name}: real blocks decode alike whether the frame declares them independent (native decoder) or linked (JavaScript decoder)`, (t) => {
    const { input, blocks } = realBlocks(200_000);
    t.true(decompressLz4Frames(frame(blocks, { flg: 0x60 }), 1 << 20).equals(input));
    t.true(decompressLz4Frames(frame(blocks, { flg: 0x40 }), 1 << 20).equals(input));
  });

  test(`${name}: the cap holds inside a natively decoded block, at its exact size and one byte less`, (t) => {
    const { input, blocks } = realBlocks(100_000);
    t.true(decompressLz4Frames(frame(blocks), 100_000).equals(input));
    t.throws(() => decompressLz4Frames(frame(blocks), 99_999), { instanceOf: DecompressedTooLargeError });
    t.throws(() => decompressLz4Frames(frame(blocks), 70_000), { instanceOf: DecompressedTooLargeError });
  });
}

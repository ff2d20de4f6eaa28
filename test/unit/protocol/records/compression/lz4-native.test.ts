/**
 * The liblz4 addon (native/build/lz4.node) next to the lz4-napi fallback: the addon is in use
 * wherever it is built, both writers' frames round-trip through both block decoders and
 * through lz4-napi's own frame reader, and the addon refuses bad arguments with clear errors.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { compressLz4Frame, compressLz4FrameLz4Napi, liblz4FrameCompressor, lz4FrameBound } from '../../../../../protocol/records/compression/lz4-frame-encoder.js';
import {
  decompressLz4Frames,
  liblz4BlockDecoder,
  lz4FrameDecompressor,
  lz4NapiBlockDecoder,
} from '../../../../../protocol/records/compression/lz4-frame-decoder.js';
import {
  LZ4_ADDON_PATH,
  lz4Addon,
  lz4AddonLoadError,
  lz4Implementation,
  lz4ImplementationLabel,
  type Lz4Addon,
} from '../../../../../protocol/records/compression/lz4-native.js';

const lz4 = createRequire(import.meta.url)('lz4-napi') as { decompressFrameSync(b: Buffer): Buffer };
const HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);

// scripts/test fails when ensure-deps leaves no addon, so on CI this test always runs its assertion.
test('the addon is in use wherever it is built', (t) => {
  if (!existsSync(LZ4_ADDON_PATH)) {
    t.is(lz4Implementation, 'lz4-napi');
    t.is(lz4ImplementationLabel, 'lz4-napi');
    t.is(compressLz4Frame, compressLz4FrameLz4Napi);
    t.log(`no ${LZ4_ADDON_PATH}: only the lz4-napi fallback is tested`);
    return;
  }
  t.is(lz4AddonLoadError, undefined);
  t.is(lz4Implementation, 'liblz4', `the addon exists but did not load: ${lz4AddonLoadError}`);
  t.regex(lz4ImplementationLabel, /^liblz4 \d+\.\d+\.\d+$/);
  t.not(compressLz4Frame, compressLz4FrameLz4Napi);
});

/** Record-like bytes: JSON-ish text with random letters, as the codec benchmark makes. */
function recordLike(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size, 0x20);
  for (let i = 0; i < size; i += 6) out[i] = 0x61 + ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 26);
  out.write('{"id":1,"event":"page_view"}'.repeat(Math.floor(size / 400)), 0);
  return out;
}

const inputs: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([7])],
  ['random', randomBytes(200_001)],
  ['repetitive', Buffer.alloc(300_000, 'kafka ')],
  ['record-like', recordLike(1_060_000)],
  ['exactly 64 KiB', recordLike(65536, 3)],
  ['64 KiB + 1', recordLike(65537, 5)],
  ['64 KiB random + 1', randomBytes(65537)],
];

const writers: [string, (data: Buffer) => Buffer][] = [['lz4-napi', compressLz4FrameLz4Napi]];
const readers: [string, (src: Uint8Array, maxBytes: number) => Buffer][] = [
  ['lz4-napi blocks', lz4FrameDecompressor(lz4NapiBlockDecoder)],
  ['lz4-napi decompressFrameSync', (src) => lz4.decompressFrameSync(Buffer.from(src))],
];
if (lz4Addon !== undefined) {
  writers.push(['liblz4', liblz4FrameCompressor(lz4Addon)]);
  readers.push(['liblz4 blocks', lz4FrameDecompressor(liblz4BlockDecoder(lz4Addon))]);
}

for (const [writer, compress] of writers) {
  test(`${writer} writer: every input round-trips through every reader`, (t) => {
    for (const [label, data] of inputs) {
      const frame = compress(data);
      t.true(frame.subarray(0, 7).equals(HEADER), `${label}: header`);
      t.true(frame.length <= lz4FrameBound(data.length), `${label}: within the bound`);
      for (const [reader, decompress] of readers) t.true(decompress(frame, data.length).equals(data), `${label} read by ${reader}`);
    }
  });
}

/** Words of a frame: each block's size word, then the end mark. */
function blockWords(frame: Buffer): number[] {
  const words: number[] = [];
  for (let pos = 7; ; ) {
    const word = frame.readUInt32LE(pos);
    words.push(word);
    if (word === 0) return words;
    pos += 4 + (word & 0x7fffffff);
  }
}

const addonTest = lz4Addon !== undefined ? test : test.skip;
const addon = lz4Addon as Lz4Addon;

addonTest('liblz4 writes the same frame layout as the lz4-napi writer', (t) => {
  const native = liblz4FrameCompressor(addon);
  // Stored blocks leave nothing to choose: the frames are byte-identical.
  const random = randomBytes(150_000);
  t.true(native(random).equals(compressLz4FrameLz4Napi(random)));
  t.true(native(Buffer.alloc(0)).equals(compressLz4FrameLz4Napi(Buffer.alloc(0))));
  // Compressed blocks may differ in their bytes, not in the block boundaries or kinds.
  const text = recordLike(500_000);
  const a = blockWords(native(text));
  const b = blockWords(compressLz4FrameLz4Napi(text));
  t.is(a.length, b.length);
  t.deepEqual(
    a.map((w) => w >>> 31),
    b.map((w) => w >>> 31),
  );
  // The result is a right-sized Buffer of its own, not a view of the writer's scratch space.
  const first = native(text);
  const copy = Buffer.from(first);
  native(randomBytes(100_000));
  t.true(first.equals(copy));
  t.is(first.buffer.byteLength, first.length);
});

addonTest('liblz4 reads and writes at any offset of a larger buffer', (t) => {
  const data = recordLike(100_000);
  const src = Buffer.concat([Buffer.alloc(13, 1), data, Buffer.alloc(5, 2)]).subarray(13, 13 + data.length);
  const dstBacking = Buffer.alloc(lz4FrameBound(data.length) + 20, 0xee);
  const dst = dstBacking.subarray(9, 9 + lz4FrameBound(data.length));
  const length = addon.compressFrame(src, dst);
  t.true(dstBacking.subarray(0, 9).equals(Buffer.alloc(9, 0xee)), 'nothing written before dst');
  t.true(dstBacking.subarray(9 + dst.length).equals(Buffer.alloc(11, 0xee)), 'nothing written after dst');
  t.true(lz4.decompressFrameSync(dst.subarray(0, length)).equals(data));
  // Uint8Array views work like Buffers.
  const view = new Uint8Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint8Array(lz4FrameBound(data.length));
  t.is(addon.compressFrame(view, out), length);
});

addonTest('liblz4 decompressBlock: the limit is exact, and bad blocks are -1, not a crash', (t) => {
  const data = recordLike(60_000);
  const frame = liblz4FrameCompressor(addon)(data);
  const size = frame.readUInt32LE(7);
  t.true(size < 0x80000000);
  const dst = Buffer.alloc(data.length + 10);
  t.is(addon.decompressBlock(frame, 11, 11 + size, dst, 10, data.length), data.length);
  t.true(dst.subarray(10).equals(data));
  t.is(addon.decompressBlock(frame, 11, 11 + size, dst, 10, data.length - 1), -1);
  t.is(addon.decompressBlock(frame, 11, 11 + size - 1, dst, 0, data.length + 10), -1, 'truncated block');
  t.is(addon.decompressBlock(frame, 11, 11, dst, 0, 10), -1, 'empty block');
  t.is(addon.decompressBlock(Buffer.from([0x10, 0x61, 9, 0]), 0, 4, dst, 0, 100), -1, 'match before the output');
  t.is(addon.decompressBlock(Buffer.from([0xf0]), 0, 1, dst, 0, 100), -1, 'literal length past the block');
  // Random bytes as a block: whatever liblz4 makes of them, it stays inside dst.
  for (let i = 0; i < 200; i++) {
    const junk = randomBytes(1 + (i % 97) * 13);
    const out = Buffer.alloc(300, 0xaa);
    const n = addon.decompressBlock(junk, 0, junk.length, out, 0, 200);
    t.true(n >= -1 && n <= 200);
    t.true(out.subarray(200).equals(Buffer.alloc(100, 0xaa)));
  }
});

addonTest('liblz4 refuses bad arguments with TypeError or RangeError and code ERR_LZ4_NATIVE_ARGUMENT', (t) => {
  const code = 'ERR_LZ4_NATIVE_ARGUMENT';
  const call = (fn: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void => {
    const err = t.throws(fn, { instanceOf: type, message });
    t.is((err as NodeJS.ErrnoException | undefined)?.code, code);
  };
  const src = Buffer.alloc(100, 1);
  const dst = Buffer.alloc(200);
  const compress = addon.compressFrame as (...args: unknown[]) => number;
  const decompress = addon.decompressBlock as (...args: unknown[]) => number;
  call(() => compress(src), TypeError, /^lz4 addon: compressFrame\(src, dst\) takes 2 arguments, got 1$/);
  call(() => compress(src, dst, 1), TypeError, /takes 2 arguments, got 3/);
  call(() => compress('abc', dst), TypeError, /^lz4 addon: src must be a Uint8Array or Buffer$/);
  call(() => compress(src, new Uint16Array(200)), TypeError, /^lz4 addon: dst must be a Uint8Array or Buffer$/);
  call(() => compress(src, new ArrayBuffer(200)), TypeError, /dst must be a Uint8Array/);
  call(() => compress(src, Buffer.alloc(lz4FrameBound(100) - 1)), RangeError, /^lz4 addon: dst holds 114 bytes, the frame may need 115$/);
  t.is(lz4FrameBound(100), 115);
  const shared = Buffer.alloc(400);
  call(() => compress(shared.subarray(0, 100), shared.subarray(50, 400)), RangeError, /^lz4 addon: src and dst overlap$/);
  t.true(compress(shared.subarray(0, 100), shared.subarray(100, 400)) > 0, 'adjacent views do not overlap');

  call(() => decompress(src, 0, 10, dst, 0), TypeError, /takes 6 arguments, got 5/);
  call(() => decompress(src, '0', 10, dst, 0, 10), TypeError, /^lz4 addon: start must be a number$/);
  call(() => decompress(src, 0, 10, [], 0, 10), TypeError, /^lz4 addon: dst must be a Uint8Array or Buffer$/);
  call(() => decompress(src, -1, 10, dst, 0, 10), RangeError, /^lz4 addon: start must be an integer from 0 to 100, got -1$/);
  call(() => decompress(src, 0, 101, dst, 0, 10), RangeError, /end must be an integer from 0 to 100, got 101/);
  call(() => decompress(src, 0, 1.5, dst, 0, 10), RangeError, /end must be an integer/);
  call(() => decompress(src, 0, Number.NaN, dst, 0, 10), RangeError, /end must be an integer from 0 to 100, got nan/i);
  call(() => decompress(src, 0, 10, dst, 201, 0), RangeError, /at must be an integer from 0 to 200, got 201/);
  call(() => decompress(src, 0, 10, dst, 150, 51), RangeError, /limit must be an integer from 0 to 50, got 51/);
  call(() => decompress(src, 0, 10, dst, 0, Infinity), RangeError, /limit must be an integer/);
  call(() => decompress(src, 20, 10, dst, 0, 10), RangeError, /^lz4 addon: start is after end$/);
  call(() => decompress(shared, 0, 10, shared, 5, 10), RangeError, /src and dst overlap/);
});

test('the frame reader in use is the one the addon decides', (t) => {
  const data = recordLike(70_000);
  t.true(decompressLz4Frames(compressLz4Frame(data), data.length).equals(data));
});

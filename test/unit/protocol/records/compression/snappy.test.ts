/**
 * The snappy codec: raw blocks and the xerial framing, the length preamble, the cap from the
 * declared sizes, and each failure with its message (and the library's error as the cause).
 */
import test from 'ava';
import { createRequire } from 'node:module';
import { DecompressedTooLargeError, DecompressionFailedError } from '../../../../../protocol/records/errors.js';
import { snappyCodec } from '../../../../../protocol/records/compression/snappy.js';

const snappy = createRequire(import.meta.url)('snappy') as { compressSync(b: Buffer): Buffer; uncompressSync(b: Buffer, o: object): Buffer };
const decompress = (data: Buffer, max = 1 << 20): Buffer => snappyCodec.decompressSync!(data, max);
const HEADER = Buffer.from([0x82, ...Buffer.from('SNAPPY'), 0, 0, 0, 0, 1, 0, 0, 0, 1]);

function xerialBlock(block: Buffer, declared = block.length): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(declared);
  return Buffer.concat([len, block]);
}

function failure(t: { throws: (fn: () => unknown, e: object) => unknown }, data: Buffer, detail: string | RegExp): DecompressionFailedError {
  const message = typeof detail === 'string' ? `snappy payload could not be decompressed: ${detail}` : detail;
  return t.throws(() => decompress(data), { instanceOf: DecompressionFailedError, message }) as DecompressionFailedError;
}

test('raw snappy round-trips, including payloads shorter than a xerial header', async (t) => {
  for (const text of ['', 'abc', 'x'.repeat(15), 'raw snappy block '.repeat(50)]) {
    const packed = snappyCodec.compressSync!(Buffer.from(text));
    t.true(packed.equals(snappy.compressSync(Buffer.from(text))), 'librdkafka-compatible raw output');
    t.is(decompress(packed).toString(), text);
    t.is((await snappyCodec.decompress(await snappyCodec.compress(Buffer.from(text)), 1 << 20)).toString(), text);
  }
});

test('the raw length preamble is capped at five bytes and checked against the limit', (t) => {
  const packed = snappy.compressSync(Buffer.from('0123456789'));
  t.is(decompress(packed, 10).toString(), '0123456789');
  t.throws(() => decompress(packed, 9), { instanceOf: DecompressedTooLargeError, message: 'snappy payload would decompress to 10 bytes, over the limit of 9' });
  const e = failure(t, Buffer.from([0x80, 0x80]), 'raw snappy block has no valid length preamble');
  t.false('cause' in e, 'no cause when the library did not fail');
  failure(t, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0]), 'raw snappy block has no valid length preamble');
  // A valid five-byte preamble is accepted as a length (and then the block is checked by snappy).
  t.throws(() => decompress(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01, 0]), 1000), { message: "snappy payload would decompress to 268435456 bytes, over the limit of 1000" });
});

test('a corrupt raw block fails with snappy\'s reason as the cause', (t) => {
  const e = failure(t, Buffer.from([3, 1, 2]), /^snappy payload could not be decompressed: .*corrupt/);
  t.true(e.cause instanceof Error);
  t.true(e.message.endsWith((e.cause as Error).message));
});

test('xerial: header only is empty, blocks concatenate, the limit counts all blocks', (t) => {
  t.is(decompress(HEADER).length, 0);
  const a = Buffer.from('first '.repeat(10));
  const b = Buffer.from('second');
  const one = Buffer.concat([HEADER, xerialBlock(snappy.compressSync(a))]);
  t.true(decompress(one).equals(a));
  const two = Buffer.concat([HEADER, xerialBlock(snappy.compressSync(a)), xerialBlock(snappy.compressSync(b))]);
  t.true(decompress(two, a.length + b.length).equals(Buffer.concat([a, b])));
  t.throws(() => decompress(two, a.length + b.length - 1), {
    instanceOf: DecompressedTooLargeError,
    message: `snappy payload would decompress to ${a.length + b.length} bytes, over the limit of ${a.length + b.length - 1}`,
  });
});

test('xerial blocks with bad lengths fail with the reason', (t) => {
  const block = snappy.compressSync(Buffer.from('abc'));
  failure(t, Buffer.concat([HEADER, Buffer.from([0, 0])]), 'xerial block length truncated');
  failure(t, Buffer.concat([HEADER, xerialBlock(block), Buffer.from([0, 0, 0])]), 'xerial block length truncated');
  failure(t, Buffer.concat([HEADER, xerialBlock(Buffer.alloc(0))]), 'raw snappy block has no valid length preamble');
  failure(t, Buffer.concat([HEADER, xerialBlock(block, -1)]), 'xerial block length -1 runs past the payload');
  failure(t, Buffer.concat([HEADER, xerialBlock(block, block.length + 1)]), `xerial block length ${block.length + 1} runs past the payload`);
  // The magic alone, shorter than a xerial header, is not xerial: it is read as (invalid) raw snappy.
  t.throws(() => decompress(HEADER.subarray(0, 12)), { instanceOf: DecompressionFailedError });
  // Not the magic: read as raw snappy.
  const notXerial = Buffer.from(HEADER);
  notXerial[7] = 1;
  t.throws(() => decompress(notXerial), { instanceOf: DecompressionFailedError });
});

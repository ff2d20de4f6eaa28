/**
 * Writer: each refusal names the type and the value, and values at the edges of each range
 * are written exactly (checked against Buffer's own big-endian writers and hand-made varints).
 */
import test from 'ava';
import { ProtocolEncodeError } from '../../../../protocol/primitives/errors.js';
import { Writer } from '../../../../protocol/primitives/writer.js';

type W = Writer & Record<string, (v: unknown) => void>;
const refuses = (t: { throws: (fn: () => unknown, e: object) => unknown }, method: string, value: unknown, what: string): void => {
  t.throws(() => (new Writer() as W)[method]!(value), { instanceOf: ProtocolEncodeError, message: `cannot encode ${what}` });
};
const written = (f: (w: Writer) => void): string => {
  const w = new Writer(4);
  f(w);
  return w.finish().toString('hex');
};

test('each fixed-size writer names the type and the value it refuses', (t) => {
  refuses(t, 'writeInt8', 128, 'int8 128 (out of range)');
  refuses(t, 'writeBool', 1, 'bool 1 (not a boolean)');
  refuses(t, 'writeInt16', -32769, 'int16 -32769 (out of range)');
  refuses(t, 'writeUint16', 65536, 'uint16 65536 (out of range)');
  refuses(t, 'writeInt32', 2 ** 31, 'int32 2147483648 (out of range)');
  refuses(t, 'writeUint32', -1, 'uint32 -1 (out of range)');
  refuses(t, 'writeInt64', 2n ** 63n, 'int64 9223372036854775808 (not a bigint in range)');
  refuses(t, 'writeInt64', -(2n ** 63n) - 1n, 'int64 -9223372036854775809 (not a bigint in range)');
  refuses(t, 'writeInt64', 5, 'int64 5 (not a bigint in range)');
  refuses(t, 'writeFloat64', '1', 'float64 1 (not a number)');
  refuses(t, 'writeVarint', 2 ** 31, 'varint 2147483648 (out of int32 range)');
  refuses(t, 'writeVarlong', 2n ** 63n, 'varlong 9223372036854775808 (not a bigint in range)');
  refuses(t, 'writeVarlong', -(2n ** 63n) - 1n, 'varlong -9223372036854775809 (not a bigint in range)');
  refuses(t, 'writeVarlong', 7, 'varlong 7 (not a bigint in range)');
  refuses(t, 'writeUuid', 'short', 'uuid "short" (not 22 base64url characters of 16 bytes)');
  refuses(t, 'writeUuid', 42, 'uuid 42 (not 22 base64url characters of 16 bytes)');
  refuses(t, 'writeString', 5, 'string 5 (not a string)');
  refuses(t, 'writeString', 'x'.repeat(32768), 'string of 32768 bytes (longer than 32767)');
  refuses(t, 'writeCompactString', 5, 'compact string 5 (not a string)');
  refuses(t, 'writeCompactString', 'é'.repeat(16384), 'compact string of 32768 bytes (longer than 32767)');
  refuses(t, 'writeBytes', 'abc', 'bytes (not a Buffer)');
  refuses(t, 'writeCompactBytes', 'abc', 'compact bytes (not a Buffer)');
});

test('patching a reservation checks the handle and the value', (t) => {
  const w = new Writer();
  const handle = w.reserveInt32();
  t.throws(() => w.patchInt32(handle, 2 ** 31), { instanceOf: ProtocolEncodeError, message: 'cannot encode int32 2147483648 (out of range)' });
  w.patchInt32(handle, -5);
  t.is(w.finish().toString('hex'), 'fffffffb');
});

test('range edges are written exactly', (t) => {
  t.is(written((w) => w.writeInt64(-(2n ** 63n))), '8000000000000000');
  t.is(written((w) => w.writeInt64(2n ** 63n - 1n)), '7fffffffffffffff');
  // Zigzag varlong: the 30-bit fast path ends at +-2^30; beyond it the bigint path takes over.
  t.is(written((w) => w.writeVarlong(2n ** 30n - 1n)), 'feffffff07');
  t.is(written((w) => w.writeVarlong(2n ** 30n)), '8080808008');
  t.is(written((w) => w.writeVarlong(-(2n ** 30n))), 'ffffffff07');
  t.is(written((w) => w.writeVarlong(-(2n ** 30n) - 1n)), '8180808008');
  t.is(written((w) => w.writeVarlong(-(2n ** 63n))), 'ffffffffffffffffff01');
  t.is(written((w) => w.writeVarlong(2n ** 63n - 1n)), 'feffffffffffffffff01');
  // Strings of exactly 32767 bytes are allowed.
  t.is(written((w) => w.writeString('a'.repeat(32767))).length, (2 + 32767) * 2);
  t.is(written((w) => w.writeCompactString('a'.repeat(32767))).length, (3 + 32767) * 2);
  t.is(written((w) => w.writeString('é')), '0002c3a9');
  t.is(written((w) => w.writeCompactString('é')), '03c3a9');
  t.is(written((w) => w.writeFloat64(1.5)), '3ff8000000000000');
});

test('large appends and many small writes come out in order', (t) => {
  const w = new Writer(8);
  const big = Buffer.alloc(100_000, 0x5a);
  w.writeInt8(1);
  w.writeRaw(big);
  w.writeInt16(0x0203);
  for (let i = 0; i < 5000; i++) w.writeInt32(i);
  const out = w.finish();
  t.is(out.length, 1 + big.length + 2 + 5000 * 4);
  t.is(out[0], 1);
  t.true(out.subarray(1, 1 + big.length).equals(big));
  t.is(out.readInt16BE(1 + big.length), 0x0203);
  t.is(out.readInt32BE(out.length - 4), 4999);
  const parts = new Writer(8);
  parts.writeInt8(7);
  t.deepEqual(parts.toBuffers().map((b) => b.toString('hex')), ['07']);
});

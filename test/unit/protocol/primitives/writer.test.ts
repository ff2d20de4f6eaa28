import test from 'ava';
import fc from 'fast-check';
import { ProtocolEncodeError } from '../../../../protocol/primitives/errors.js';
import { Reader, ZERO_UUID } from '../../../../protocol/primitives/reader.js';
import { Writer } from '../../../../protocol/primitives/writer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function bytesOf(f: (w: Writer) => void, initialSize = 1024): Buffer {
  const w = new Writer(initialSize);
  f(w);
  return w.finish();
}

function throwsEncode(t: import('ava').ExecutionContext, f: () => unknown, pattern?: RegExp): void {
  const err = t.throws(f);
  t.true(err instanceof ProtocolEncodeError, `expected ProtocolEncodeError, got ${String(err)}`);
  if (pattern) t.regex(err?.message ?? '', pattern);
}

test('unsigned varints: hand-checked encodings at the edges', (t) => {
  t.deepEqual(bytesOf((w) => w.writeUnsignedVarint(0)), hex('00'));
  t.deepEqual(bytesOf((w) => w.writeUnsignedVarint(127)), hex('7f'));
  t.deepEqual(bytesOf((w) => w.writeUnsignedVarint(128)), hex('80 01'));
  t.deepEqual(bytesOf((w) => w.writeUnsignedVarint(300)), hex('ac 02'));
  t.deepEqual(bytesOf((w) => w.writeUnsignedVarint(0xffffffff)), hex('ff ff ff ff 0f'));
  throwsEncode(t, () => new Writer().writeUnsignedVarint(2 ** 32), /out of range/);
  throwsEncode(t, () => new Writer().writeUnsignedVarint(-1));
  throwsEncode(t, () => new Writer().writeUnsignedVarint(1.5));
});

test('zig-zag varints and varlongs: hand-checked encodings at the edges', (t) => {
  t.deepEqual(bytesOf((w) => w.writeVarint(-1)), hex('01'));
  t.deepEqual(bytesOf((w) => w.writeVarint(1)), hex('02'));
  t.deepEqual(bytesOf((w) => w.writeVarint(2147483647)), hex('fe ff ff ff 0f'));
  t.deepEqual(bytesOf((w) => w.writeVarint(-2147483648)), hex('ff ff ff ff 0f'));
  t.deepEqual(bytesOf((w) => w.writeVarlong(2n ** 63n - 1n)), hex('fe ff ff ff ff ff ff ff ff 01'));
  t.deepEqual(bytesOf((w) => w.writeVarlong(-(2n ** 63n))), hex('ff ff ff ff ff ff ff ff ff 01'));
  t.deepEqual(bytesOf((w) => w.writeVarlong(-1n)), hex('01'));
  throwsEncode(t, () => new Writer().writeVarint(2 ** 31));
  throwsEncode(t, () => new Writer().writeVarlong(2n ** 63n));
});

test('varints and varlongs round trip through the Reader over their whole range', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.nat({ max: 0xffffffff }), (i, l, u) => {
      const r = new Reader(bytesOf((w) => { w.writeVarint(i); w.writeVarlong(l); w.writeUnsignedVarint(u); }, 3));
      return r.readVarint() === i && r.readVarlong() === l && r.readUnsignedVarint() === u && r.remaining() === 0;
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('scalars are range-checked instead of wrapping', (t) => {
  throwsEncode(t, () => new Writer().writeInt8(128));
  throwsEncode(t, () => new Writer().writeInt16(-32769));
  throwsEncode(t, () => new Writer().writeUint16(-1));
  throwsEncode(t, () => new Writer().writeInt32(2 ** 31));
  throwsEncode(t, () => new Writer().writeInt32(Number.NaN));
  throwsEncode(t, () => new Writer().writeInt32(undefined as unknown as number));
  throwsEncode(t, () => new Writer().writeUint32(2 ** 32));
  throwsEncode(t, () => new Writer().writeInt64(2n ** 63n));
  throwsEncode(t, () => new Writer().writeInt64(1 as unknown as bigint), /not a bigint/);
  throwsEncode(t, () => new Writer().writeBool(1 as unknown as boolean));
  t.deepEqual(
    bytesOf((w) => { w.writeInt8(-1); w.writeInt16(-2); w.writeUint16(65535); w.writeInt32(-3); w.writeUint32(4294967295); w.writeInt64(-4n); w.writeFloat64(1); w.writeBool(true); }),
    hex('ff fffe ffff fffffffd ffffffff fffffffffffffffc 3ff0000000000000 01'),
  );
});

test('strings and bytes in classic and compact form, with null', (t) => {
  t.deepEqual(bytesOf((w) => w.writeString('hi')), hex('00 02 68 69'));
  t.deepEqual(bytesOf((w) => w.writeNullableString(null)), hex('ff ff'));
  t.deepEqual(bytesOf((w) => w.writeCompactString('€')), hex('04 e2 82 ac'));
  t.deepEqual(bytesOf((w) => w.writeCompactNullableString(null)), hex('00'));
  t.deepEqual(bytesOf((w) => w.writeBytes(hex('0102'))), hex('00 00 00 02 01 02'));
  t.deepEqual(bytesOf((w) => w.writeNullableBytes(null)), hex('ff ff ff ff'));
  t.deepEqual(bytesOf((w) => w.writeCompactBytes(hex('0102'))), hex('03 01 02'));
  t.deepEqual(bytesOf((w) => w.writeCompactNullableBytes(null)), hex('00'));
  throwsEncode(t, () => new Writer().writeString('x'.repeat(32768)), /longer than 32767/);
  throwsEncode(t, () => new Writer().writeString(null as unknown as string), /not a string/);
  throwsEncode(t, () => new Writer().writeBytes('ab' as unknown as Buffer), /not a Buffer/);
});

test('uuids: base64url text to 16 bytes, malformed text refused', (t) => {
  t.deepEqual(bytesOf((w) => w.writeUuid(ZERO_UUID)), Buffer.alloc(16));
  t.deepEqual(bytesOf((w) => w.writeUuid('AAECAwQFBgcICQoLDA0O_w')), hex('00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e ff'));
  throwsEncode(t, () => new Writer().writeUuid('AAECAwQFBgcICQoLDA0O_x'), /uuid/); // low bits set past 128
  throwsEncode(t, () => new Writer().writeUuid('not-a-uuid'));
  throwsEncode(t, () => new Writer().writeUuid('00000000-0000-0000-0000-000000000000'));
});

test('large buffers are referenced, small ones copied, and output order is kept', (t) => {
  const big = Buffer.alloc(4096, 7);
  const small = hex('0a0b');
  const w = new Writer(16);
  w.writeInt32(1);
  w.writeRaw(big);
  w.writeRaw(small);
  w.writeInt8(9);
  const pieces = w.toBuffers();
  t.true(pieces.includes(big), 'the large buffer is one of the pieces, not a copy');
  t.false(pieces.includes(small));
  t.is(w.length, 4 + 4096 + 2 + 1);
  t.deepEqual(Buffer.concat(pieces), Buffer.concat([hex('00000001'), big, small, hex('09')]));
  t.deepEqual(w.finish(), Buffer.concat(pieces));
});

test('a reserved int32 is patched in place even after many chunks followed', (t) => {
  const w = new Writer(8);
  w.writeInt16(0x0102);
  const at = w.reserveInt32();
  for (let i = 0; i < 20000; i++) w.writeInt8(i % 100);
  const inner = w.reserveInt32();
  w.writeInt8(5);
  w.patchInt32(at, w.length - 6);
  w.patchInt32(inner, -7);
  const out = w.finish();
  t.is(out.length, 2 + 4 + 20000 + 4 + 1);
  t.is(out.readInt16BE(0), 0x0102);
  t.is(out.readInt32BE(2), 20005);
  t.is(out[6 + 123], 23);
  t.is(out.readInt32BE(6 + 20000), -7);
  throwsEncode(t, () => w.patchInt32(99, 1), /unknown reservation/);
});

test('random sequences of writes read back identically across chunk boundaries', (t) => {
  const op = fc.oneof(
    fc.integer({ min: -2147483648, max: 2147483647 }).map((v) => ({ kind: 'int32' as const, v })),
    fc.string({ unit: 'binary', maxLength: 40 }).map((v) => ({ kind: 'string' as const, v })),
    fc.uint8Array({ maxLength: 600 }).map((v) => ({ kind: 'bytes' as const, v: Buffer.from(v) })),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (ops, first) => {
      const w = new Writer(first);
      for (const o of ops) {
        if (o.kind === 'int32') w.writeInt32(o.v);
        else if (o.kind === 'string') w.writeCompactString(o.v);
        else w.writeBytes(o.v);
      }
      const out = w.finish();
      if (out.length !== w.length) return false;
      const r = new Reader(out);
      for (const o of ops) {
        if (o.kind === 'int32' && r.readInt32() !== o.v) return false;
        if (o.kind === 'string' && r.readCompactString() !== o.v) return false;
        if (o.kind === 'bytes' && !r.readBytes().equals(o.v)) return false;
      }
      return r.remaining() === 0;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

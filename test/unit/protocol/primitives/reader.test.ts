import test from 'ava';
import fc from 'fast-check';
import { ProtocolDecodeError } from '../../../../protocol/primitives/errors.js';
import { Reader, ZERO_UUID } from '../../../../protocol/primitives/reader.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const reader = (s: string): Reader => new Reader(hex(s));

function throwsDecode(t: import('ava').ExecutionContext, f: () => unknown, pattern?: RegExp): void {
  const err = t.throws(f);
  t.true(err instanceof ProtocolDecodeError, `expected ProtocolDecodeError, got ${String(err)}`);
  t.is((err as ProtocolDecodeError).code, 'KAFKA_DECODE_ERROR');
  if (pattern) t.regex(err?.message ?? '', pattern);
}

test('unsigned varints from one to five bytes, up to 2^32-1', (t) => {
  t.is(reader('00').readUnsignedVarint(), 0);
  t.is(reader('7f').readUnsignedVarint(), 127);
  t.is(reader('80 01').readUnsignedVarint(), 128);
  t.is(reader('ac 02').readUnsignedVarint(), 300);
  t.is(reader('ff ff ff ff 07').readUnsignedVarint(), 0x7fffffff);
  t.is(reader('ff ff ff ff 0f').readUnsignedVarint(), 0xffffffff);
  // Non-minimal but within five bytes is accepted, as Kafka does.
  const r = reader('80 80 00 05');
  t.is(r.readUnsignedVarint(), 0);
  t.is(r.offset, 3);
});

test('unsigned varints that are too long, too big or truncated are rejected', (t) => {
  throwsDecode(t, () => reader('ff ff ff ff 10').readUnsignedVarint(), /above 2\^32-1|longer than 5/);
  throwsDecode(t, () => reader('80 80 80 80 80 00').readUnsignedVarint(), /longer than 5/);
  throwsDecode(t, () => reader('80').readUnsignedVarint(), /truncated/);
  throwsDecode(t, () => reader('').readUnsignedVarint(), /truncated/);
});

test('zig-zag varints cover the int32 range', (t) => {
  t.is(reader('00').readVarint(), 0);
  t.is(reader('01').readVarint(), -1);
  t.is(reader('02').readVarint(), 1);
  t.is(reader('fe ff ff ff 0f').readVarint(), 2147483647);
  t.is(reader('ff ff ff ff 0f').readVarint(), -2147483648);
});

test('zig-zag varlongs cover the int64 range and stop at ten bytes', (t) => {
  t.is(reader('00').readVarlong(), 0n);
  t.is(reader('01').readVarlong(), -1n);
  t.is(reader('80 80 80 80 10').readVarlong(), 2n ** 31n);
  t.is(reader('fe ff ff ff ff ff ff ff ff 01').readVarlong(), 2n ** 63n - 1n);
  t.is(reader('ff ff ff ff ff ff ff ff ff 01').readVarlong(), -(2n ** 63n));
  throwsDecode(t, () => reader('ff ff ff ff ff ff ff ff ff 02').readVarlong(), /longer than 10|above 64/);
  throwsDecode(t, () => reader('80 80 80 80 80 80 80 80 80 80 00').readVarlong(), /longer than 10/);
  throwsDecode(t, () => reader('ff ff').readVarlong(), /truncated/);
});

test('fixed-width integers, floats and booleans', (t) => {
  const r = reader('ff 80 00 ff ff 80 00 00 00 ff ff ff ff ff ff ff ff ff ff ff fe 3f f0 00 00 00 00 00 00 02 00');
  t.is(r.readInt8(), -1);
  t.is(r.readInt16(), -32768);
  t.is(r.readUint16(), 65535);
  t.is(r.readInt32(), -2147483648);
  t.is(r.readUint32(), 4294967295);
  t.is(r.readInt64(), -2n);
  t.is(r.readFloat64(), 1);
  t.is(r.readBool(), true); // any non-zero byte is true
  t.is(r.readBool(), false);
  t.is(r.remaining(), 0);
});

test('strings: classic, nullable, compact; null where not allowed is an error', (t) => {
  t.is(reader('00 02 68 69').readString(), 'hi');
  t.is(reader('ff ff').readNullableString(), null);
  throwsDecode(t, () => reader('ff ff').readString(), /not nullable/);
  throwsDecode(t, () => reader('ff fe').readNullableString(), /length -2/);
  throwsDecode(t, () => reader('00 05 68 69').readString(), /needs 5 bytes/);
  t.is(reader('03 68 69').readCompactString(), 'hi');
  t.is(reader('00').readCompactNullableString(), null);
  throwsDecode(t, () => reader('00').readCompactString(), /not nullable/);
  t.is(reader('00 03 e2 82 ac').readString(), '€');
});

test('bytes are zero-copy views of the input', (t) => {
  const src = hex('00 00 00 03 01 02 03 04 0a 0b 0c');
  const r = new Reader(src);
  const b = r.readBytes();
  t.deepEqual(b, hex('01 02 03'));
  t.is(b.buffer, src.buffer);
  t.is(b.byteOffset, src.byteOffset + 4);
  t.deepEqual(r.readCompactBytes(), hex('0a 0b 0c'));
  t.is(reader('ff ff ff ff').readNullableBytes(), null);
  throwsDecode(t, () => reader('ff ff ff ff').readBytes(), /not nullable/);
  throwsDecode(t, () => reader('7f ff ff ff 00').readBytes(), /needs 2147483647 bytes/);
});

test('uuids read as base64url text like Java Uuid.toString()', (t) => {
  t.is(new Reader(Buffer.alloc(16)).readUuid(), ZERO_UUID);
  t.is(reader('00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e ff').readUuid(), 'AAECAwQFBgcICQoLDA0O_w');
});

test('array counts are checked against the bytes left before anything is allocated', (t) => {
  t.is(reader('ff ff ff ff').readArrayLength(), -1);
  t.is(reader('00 00 00 02 00 00').readArrayLength(), 2);
  throwsDecode(t, () => reader('00 00 00 03 00 00').readArrayLength(), /3 elements but 2 bytes left/);
  throwsDecode(t, () => reader('ff ff ff fe').readArrayLength(), /length -2/);
  throwsDecode(t, () => reader('7f ff ff ff').readArrayLength());
  t.is(reader('00').readCompactArrayLength(), -1);
  t.is(reader('03 00 00').readCompactArrayLength(), 2);
  throwsDecode(t, () => reader('ff ff ff ff 0f').readCompactArrayLength());
});

test('tagged-field helpers bound every field by its size', (t) => {
  const r = reader('02 05 01 aa 07 02 bb cc');
  r.skipTaggedFields();
  t.is(r.remaining(), 0);
  throwsDecode(t, () => reader('01 05 09 aa').skipTaggedFields());
  // A huge count runs out of input instead of looping.
  throwsDecode(t, () => reader('ff ff ff ff 0f 00 00').skipTaggedFields());
  const r2 = reader('aa bb');
  const end = r2.taggedFieldEnd(1);
  r2.readInt16();
  throwsDecode(t, () => r2.checkTaggedFieldEnd(end, 4), /tagged field 4/);
});

test('every read on short input throws ProtocolDecodeError and nothing else', (t) => {
  const reads: ((r: Reader) => unknown)[] = [
    (r) => r.readInt8(),
    (r) => r.readInt16(),
    (r) => r.readUint16(),
    (r) => r.readInt32(),
    (r) => r.readUint32(),
    (r) => r.readInt64(),
    (r) => r.readFloat64(),
    (r) => r.readBool(),
    (r) => r.readUuid(),
    (r) => r.readUnsignedVarint(),
    (r) => r.readVarint(),
    (r) => r.readVarlong(),
    (r) => r.readString(),
    (r) => r.readNullableString(),
    (r) => r.readCompactString(),
    (r) => r.readCompactNullableString(),
    (r) => r.readBytes(),
    (r) => r.readNullableBytes(),
    (r) => r.readCompactBytes(),
    (r) => r.readCompactNullableBytes(),
    (r) => r.readArrayLength(),
    (r) => r.readCompactArrayLength(),
    (r) => r.skipTaggedFields(),
    (r) => r.readSlice(r.remaining() + 1),
  ];
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), fc.integer({ min: 0, max: reads.length - 1 }), (bytes, i) => {
      const r = new Reader(Buffer.from(bytes));
      try {
        reads[i](r);
      } catch (e) {
        if (!(e instanceof ProtocolDecodeError)) throw e;
      }
      return r.offset <= r.end;
    }),
    { numRuns: 5000 },
  );
  t.pass();
});

test('a reader window outside its buffer is refused', (t) => {
  throwsDecode(t, () => new Reader(Buffer.alloc(4), 5));
  throwsDecode(t, () => new Reader(Buffer.alloc(4), 0, 8));
  const r = new Reader(hex('01 02 03 04'), 1, 3);
  t.is(r.readInt16(), 0x0203);
  throwsDecode(t, () => r.readInt8());
});

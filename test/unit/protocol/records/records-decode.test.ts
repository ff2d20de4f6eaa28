/**
 * decodeRecords, the v2 record loop, on hand-built record bytes: fields, views, headers, the
 * header-key cache, and every corrupt-input path with the exact message and byte position.
 * The bytes sit at position 3 of a buffer that itself starts 5 bytes into its ArrayBuffer, so
 * a position or view computed from the wrong base shows.
 */
import test from 'ava';
import { RecordBatchCorruptError } from '../../../../protocol/records/errors.js';
import { decodeRecords } from '../../../../protocol/records/records-decode.js';
import type { KafkaRecord } from '../../../../protocol/records/record-types.js';

const LEAD = 3;

/** Zigzag varint/varlong bytes, written from the protocol documentation. */
function zz(n: number): number[] {
  let v = n >= 0 ? BigInt(n) << 1n : (BigInt(-n) << 1n) - 1n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

type Part = number[] | Buffer | string;
const bytes = (...parts: Part[]): number[] =>
  parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : [...p]));
const field = (b: Buffer | string | null): number[] => (b === null ? zz(-1) : bytes(zz(Buffer.byteLength(b)), b));

/** One record: its body after the length, then the length prefix (the real one unless given). */
function record(
  r: { tsDelta?: number; offsetDelta?: number; key?: Buffer | string | null; value?: Buffer | string | null; headers?: [string, Buffer | string | null][] },
  extra: number[] = [],
  length?: number,
): number[] {
  const body = bytes(
    [0],
    zz(r.tsDelta ?? 0),
    zz(r.offsetDelta ?? 0),
    field(r.key ?? null),
    field(r.value ?? null),
    zz(r.headers?.length ?? 0),
    ...(r.headers ?? []).map(([k, v]) => bytes(field(k), field(v))),
    extra,
  );
  return [...zz(length ?? body.length), ...body];
}

function decode(records: number[], count: number, logAppendTime = -1, lead = LEAD): KafkaRecord[] {
  const backing = Buffer.alloc(5 + lead + records.length + 4, 0xee);
  const buf = backing.subarray(5);
  Buffer.from(records).copy(buf, lead);
  return decodeRecords(buf, lead, lead + records.length, count, 1000n, 1_700_000_000_000, logAppendTime);
}

function corruptAt(t: { throws: (fn: () => unknown, e: object) => unknown }, records: number[], count: number, message: string, at: number): void {
  t.throws(() => decode(records, count), { instanceOf: RecordBatchCorruptError, message: `${message} (at byte ${LEAD + at})` });
}

const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('latin1'));

test('records decode with offsets, timestamps, keys, values and headers as views', (t) => {
  const bin = Buffer.from([0, 0xff, 0x80, 7]);
  const data = bytes(
    record({ tsDelta: 5, offsetDelta: 0, key: 'k1', value: 'v1', headers: [['h', bin], ['h', null], ['é-key', 'x']] }),
    record({ tsDelta: -3, offsetDelta: 2, key: null, value: '' }),
    record({ tsDelta: 300, offsetDelta: 200, key: '', value: null, headers: [['a-header-key-longer-than-24-bytes', 'y']] }),
  );
  const out = decode(data, 3);
  t.is(out.length, 3);
  t.deepEqual(out.map((r) => r.offset), [1000n, 1002n, 1200n]);
  t.deepEqual(out.map((r) => r.timestamp), [1_700_000_000_005, 1_699_999_999_997, 1_700_000_000_300]);
  t.deepEqual(out.map((r) => str(r.key)), ['k1', null, '']);
  t.deepEqual(out.map((r) => str(r.value)), ['v1', '', null]);
  const [h0, h1, h2] = out[0]!.headers;
  t.is(h0![0], 'h');
  t.true(h0![1]!.equals(bin));
  t.deepEqual([h1![0], h1![1]], ['h', null]);
  t.is(h2![0], 'é-key');
  t.is(str(h2![1]!), 'x');
  t.is(out[1]!.headers.length, 0);
  // Records without headers share one frozen empty list rather than allocating one each.
  t.true(Object.isFrozen(out[1]!.headers));
  t.is(out[1]!.headers, decode(record({}), 1)[0]!.headers);
  t.is(out[2]!.headers[0]![0], 'a-header-key-longer-than-24-bytes');
  // Keys are views into the input, not copies.
  t.true(Buffer.isBuffer(out[0]!.key));
  t.is(out[0]!.key!.byteOffset, 5 + LEAD + 5);
});

test('a LogAppendTime batch stamps every record with the batch time', (t) => {
  const out = decode(bytes(record({ tsDelta: 5 }), record({ tsDelta: 9, offsetDelta: 1 })), 2, 42);
  t.deepEqual(out.map((r) => r.timestamp), [42, 42]);
  t.deepEqual(decode(record({ tsDelta: 9 }), 1, 0).map((r) => r.timestamp), [0]);
});

test('header keys are shared across records by position, and differing keys of one length are not confused', (t) => {
  const data = bytes(
    record({ headers: [['aa', '1'], ['bb', '2']] }),
    record({ offsetDelta: 1, headers: [['aa', '3'], ['bc', '4']] }),
    record({ offsetDelta: 2, headers: [['ab', '5'], ['bc', '6'], ['new', '7']] }),
  );
  const out = decode(data, 3);
  t.deepEqual(out.map((r) => r.headers.map(([k, v]) => `${k}=${str(v)}`).join(',')), ['aa=1,bb=2', 'aa=3,bc=4', 'ab=5,bc=6,new=7']);
  // Non-ASCII keys of equal length in the same slot.
  const utf = decode(bytes(record({ headers: [['é', '1']] }), record({ offsetDelta: 1, headers: [['ü', '2']] })), 2);
  t.deepEqual(utf.map((r) => r.headers[0]![0]), ['é', 'ü']);
  // Bytes that are not UTF-8 (0x80 alone, 0xff) decode to replacement characters, as Buffer#toString does.
  const raw = decode(bytes(record({ headers: [[Buffer.from([0x61, 0x80]).toString('latin1'), null]] })), 1);
  t.is(raw[0]!.headers[0]![0], Buffer.from([0x61, 0xc2, 0x80]).toString('utf8'));
  const invalid = decodeRecords(Buffer.from([...zz(13), 0, 0, 0, 1, 1, 4, 4, 0x61, 0x80, 1, 2, 0xff, 1]), 0, 14, 1, 0n, 0, -1);
  t.deepEqual(invalid[0]!.headers.map(([k]) => k), ['a\ufffd', '\ufffd']);
  // More than eight header positions: the later ones are decoded every time, still correctly.
  const many: [string, string][] = Array.from({ length: 10 }, (_, i) => [`k${i}`, `${i}`]);
  const manyOut = decode(bytes(record({ headers: many }), record({ offsetDelta: 1, headers: many.map(([k]) => [k.toUpperCase(), k]) })), 2);
  t.deepEqual(manyOut[0]!.headers.map(([k]) => k), many.map(([k]) => k));
  t.deepEqual(manyOut[1]!.headers.map(([k]) => k), many.map(([k]) => k.toUpperCase()));
});

test('the smallest records (7 bytes) fill the count limit exactly', (t) => {
  const minimal = record({});
  t.is(minimal.length, 7);
  t.is(decode(bytes(minimal, minimal), 2).length, 2);
  t.deepEqual(decode([], 0), []);
});

test('record counts that cannot be right are corrupt', (t) => {
  const minimal = record({});
  corruptAt(t, bytes(minimal, minimal), -1, 'negative record count -1', 0);
  corruptAt(t, bytes(minimal, minimal), 3, 'record count 3 cannot fit in 14 bytes', 0);
  // The same far into the buffer: the room is what lies between start and end.
  t.throws(() => decode(bytes(minimal, minimal), 3, -1, 200), { message: 'record count 3 cannot fit in 14 bytes (at byte 200)' });
  // Fewer records than the bytes hold.
  corruptAt(t, bytes(minimal, minimal), 1, '7 bytes left after the batch\'s 1 records', 7);
});

test('record lengths outside [6, bytes left] are corrupt', (t) => {
  corruptAt(t, record({}, [], 5), 1, 'record length 5 does not fit the batch', 1);
  corruptAt(t, bytes(record({}, [], 7), [0]), 1, 'record declares 7 bytes but its fields end elsewhere', 7);
  corruptAt(t, record({}, [], 7), 1, 'record length 7 does not fit the batch', 1);
  corruptAt(t, [...zz(-1), 0, 0, 0, 1, 1, 0], 1, 'record length -1 does not fit the batch', 1);
});

test('key and value lengths that run past their record, or below -1, are corrupt', (t) => {
  // length, attributes, ts delta, offset delta, then the key length at index 4.
  const head = [0, 0, 0];
  const rec = (...rest: number[][]): number[] => {
    const body = [...head, ...rest.flat()];
    return [...zz(body.length), ...body];
  };
  corruptAt(t, rec(zz(5), [0x61, 0x62], zz(-1), zz(0)), 1, 'key length 5 runs past its record', 5);
  corruptAt(t, rec(zz(-2), zz(-1), zz(0), [0]), 1, 'invalid key length -2', 5);
  corruptAt(t, rec(zz(-1), zz(4), [0x61], zz(0), [0]), 1, 'value length 4 runs past its record', 6);
  corruptAt(t, rec(zz(-1), zz(-2), zz(0), [0]), 1, 'invalid value length -2', 6);
  // A key or value that ends exactly at the record end is read (then the next varint has no room).
  corruptAt(t, rec(zz(2), [0x61, 0x62]), 1, 'varint runs past the end of the records', 7);
  corruptAt(t, rec(zz(-1), zz(2), [0x61, 0x62]), 1, 'varint runs past the end of the records', 8);
});

test('header counts and lengths that cannot be right are corrupt', (t) => {
  const rec = (...rest: number[][]): number[] => {
    const body = [0, 0, 0, ...zz(-1), ...zz(-1), ...rest.flat()];
    return [...zz(body.length), ...body];
  };
  // Header count at index 6; its first header from index 7.
  corruptAt(t, rec(zz(-1), [0, 0]), 1, 'header count -1 cannot fit in its record', 7);
  corruptAt(t, rec(zz(2), zz(0), zz(-1)), 1, 'header count 2 cannot fit in its record', 7);
  // Exactly as many two-byte headers as fit.
  const fits = decode(rec(zz(2), zz(0), zz(-1), zz(0), zz(-1)), 1);
  t.deepEqual(fits[0]!.headers.map(([k, v]) => [k, v]), [['', null], ['', null]]);
  corruptAt(t, rec(zz(1), zz(-1), [0, 0]), 1, 'header key length -1 is invalid', 8);
  corruptAt(t, rec(zz(1), zz(3), [0x61], zz(-1)), 1, 'header key length 3 is invalid', 8);
  corruptAt(t, rec(zz(1), zz(1), [0x61], zz(2), [0x62]), 1, 'header value length 2 runs past its record', 10);
  corruptAt(t, rec(zz(1), zz(1), [0x61], zz(-3), [0]), 1, 'invalid header value length -3', 10);
  // A header key ending exactly at the record end is read, then its value length has no room.
  corruptAt(t, rec(zz(1), zz(2), [0x61, 0x62]), 1, 'varint runs past the end of the records', 10);
  // A header value ending exactly at the record end is fine.
  const exact = decode(rec(zz(1), zz(1), [0x61], zz(1), [0x62]), 1);
  t.is(str(exact[0]!.headers[0]![1]!), 'b');
});

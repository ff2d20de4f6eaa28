import test from 'ava';
import fc from 'fast-check';
import { crc32c } from '../../../../protocol/records/crc32c.js';
import { crc32cTable } from '../../../../protocol/records/crc32c-table.js';
import { crc32 } from '../../../../protocol/records/crc32.js';

// Check values from the CRC catalogue and RFC 3720 (iSCSI) appendix B.4.
const vectors: [string, Buffer, number][] = [
  ['"123456789"', Buffer.from('123456789'), 0xe3069283],
  ['empty input', Buffer.alloc(0), 0],
  ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
  ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['bytes 0..31', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['bytes 31..0', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
];

for (const [name, input, expected] of vectors) {
  test(`crc32c of ${name}`, (t) => {
    t.is(crc32c(input), expected);
    t.is(crc32cTable(input), expected);
  });
}

test('crc32c of a large input (native path when available) equals the table version', (t) => {
  const big = Buffer.alloc(200_003);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  t.is(crc32c(big), crc32cTable(big));
  t.is(crc32c(big, 5, 150_000), crc32cTable(big.subarray(5, 150_000)));
});

test('crc32c over a range equals crc32c of the slice, for any bytes and range', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const data = Buffer.from(bytes);
      const start = data.length === 0 ? 0 : a % (data.length + 1);
      const end = start + (data.length === 0 ? 0 : b % (data.length - start + 1));
      const expected = crc32cTable(data.subarray(start, end));
      return crc32c(data, start, end) === expected && crc32cTable(data, start, end) === expected;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('crc32cTable continues from a previous CRC', (t) => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog');
  t.is(crc32cTable(data, 10, data.length, crc32cTable(data, 0, 10)), crc32cTable(data));
});

test('crc32 (IEEE, legacy messages) check value', (t) => {
  t.is(crc32(Buffer.from('123456789')), 0xcbf43926);
  t.is(crc32(Buffer.alloc(0)), 0);
});

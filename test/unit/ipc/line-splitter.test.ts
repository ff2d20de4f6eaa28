import test from 'ava';
import fc from 'fast-check';
import { LineSplitter } from '../../../ipc/line-splitter.js';

const text = (lines: Buffer[]): string[] => lines.map((l) => l.toString('utf8'));

test('splits lines, keeps an unfinished line for the next chunk, drops "\\r" before "\\n"', (t) => {
  const s = new LineSplitter(100);
  t.deepEqual(text(s.push(Buffer.from('one\ntw')).lines), ['one']);
  t.is(s.bufferedBytes, 2);
  t.deepEqual(text(s.push(Buffer.from('o\r\n\nthree\n')).lines), ['two', '', 'three']);
  t.is(s.bufferedBytes, 0);
});

test('a line of exactly maxLineBytes passes, one byte more overflows', (t) => {
  const ok = new LineSplitter(5);
  t.deepEqual(ok.push(Buffer.from('abcde\n')), { lines: [Buffer.from('abcde')], overflow: false });
  const over = new LineSplitter(5);
  const result = over.push(Buffer.from('xy\nabcdef\nlater\n'));
  t.true(result.overflow);
  t.deepEqual(text(result.lines), ['xy'], 'lines complete before the long one are still delivered');
  t.true(over.hasOverflowed);
  t.deepEqual(over.push(Buffer.from('more\n')), { lines: [], overflow: true }, 'nothing is accepted after an overflow');
});

test('the limit is enforced while a line accumulates, before any newline arrives', (t) => {
  const s = new LineSplitter(1024);
  const chunk = Buffer.alloc(300, 0x61);
  t.false(s.push(chunk).overflow);
  t.false(s.push(chunk).overflow);
  t.false(s.push(chunk).overflow);
  t.true(s.push(chunk).overflow, 'the fourth chunk crosses 1024 bytes with no newline in sight');
  t.is(s.bufferedBytes, 0, 'and the accumulated bytes are released');
});

test('a big line in many small chunks is linear: 8 MiB in 4 KiB chunks', (t) => {
  const size = 8 * 1024 * 1024;
  const s = new LineSplitter(size);
  const chunk = Buffer.alloc(4096, 0x62);
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < size; sent += chunk.length) t.is(s.push(chunk).lines.length, 0);
  const { lines } = s.push(Buffer.from('\n'));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.is(lines.length, 1);
  t.is(lines[0]?.length, size);
  // A quadratic splitter (concat per chunk) copies ~16 TB·chunks here and takes minutes.
  t.true(ms < 2000, `took ${ms} ms`);
});

test('the caller may reuse a chunk buffer after push: kept bytes are copied', (t) => {
  const s = new LineSplitter(100);
  const chunk = Buffer.from('abc');
  s.push(chunk);
  chunk.fill(0x7a);
  t.deepEqual(text(s.push(Buffer.from('\n')).lines), ['abc']);
});

test('rejects a limit that is not a positive integer', (t) => {
  t.throws(() => new LineSplitter(0), { instanceOf: RangeError });
  t.throws(() => new LineSplitter(1.5), { instanceOf: RangeError });
});

test('property: any chunking of a stream gives the same lines as one chunk', (t) => {
  const lineArb = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ''));
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (lines, cuts) => {
      const stream = Buffer.from(lines.map((l) => l + '\n').join(''));
      const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
      const s = new LineSplitter(1000);
      const got: string[] = [];
      let from = 0;
      for (const at of [...points, stream.length]) {
        got.push(...text(s.push(stream.subarray(from, at)).lines));
        from = at;
      }
      t.deepEqual(got, lines);
      t.is(s.bufferedBytes, 0);
    }),
    { numRuns: 500 },
  );
});

test('property: with a limit, a stream overflows exactly when some line is longer than the limit', (t) => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 17 }), (lengths, limit, chunkSize) => {
      const stream = Buffer.from(lengths.map((n) => 'x'.repeat(n) + '\n').join(''));
      const s = new LineSplitter(limit);
      let overflow = false;
      let count = 0;
      for (let i = 0; i < stream.length && !overflow; i += chunkSize) {
        const r = s.push(stream.subarray(i, i + chunkSize));
        count += r.lines.length;
        overflow = r.overflow;
      }
      const firstLong = lengths.findIndex((n) => n > limit);
      t.is(overflow, firstLong !== -1);
      t.is(count, firstLong === -1 ? lengths.length : firstLong);
    }),
    { numRuns: 500 },
  );
});

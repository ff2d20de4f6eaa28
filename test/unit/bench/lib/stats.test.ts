import test from 'ava';
import fc from 'fast-check';
import { median, summarize } from '../../../../bench/lib/stats.js';

test('median of an odd count is the middle value, of an even count the mean of the middle two', (t) => {
  t.is(median([5]), 5);
  t.is(median([3, 1, 2]), 2);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.is(median([10, 10, 1, 1000]), 10);
});

test('median does not reorder its input', (t) => {
  const values = [3, 1, 2];
  median(values);
  t.deepEqual(values, [3, 1, 2]);
});

test('summarize gives median, min, max and count', (t) => {
  t.deepEqual(summarize([7, 2, 9, 4]), { median: 5.5, min: 2, max: 9, n: 4 });
  t.deepEqual(summarize([-1]), { median: -1, min: -1, max: -1, n: 1 });
});

test('empty lists and non-finite values are refused by name', (t) => {
  t.throws(() => median([]), { instanceOf: RangeError, message: /empty/ });
  t.throws(() => summarize([]), { instanceOf: RangeError, message: /empty/ });
  t.throws(() => summarize([1, Number.NaN]), { instanceOf: RangeError, message: /non-finite/ });
  t.throws(() => summarize([Infinity]), { instanceOf: RangeError, message: /non-finite/ });
});

test('property: min <= median <= max, and the median splits the values in half', (t) => {
  fc.assert(
    fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 50 }), (values) => {
      const s = summarize(values);
      const below = values.filter((v) => v < s.median).length;
      const above = values.filter((v) => v > s.median).length;
      return s.min <= s.median && s.median <= s.max && below <= values.length / 2 && above <= values.length / 2;
    }),
  );
  t.pass();
});

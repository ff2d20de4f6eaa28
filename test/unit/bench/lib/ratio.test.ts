import test from 'ava';
import { advantage, ratioKey, splitRatioKey } from '../../../../bench/lib/ratio.js';

test('higher-is-better metrics: ours/theirs, so a faster ours gives > 1', (t) => {
  t.is(advantage(200, 100, 'higher'), 2);
  t.is(advantage(100, 200, 'higher'), 0.5);
});

test('lower-is-better metrics: theirs/ours, so a quicker or smaller ours gives > 1', (t) => {
  t.is(advantage(10, 20, 'lower'), 2);
  t.is(advantage(40, 20, 'lower'), 0.5);
});

test('ratios without a finite positive value are null rather than Infinity or NaN in JSON', (t) => {
  t.is(advantage(0, 5, 'lower'), null);
  t.is(advantage(5, 0, 'higher'), null);
  t.is(advantage(0, 0, 'higher'), null);
  t.is(advantage(0, 5, 'higher'), null);
});

test('ratio keys split at the last slash, so scoped package names survive', (t) => {
  const key = ratioKey('@platformatic/kafka', 'records_per_second');
  t.is(key, '@platformatic/kafka/records_per_second');
  t.deepEqual(splitRatioKey(key), { candidate: '@platformatic/kafka', metric: 'records_per_second' });
  t.deepEqual(splitRatioKey('kafkajs/p99'), { candidate: 'kafkajs', metric: 'p99' });
  t.throws(() => splitRatioKey('no-slash'), { instanceOf: RangeError });
});

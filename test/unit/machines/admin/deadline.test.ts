import test from 'ava';
import { Deadline, retryDelayMs } from '../../../../machines/admin/deadline.js';

test('a deadline counts down from its timeout and never offers less than 1 ms', (t) => {
  let now = 1000;
  const deadline = new Deadline(500, () => now);
  t.is(deadline.remaining(), 500);
  t.false(deadline.expired());
  now = 1400;
  t.is(deadline.remaining(), 100);
  now = 1500;
  t.true(deadline.expired());
  t.is(deadline.remaining(), 1);
});

test('retry delays double from 50 ms up to 1 s', (t) => {
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 40].map(retryDelayMs), [50, 100, 200, 400, 800, 1000, 1000, 1000]);
});

test('pause refuses without waiting when the delay would end past the deadline', async (t) => {
  let now = 0;
  const deadline = new Deadline(120, () => now);
  t.true(await deadline.pause(0));
  now = 80;
  const started = Date.now();
  t.false(await deadline.pause(0));
  t.true(Date.now() - started < 40);
});

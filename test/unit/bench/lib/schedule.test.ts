import test from 'ava';
import { alternatingSchedule } from '../../../../bench/lib/schedule.js';

test('candidates alternate round by round, warm-up rounds first', (t) => {
  const order = alternatingSchedule(['a', 'b', 'c'], 2, 1).map((s) => `${s.warmup ? 'w' : 'r'}${s.rep}:${s.candidate}`);
  t.deepEqual(order, ['w0:a', 'w0:b', 'w0:c', 'r0:a', 'r0:b', 'r0:c', 'r1:a', 'r1:b', 'r1:c']);
});

test('no candidate runs twice in a row when there are two or more', (t) => {
  for (const names of [['a', 'b'], ['a', 'b', 'c', 'd']]) {
    const slots = alternatingSchedule(names, 5, 2);
    t.is(slots.length, names.length * 7);
    for (let i = 1; i < slots.length; i++) t.not(slots[i]!.candidate, slots[i - 1]!.candidate);
    for (const n of names) t.is(slots.filter((s) => s.candidate === n && !s.warmup).length, 5);
  }
});

test('bad counts are refused', (t) => {
  t.throws(() => alternatingSchedule(['a'], 0, 0), { instanceOf: RangeError, message: /reps/ });
  t.throws(() => alternatingSchedule(['a'], 1.5, 0), { instanceOf: RangeError, message: /reps/ });
  t.throws(() => alternatingSchedule(['a'], 1, -1), { instanceOf: RangeError, message: /warmup/ });
});

import test from 'ava';
import fc from 'fast-check';
import { RingBuffer } from '../../../../../daemon/http/viz/ring-buffer.js';

test('keeps the newest items up to its capacity and reports what it evicts', (t) => {
  const ring = new RingBuffer<number>(3);
  t.is(ring.push(1), undefined);
  t.is(ring.push(2), undefined);
  t.is(ring.push(3), undefined);
  t.is(ring.push(4), 1);
  t.deepEqual(ring.toArray(), [2, 3, 4]);
  t.is(ring.shift(), 2);
  t.is(ring.size, 2);
  t.deepEqual(ring.toArray(), [3, 4]);
});

test('behaves like an array trimmed to the last N items', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.oneof(fc.integer(), fc.constant<'shift'>('shift')), { maxLength: 60 }), (capacity, ops) => {
      const ring = new RingBuffer<number>(capacity);
      let model: number[] = [];
      for (const op of ops) {
        if (op === 'shift') t.is(ring.shift(), model.shift());
        else {
          ring.push(op);
          model = [...model, op].slice(-capacity);
        }
      }
      t.deepEqual(ring.toArray(), model);
      t.is(ring.size, model.length);
    }),
  );
});

test('a capacity that is not a positive integer is refused', (t) => {
  for (const bad of [0, -1, 1.5, Number.NaN]) t.throws(() => new RingBuffer(bad), { instanceOf: RangeError, message: /positive integer/ });
});

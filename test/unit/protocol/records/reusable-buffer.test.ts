// ReusableBuffer: the same memory lent again, grown by doubling up to its cap, nothing above it.
import test from 'ava';
import { ReusableBuffer } from '../../../../protocol/records/reusable-buffer.js';

test('take() lends the same memory again while it is big enough', (t) => {
  const reusable = new ReusableBuffer(1024);
  const a = reusable.take(100)!;
  a[0] = 7;
  const b = reusable.take(50)!;
  t.is(b.length, 50);
  t.is(b.buffer, a.buffer);
  t.is(b.byteOffset, a.byteOffset);
  t.is(b[0], 7);
});

test('take() grows to at least twice what it had, never above maxBytes, and refuses more than maxBytes', (t) => {
  const reusable = new ReusableBuffer(1000);
  const first = reusable.take(100)!;
  const second = reusable.take(150)!;
  t.not(second.buffer, first.buffer);
  t.is(second.length, 150);
  // 200 bytes were allocated for 150 (twice 100), so 200 still fits without a new buffer.
  t.is(reusable.take(200)!.buffer, second.buffer);
  // Doubling 200 gives 400; 900 needs more than that and gets 900, capped below 1000.
  const big = reusable.take(900)!;
  t.is(big.buffer.byteLength, 900);
  const full = reusable.take(1000)!;
  t.is(full.buffer.byteLength, 1000);
  t.not(full.buffer, big.buffer);
  t.is(reusable.take(1001), undefined);
  t.is(reusable.take(0)!.length, 0);
});

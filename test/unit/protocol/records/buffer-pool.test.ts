// BufferPool: released batch memory is handed out again; foreign, repeated and oversized
// releases are ignored, so a caller's mistake cannot give one buffer to two owners.
import test from 'ava';
import { BufferPool, MAX_POOLED, MIN_POOLED } from '../../../../protocol/records/buffer-pool.js';

test('take() gives a view of the asked length on power-of-two memory; release() makes that memory the next take of its class', (t) => {
  const pool = new BufferPool();
  const a = pool.take(65_000);
  t.is(a.length, 65_000);
  t.is(a.buffer.byteLength, 65_536);
  t.is(a.byteOffset, 0);
  pool.release(a.subarray(10, 20));
  t.is(pool.pooledBytes, 65_536);
  const b = pool.take(40_000);
  t.is(b.buffer, a.buffer);
  t.is(b.length, 40_000);
  t.is(pool.pooledBytes, 0);
  // Another class does not get it.
  pool.release(b);
  t.not(pool.take(100_000).buffer, a.buffer);
  t.is(pool.take(MIN_POOLED).buffer.byteLength, MIN_POOLED);
});

test('sizes outside MIN_POOLED..MAX_POOLED are plain allocations and never pooled', (t) => {
  const pool = new BufferPool();
  for (const size of [0, 100, MIN_POOLED - 1, MAX_POOLED + 1]) {
    const buf = pool.take(size);
    t.is(buf.length, size);
    pool.release(buf);
  }
  t.is(pool.pooledBytes, 0);
});

test('memory the pool did not make, a second release and anything beyond maxPooledBytes are ignored', (t) => {
  const pool = new BufferPool(100_000);
  pool.release(Buffer.allocUnsafeSlow(65_536));
  pool.release(Buffer.allocUnsafe(100));
  t.is(pool.pooledBytes, 0);
  const a = pool.take(65_536);
  const b = pool.take(65_536);
  pool.release(a);
  pool.release(a);
  t.is(pool.pooledBytes, 65_536);
  pool.release(b);
  t.is(pool.pooledBytes, 65_536, 'a second 64 KiB would pass the 100 000-byte cap');
  const c = pool.take(65_536);
  const d = pool.take(65_536);
  t.is(c.buffer, a.buffer);
  t.not(d.buffer, a.buffer, 'the twice-released buffer is handed out once');
});

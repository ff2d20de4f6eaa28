import test from 'ava';
import fc from 'fast-check';
import { backoffDelayMs, BackoffPolicyError, checkBackoffPolicy } from '../../../machines/backoff.js';

const policy = { minMs: 100, maxMs: 10_000, jitter: 0 };

test('delays double per attempt and stop at the cap', (t) => {
  t.deepEqual([0, 1, 2, 3, 6, 7, 50, 5000].map((a) => backoffDelayMs(a, policy)), [100, 200, 400, 800, 6400, 10_000, 10_000, 10_000]);
});

test('jitter takes up to its share off the delay', (t) => {
  const p = { minMs: 1000, maxMs: 1000, jitter: 0.5 };
  t.is(backoffDelayMs(0, p, () => 0), 1000);
  t.is(backoffDelayMs(0, p, () => 0.999999), 500);
  t.is(backoffDelayMs(0, { minMs: 1000, maxMs: 1000 }, () => 0.5), 900, 'default jitter is 0.2');
});

test('every delay lies within [d * (1 - jitter), min(max, min * 2^n)]', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 100_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 200 }),
      fc.double({ min: 0, max: 0.999999, noNaN: true }),
      (minMs, extra, jitter, attempt, r) => {
        const p = { minMs, maxMs: minMs + extra, jitter };
        const d = backoffDelayMs(attempt, p, () => r);
        const top = Math.min(p.maxMs, minMs * 2 ** Math.min(attempt, 31));
        return d <= Math.round(top) && d >= Math.floor(top * (1 - jitter)) && Number.isFinite(d);
      },
    ),
  );
  t.pass();
});

test('bad policies and attempts are refused with the problem named', (t) => {
  t.is(t.throws(() => checkBackoffPolicy({ minMs: -1, maxMs: 5 }), { instanceOf: BackoffPolicyError })?.code, 'INVALID_BACKOFF_POLICY');
  t.regex(t.throws(() => checkBackoffPolicy({ minMs: 10, maxMs: 5 }))?.message ?? '', /maxMs must be finite and >= minMs \(10\), got 5/);
  t.regex(t.throws(() => checkBackoffPolicy({ minMs: 1, maxMs: 5, jitter: 1.5 }))?.message ?? '', /jitter must lie in \[0, 1\], got 1.5/);
  t.regex(t.throws(() => checkBackoffPolicy({ minMs: NaN, maxMs: 5 }))?.message ?? '', /minMs/);
  t.regex(t.throws(() => backoffDelayMs(-1, policy))?.message ?? '', /attempt must be an integer >= 0, got -1/);
  t.regex(t.throws(() => backoffDelayMs(1.5, policy))?.message ?? '', /got 1.5/);
});

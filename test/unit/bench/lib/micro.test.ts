// Serial: the tests time real work and read the shared result sink.
import test from 'ava';
import { lastResult, measureOps, timeCalls } from '../../../../bench/lib/micro.js';

test.serial('synchronous functions: calls counted, rate is calls over measured seconds', async (t) => {
  let calls = 0;
  const r = await measureOps(() => ++calls, { seconds: 0.05, warmupSeconds: 0.01, clock: 'wall' });
  t.true(r.seconds >= 0.05);
  t.true(r.calls > 0);
  t.true(calls >= r.calls + 1, 'warm-up and the first probing call come on top');
  t.is(r.opsPerSecond, r.calls / r.seconds);
  t.is(lastResult(), calls);
});

test.serial('asynchronous functions are awaited before the next call', async (t) => {
  let running = 0;
  let overlapped = false;
  const r = await measureOps(
    async () => {
      running++;
      if (running > 1) overlapped = true;
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return 'done';
    },
    { seconds: 0.03, warmupSeconds: 0, clock: 'wall' },
  );
  t.false(overlapped);
  t.true(r.calls > 0);
  t.is(lastResult(), 'done');
});

test.serial('the CPU clock measures CPU-bound work', async (t) => {
  const r = await measureOps(() => JSON.stringify({ a: [1, 2, 3] }), { seconds: 0.05, warmupSeconds: 0 });
  t.true(r.seconds >= 0.05);
  t.true(r.opsPerSecond > 0);
});

test.serial('timeCalls makes exactly the number of calls asked for', async (t) => {
  let calls = 0;
  const seconds = await timeCalls(() => ++calls, 1234, 'wall');
  t.is(calls, 1234);
  t.true(seconds >= 0);
  let awaited = 0;
  await timeCalls(async () => {
    await Promise.resolve();
    awaited++;
  }, 10);
  t.is(awaited, 10);
});

test.serial('bad options are refused', async (t) => {
  await t.throwsAsync(measureOps(() => 1, { seconds: 0 }), { instanceOf: RangeError, message: /seconds/ });
  await t.throwsAsync(measureOps(() => 1, { warmupSeconds: -1 }), { instanceOf: RangeError, message: /warmupSeconds/ });
  await t.throwsAsync(timeCalls(() => 1, 0), { instanceOf: RangeError, message: /calls/ });
});

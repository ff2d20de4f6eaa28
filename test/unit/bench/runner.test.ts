import test from 'ava';
import { BenchErrorCode } from '../../../bench/lib/errors.js';
import type { JsonValue, Scenario } from '../../../bench/lib/scenario.js';
import { reproduceCommand, resolveCounts, runScenario } from '../../../bench/runner.js';
import { scenario as probe } from './fixtures/probe-scenario.js';

const moduleUrl = new URL('./fixtures/probe-scenario.js', import.meta.url).href;
const pick = (...names: string[]): Scenario => ({ ...probe, candidates: probe.candidates.filter((c) => names.includes(c.name)) });

test('counts: explicit options, then --quick, then the scenario, then the defaults', (t) => {
  t.deepEqual(resolveCounts(probe, {}), { reps: 5, warmup: 1 });
  t.deepEqual(resolveCounts({ ...probe, reps: 9, warmup: 3 }, {}), { reps: 9, warmup: 3 });
  t.deepEqual(resolveCounts({ ...probe, reps: 9, warmup: 3 }, { quick: true }), { reps: 2, warmup: 0 });
  t.deepEqual(resolveCounts(probe, { quick: true, reps: 4, warmup: 2 }), { reps: 4, warmup: 2 });
  t.is(reproduceCommand('codec', 5, 1, false), 'npx tsc -p tsconfig.json && npm run bench -- codec --reps 5 --warmup 1');
  t.is(reproduceCommand('codec', 2, 0, true), 'npx tsc -p tsconfig.json && npm run bench -- codec --reps 2 --warmup 0 --quick');
});

test.serial('a run alternates candidates, drops warm-ups, and summarises with oriented ratios', async (t) => {
  const order: string[] = [];
  const result = await runScenario(pick('kafka-sidecar', 'peer', 'cmd-ok'), moduleUrl, {
    reps: 3,
    warmup: 1,
    onMeasurement: (m) => order.push(`${m.warmup ? 'w' : 'r'}${m.rep}:${m.candidate}`),
  });
  t.deepEqual(order, ['w0:kafka-sidecar', 'w0:peer', 'w0:cmd-ok', 'r0:kafka-sidecar', 'r0:peer', 'r0:cmd-ok', 'r1:kafka-sidecar', 'r1:peer', 'r1:cmd-ok', 'r2:kafka-sidecar', 'r2:peer', 'r2:cmd-ok']);
  t.deepEqual(
    result.samples.map((s) => `${s.rep}:${s.candidate}`),
    order.filter((o) => o.startsWith('r')).map((o) => o.slice(1)),
  );
  const ours = (metric: string) => result.results.find((r) => r.candidate === 'kafka-sidecar' && r.metric === metric)!;
  // rate is 40 + rep: 40, 41, 42; the warm-up's latency of 1000 must not count.
  t.like(ours('rate'), { median: 41, min: 40, max: 42, n: 3, unit: 'ops/s', better: 'higher' });
  t.like(ours('latency'), { median: 10, min: 10, max: 10 });
  t.is(result.ratios['peer/rate'], 41 / 21);
  t.is(result.ratios['peer/latency'], 3);
  t.is(result.ratios['cmd-ok/rate'], 41 / 8);
  t.is(result.ratios['cmd-ok/latency'], 1.25);
  for (const metric of ['cpu_seconds', 'peak_rss', 'wall_seconds']) t.true(`cmd-ok/${metric}` in result.ratios, metric);
  t.like(result, { format: 1, scenario: 'probe', reps: 3, warmup: 1, quick: false, ours: 'kafka-sidecar' });
  t.deepEqual(
    result.metrics.map((m) => m.name),
    ['rate', 'latency', 'cpu_seconds', 'peak_rss', 'wall_seconds'],
  );
  t.is(result.machine.node, process.version);
  t.true(result.machine.cores >= 1);
  t.true(result.machine.loadAverage >= 0);
  t.regex(result.date, /^\d{4}-\d\d-\d\dT/);
});

test.serial('teardown runs with the setup value even when a candidate fails', async (t) => {
  const seen: JsonValue[] = [];
  const failing: Scenario = { ...pick('kafka-sidecar', 'throws'), teardown: (setup) => void seen.push(setup) };
  await t.throwsAsync(runScenario(failing, moduleUrl, { reps: 1, warmup: 0 }), { code: BenchErrorCode.candidateFailed });
  t.deepEqual(seen, [{ base: 40 }]);
});

test('an invalid scenario is refused before anything runs', async (t) => {
  let setupRan = false;
  const broken: Scenario = { ...pick('peer'), setup: () => ((setupRan = true), null) };
  await t.throwsAsync(runScenario(broken, moduleUrl), { code: BenchErrorCode.invalidScenario, message: /no candidate named 'kafka-sidecar'/ });
  t.false(setupRan);
});

import test from 'ava';
import { BenchErrorCode } from '../../../../bench/lib/errors.js';
import { allMetrics, checkMetricValues, validateScenario, type Scenario } from '../../../../bench/lib/scenario.js';

const valid: Scenario = {
  name: 'example',
  description: 'An example.',
  metrics: [{ name: 'records_per_second', unit: 'records/s', better: 'higher' }],
  candidates: [
    { name: 'kafka-sidecar', run: () => ({ records_per_second: 1 }) },
    { name: 'java-perf', command: () => ({ file: 'java', args: [], parse: () => ({ records_per_second: 1 }) }) },
  ],
};

const invalidScenario = { code: BenchErrorCode.invalidScenario };

test('a well-formed scenario passes', (t) => {
  t.notThrows(() => validateScenario(valid));
  t.notThrows(() => validateScenario({ ...valid, ours: 'java-perf', resourceMetrics: ['peak_rss'], reps: 3, warmup: 0 }));
});

test('each broken part is named in the error', (t) => {
  const cases: [Partial<Scenario> & Record<string, unknown>, RegExp][] = [
    [{ name: 'Bad Name' }, /name must match/],
    [{ description: ' ' }, /description is empty/],
    [{ metrics: [] }, /metrics is empty/],
    [{ metrics: [{ name: 'records/s', unit: 'x', better: 'higher' }] }, /metric name 'records\/s'/],
    [{ metrics: [{ name: 'peak_rss', unit: 'MiB', better: 'lower' }] }, /measured by the runner itself/],
    [{ metrics: [{ name: 'a', unit: 'x', better: 'higher' }, { name: 'a', unit: 'x', better: 'higher' }] }, /declared twice/],
    [{ metrics: [{ name: 'a', unit: '', better: 'higher' }] }, /has no unit/],
    [{ metrics: [{ name: 'a', unit: 'x', better: 'more' as 'higher' }] }, /better must be/],
    [{ resourceMetrics: ['disk' as 'peak_rss'] }, /unknown resource metric 'disk'/],
    [{ candidates: [] }, /candidates is empty/],
    [{ candidates: [valid.candidates[0]!, valid.candidates[0]!] }, /listed twice/],
    [{ candidates: [{ name: 'kafka-sidecar' } as never] }, /exactly one of run\(\) or command\(\)/],
    [{ candidates: [valid.candidates[1]!] }, /no candidate named 'kafka-sidecar'/],
    [{ reps: 0 }, /reps must be an integer >= 1/],
    [{ warmup: -1 }, /warmup must be an integer >= 0/],
    [{ timeoutSeconds: 0.5 }, /timeoutSeconds/],
  ];
  for (const [change, message] of cases) {
    t.throws(() => validateScenario({ ...valid, ...change } as Scenario), { ...invalidScenario, message }, JSON.stringify(Object.keys(change)));
  }
});

test('resource metrics follow the scenario metrics, all three unless narrowed', (t) => {
  t.deepEqual(
    allMetrics(valid).map((m) => m.name),
    ['records_per_second', 'cpu_seconds', 'peak_rss', 'wall_seconds'],
  );
  t.deepEqual(
    allMetrics({ ...valid, resourceMetrics: ['peak_rss'] }).map((m) => `${m.name}:${m.better}`),
    ['records_per_second:higher', 'peak_rss:lower'],
  );
});

test('reported values must be declared, finite numbers, at least one', (t) => {
  t.deepEqual(checkMetricValues(valid, 'c', { records_per_second: 5 }), { records_per_second: 5 });
  const bad = { code: BenchErrorCode.invalidMeasurement };
  t.throws(() => checkMetricValues(valid, 'c', { other: 5 }), { ...bad, message: /undeclared metric 'other'/ });
  t.throws(() => checkMetricValues(valid, 'c', { records_per_second: Infinity }), { ...bad, message: /not a finite number/ });
  t.throws(() => checkMetricValues(valid, 'c', { records_per_second: '5' }), { ...bad, message: /not a finite number/ });
  t.throws(() => checkMetricValues(valid, 'c', {}), { ...bad, message: /no metric/ });
  t.throws(() => checkMetricValues(valid, 'c', undefined), { ...bad, message: /expected an object/ });
  t.throws(() => checkMetricValues(valid, 'c', [1]), { ...bad, message: /expected an object/ });
});

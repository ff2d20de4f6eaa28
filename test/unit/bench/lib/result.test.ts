import test from 'ava';
import { BenchErrorCode } from '../../../../bench/lib/errors.js';
import { computeRatios, parseScenarioResult, summaryLine, summarizeMeasurements } from '../../../../bench/lib/result.js';
import { sampleCandidates, sampleMeasurements, sampleMetrics, sampleResult } from '../fixtures/sample-result.js';

test('summaries per candidate and metric leave warm-ups and unreported metrics out', (t) => {
  const results = summarizeMeasurements(sampleMetrics, sampleCandidates, sampleMeasurements);
  t.deepEqual(
    results.map((r) => `${r.candidate} ${r.metric} ${r.median} ${r.min}-${r.max} n=${r.n} ${r.unit} ${r.better}`),
    [
      'kafka-sidecar rate 200 100-300 n=3 records/s higher',
      'kafka-sidecar p99 5 4-6 n=3 ms lower',
      'kafka-sidecar peak_rss 50 50-50 n=3 MiB lower',
      '@platformatic/kafka rate 100 100-200 n=3 records/s higher',
      '@platformatic/kafka p99 10 8-12 n=3 ms lower',
      '@platformatic/kafka peak_rss 100 100-100 n=3 MiB lower',
      'java rate 150 150-150 n=3 records/s higher',
      'java peak_rss 400 400-400 n=3 MiB lower',
    ],
  );
});

test('ratios compare medians, oriented so > 1 favours ours, for metrics both report', (t) => {
  const results = summarizeMeasurements(sampleMetrics, sampleCandidates, sampleMeasurements);
  t.deepEqual(computeRatios(results, 'kafka-sidecar'), {
    '@platformatic/kafka/rate': 2,
    '@platformatic/kafka/p99': 2,
    '@platformatic/kafka/peak_rss': 2,
    'java/rate': 200 / 150,
    'java/peak_rss': 8,
  });
  // Another reference candidate turns every ratio around.
  t.is(computeRatios(results, '@platformatic/kafka')['kafka-sidecar/rate'], 0.5);
});

test('the summary line has exactly the documented shape', (t) => {
  const line = JSON.parse(JSON.stringify(summaryLine(sampleResult()))) as Record<string, unknown>;
  t.deepEqual(Object.keys(line), ['scenario', 'results', 'ratios']);
  t.is(line.scenario, 'example');
  const results = line.results as Record<string, unknown>[];
  t.is(results.length, 8);
  for (const r of results) t.deepEqual(Object.keys(r), ['candidate', 'metric', 'median', 'min', 'max', 'unit']);
  t.deepEqual(results[0], { candidate: 'kafka-sidecar', metric: 'rate', median: 200, min: 100, max: 300, unit: 'records/s' });
  t.deepEqual(line.ratios, { '@platformatic/kafka/rate': 2, '@platformatic/kafka/p99': 2, '@platformatic/kafka/peak_rss': 2, 'java/rate': 200 / 150, 'java/peak_rss': 8 });
});

test('a results file reads back; a damaged one is refused with the missing piece named', (t) => {
  const full = sampleResult();
  t.deepEqual(parseScenarioResult(JSON.stringify(full), 'f.json'), full);
  const bad = { code: BenchErrorCode.invalidResultFile };
  t.throws(() => parseScenarioResult('{', 'f.json'), { ...bad, message: /f\.json: not JSON/ });
  t.throws(() => parseScenarioResult('null', 'f.json'), { ...bad, message: /not an object/ });
  t.throws(() => parseScenarioResult(JSON.stringify({ ...full, format: 2 }), 'f.json'), { ...bad, message: /format 2/ });
  const { command: _command, ...noCommand } = full;
  t.throws(() => parseScenarioResult(JSON.stringify(noCommand), 'f.json'), { ...bad, message: /'command'/ });
  t.throws(() => parseScenarioResult(JSON.stringify({ ...full, results: {} }), 'f.json'), { ...bad, message: /'results'/ });
  t.throws(() => parseScenarioResult(JSON.stringify({ ...full, machine: null }), 'f.json'), { ...bad, message: /'machine'/ });
  t.throws(() => parseScenarioResult(JSON.stringify({ ...full, ratios: null }), 'f.json'), { ...bad, message: /'ratios'/ });
});


import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchErrorCode } from '../../../../bench/lib/errors.js';
import { benchmarksMarkdown, formatNumber, readResults, regenerateDocs, scenarioSection, writeResult } from '../../../../bench/lib/report.js';
import { sampleResult } from '../fixtures/sample-result.js';

test('numbers keep three significant digits', (t) => {
  t.is(formatNumber(1234567), '1,230,000');
  t.is(formatNumber(12.3456), '12.3');
  t.is(formatNumber(0.0012345), '0.00123');
});

test('a scenario section has the reproduce command, medians with ranges and oriented ratios', (t) => {
  const md = scenarioSection(sampleResult());
  const lines = md.split('\n');
  t.true(lines.includes('## example'));
  t.true(lines.includes('npx tsc -p tsconfig.json && npm run bench -- example --reps 3 --warmup 1'));
  t.true(md.includes('Test CPU (2 cores, 1024 MiB, load average 1.5 at the start), Node v20.0.0'));
  t.true(md.includes('median of 3 repetitions after 1 warm-up'));
  t.false(md.includes('Quick run'));
  t.true(lines.includes('| metric | unit | better | kafka-sidecar | @platformatic/kafka | java |'));
  t.true(lines.includes('| rate | records/s | higher | 200 (100–300) | 100 (100–200) | 150 (150–150) |'));
  t.true(lines.includes('| p99 | ms | lower | 5 (4–6) | 10 (8–12) | – |'));
  t.true(lines.includes('| metric | kafka-sidecar vs @platformatic/kafka | kafka-sidecar vs java |'));
  t.true(lines.includes('| rate | 2.00× | 1.33× |'));
  t.true(lines.includes('| p99 | 2.00× | – |'));
  t.true(lines.includes('| peak_rss | 2.00× | 8.00× |'));
  t.true(lines.includes('- `kafka-sidecar` (this project)'));
  t.true(lines.includes('- `@platformatic/kafka`: version 1.35 | internals'));
  t.true(lines.includes('- `rate`: records produced per second'));
});

test('quick runs are marked as such', (t) => {
  t.true(scenarioSection(sampleResult({ quick: true })).includes('**Quick run**'));
});

test('the page is marked generated and lists scenarios in name order', (t) => {
  const md = benchmarksMarkdown([sampleResult({ scenario: 'zeta' }), sampleResult({ scenario: 'alpha' })]);
  t.true(md.startsWith('# Benchmarks\n'));
  t.true(md.includes('GENERATED from bench/results/*.json'));
  t.true(md.includes('Scenarios: [alpha](#alpha), [zeta](#zeta).'));
  t.true(md.indexOf('## alpha') < md.indexOf('## zeta'));
  t.true(benchmarksMarkdown([]).includes('No results yet.'));
});

test('results written to a folder regenerate the docs page from every file there', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  try {
    const results = join(dir, 'results');
    const file = writeResult(sampleResult({ scenario: 'one' }), results);
    t.is(file, join(results, 'one.json'));
    writeResult(sampleResult({ scenario: 'two' }), results);
    t.deepEqual(
      readResults(results).map((r) => r.scenario),
      ['one', 'two'],
    );
    const docs = join(dir, 'docs', 'benchmarks.md');
    regenerateDocs(results, docs);
    const md = readFileSync(docs, 'utf8');
    t.true(md.includes('## one') && md.includes('## two'));
    writeFileSync(join(results, 'broken.json'), '{"format": 1}');
    t.throws(() => regenerateDocs(results, docs), { code: BenchErrorCode.invalidResultFile, message: /broken\.json/ });
    t.deepEqual(readResults(join(dir, 'absent')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

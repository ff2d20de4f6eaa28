/**
 * The CLI end to end with the real self-test scenario, through the child-process path: the
 * last stdout line is the JSON summary, the twice-the-work candidates measure slower (they
 * must, whatever else runs on the machine: their work is double), and the allocator's peak RSS
 * is higher. No tight timing bounds: only directions and a wide band.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseScenarioResult } from '../../../bench/lib/result.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../bench/run.js', import.meta.url));

interface Summary {
  scenario: string;
  results: { candidate: string; metric: string; median: number; min: number; max: number; unit: string }[];
  ratios: Record<string, number>;
}

test('npm run bench -- self-test: summary line, ratio directions, results file and docs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  try {
    const resultsDir = join(dir, 'results');
    const docsFile = join(dir, 'benchmarks.md');
    const { stdout } = await run(process.execPath, [cli, 'self-test', '--quick', '--reps', '2', '--warmup', '0', '--results-dir', resultsDir, '--docs-file', docsFile], { timeout: 110_000 });
    const last = stdout.trimEnd().split('\n').at(-1)!;
    const summary = JSON.parse(last) as Summary;
    t.deepEqual(Object.keys(summary), ['scenario', 'results', 'ratios']);
    t.is(summary.scenario, 'self-test');
    const candidates = new Set(summary.results.map((r) => r.candidate));
    t.deepEqual([...candidates], ['kafka-sidecar', 'double-work', 'allocator', 'external-double']);
    for (const r of summary.results) t.true(r.min <= r.median && r.median <= r.max, `${r.candidate} ${r.metric}`);

    const median = (candidate: string, metric: string): number => summary.results.find((r) => r.candidate === candidate && r.metric === metric)!.median;
    for (const peer of ['double-work', 'external-double']) {
      // Twice the bytes per call: fewer calls per second and a longer fixed-work time...
      t.true(median(peer, 'hash_rate') < median('kafka-sidecar', 'hash_rate'), `${peer} hash_rate`);
      t.true(median(peer, 'fixed_work_time') > median('kafka-sidecar', 'fixed_work_time'), `${peer} fixed_work_time`);
      // ...so both ratios, oriented opposite ways, exceed 1, within a band wide enough for a busy machine.
      for (const metric of ['hash_rate', 'fixed_work_time']) {
        const ratio = summary.ratios[`${peer}/${metric}`]!;
        t.true(ratio > 1 && ratio < 6, `${peer}/${metric} = ${ratio}`);
      }
    }
    t.true(median('allocator', 'peak_rss') - median('kafka-sidecar', 'peak_rss') > 32, 'allocator holds 48 MiB more');
    t.true(summary.ratios['allocator/peak_rss']! > 1);

    const stored = parseScenarioResult(readFileSync(join(resultsDir, 'self-test.json'), 'utf8'), 'self-test.json');
    t.deepEqual(stored.ratios, summary.ratios);
    t.is(stored.samples.length, 8);
    t.deepEqual(
      stored.samples.map((s) => s.candidate).slice(0, 4),
      ['kafka-sidecar', 'double-work', 'allocator', 'external-double'],
    );
    const docs = readFileSync(docsFile, 'utf8');
    t.true(docs.includes('## self-test'));
    t.true(docs.includes('npm run bench -- self-test --reps 2 --warmup 0 --quick'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad arguments and unknown scenarios exit non-zero with a named problem', async (t) => {
  const badArgs = await t.throwsAsync(run(process.execPath, [cli, 'self-test', '--reps', 'x']));
  t.is((badArgs as { code?: number }).code, 2);
  t.regex((badArgs as { stderr?: string }).stderr ?? '', /BENCH_BAD_ARGUMENTS: --reps needs an integer/);
  const unknown = await t.throwsAsync(run(process.execPath, [cli, 'no-such-scenario', '--no-write']));
  t.is((unknown as { code?: number }).code, 1);
  t.regex((unknown as { stderr?: string }).stderr ?? '', /BENCH_SCENARIO_NOT_FOUND: no scenario 'no-such-scenario'.*known: .*self-test/);
});

// Serial: each test starts processes, and a 2-core machine shared with brokers is slow enough.
import test from 'ava';
import { BenchErrorCode } from '../../../../bench/lib/errors.js';
import { isCommandCandidate, type CommandCandidate, type NodeCandidate, type RunContext } from '../../../../bench/lib/scenario.js';
import { parseGnuTime, runCommandCandidate, runNodeCandidate } from '../../../../bench/lib/spawn.js';
import { scenario } from '../fixtures/probe-scenario.js';

const moduleUrl = new URL('../fixtures/probe-scenario.js', import.meta.url).href;

function ctx(candidate: string, rep = 0): RunContext {
  return { scenario: 'probe', candidate, rep, warmup: false, quick: true, setup: { base: 40 } };
}
function nodeCandidate(name: string): NodeCandidate {
  const c = scenario.candidates.find((x) => x.name === name)!;
  if (isCommandCandidate(c)) throw new Error(`${name} is a command`);
  return c;
}
function commandCandidate(name: string): CommandCandidate {
  const c = scenario.candidates.find((x) => x.name === name)!;
  if (!isCommandCandidate(c)) throw new Error(`${name} is not a command`);
  return c;
}

const failed = { code: BenchErrorCode.candidateFailed };

test.serial('a Node candidate reports its metrics and its own process resources', async (t) => {
  const m = await runNodeCandidate(scenario, moduleUrl, nodeCandidate('kafka-sidecar'), ctx('kafka-sidecar', 2));
  t.is(m.candidate, 'kafka-sidecar');
  t.is(m.values.rate, 42, 'setup value and rep reach the child');
  t.is(m.values.latency, 10);
  t.true(m.values.cpu_seconds! > 0);
  t.true(m.values.peak_rss! > 10 && m.values.peak_rss! < 1000);
  t.true(m.values.wall_seconds! > 0);
});

test.serial('peak RSS is per child: the candidate holding 64 MiB measures that much more', async (t) => {
  const small = await runNodeCandidate(scenario, moduleUrl, nodeCandidate('peer'), ctx('peer'));
  const big = await runNodeCandidate(scenario, moduleUrl, nodeCandidate('holds-memory'), ctx('holds-memory'));
  t.true(big.values.peak_rss! - small.values.peak_rss! > 48, `${big.values.peak_rss} vs ${small.values.peak_rss} MiB`);
});

test.serial('only the resource metrics the scenario keeps are added', async (t) => {
  const narrowed = { ...scenario, resourceMetrics: ['peak_rss'] as const };
  const m = await runNodeCandidate(narrowed, moduleUrl, nodeCandidate('rate-only'), ctx('rate-only'));
  t.deepEqual(Object.keys(m.values).sort(), ['peak_rss', 'rate']);
});

test.serial('a candidate that throws fails with its error and output', async (t) => {
  await t.throwsAsync(runNodeCandidate(scenario, moduleUrl, nodeCandidate('throws'), ctx('throws')), { ...failed, message: /candidate 'throws' rep 0: threw Error: probe failure inside the candidate/ });
});

test.serial('a candidate that exits early fails with the status and its stderr', async (t) => {
  await t.throwsAsync(runNodeCandidate(scenario, moduleUrl, nodeCandidate('exits'), ctx('exits')), { ...failed, message: /exited with status 3[\s\S]*about to exit with 3/ });
});

test.serial('a candidate that hangs is killed at the scenario timeout', async (t) => {
  const impatient = { ...scenario, timeoutSeconds: 1 };
  const started = Date.now();
  await t.throwsAsync(runNodeCandidate(impatient, moduleUrl, nodeCandidate('hangs'), ctx('hangs')), { ...failed, message: /timed out after 1 s/ });
  t.true(Date.now() - started < 10_000);
});

test.serial('undeclared or non-finite metrics are refused', async (t) => {
  await t.throwsAsync(runNodeCandidate(scenario, moduleUrl, nodeCandidate('undeclared'), ctx('undeclared')), { code: BenchErrorCode.invalidMeasurement, message: /undeclared metric 'throughput'/ });
  // NaN becomes null in JSON on its way back from the child; refused either way.
  await t.throwsAsync(runNodeCandidate(scenario, moduleUrl, nodeCandidate('not-finite'), ctx('not-finite')), { code: BenchErrorCode.invalidMeasurement, message: /'rate' is null/ });
});

test.serial('an external command is measured by GNU time and its output parsed', async (t) => {
  const m = await runCommandCandidate(scenario, commandCandidate('cmd-ok'), ctx('cmd-ok'));
  t.is(m.values.rate, 8);
  t.is(m.values.latency, 12.5, 'the spec environment reaches the command');
  t.true(m.values.peak_rss! > 96, `peak RSS ${m.values.peak_rss} MiB covers the 96 MiB buffer`);
  t.true(m.values.cpu_seconds! >= 0);
  t.true(m.values.wall_seconds! > 0);
});

test.serial('external commands that fail or print nothing usable are reported', async (t) => {
  await t.throwsAsync(runCommandCandidate(scenario, commandCandidate('cmd-fails'), ctx('cmd-fails')), { ...failed, message: /exited with status 4[\s\S]*tool broke/ });
  await t.throwsAsync(runCommandCandidate(scenario, commandCandidate('cmd-bad-output'), ctx('cmd-bad-output')), { ...failed, message: /did not parse: no result line[\s\S]*nothing useful/ });
});

test.serial('GNU time lines parse; anything else is refused', (t) => {
  t.deepEqual(parseGnuTime('1.50 0.25 20480\n'), { cpuSeconds: 1.75, maxRssKiB: 20480 });
  t.deepEqual(parseGnuTime('Command exited with non-zero status 1\n0.00 0.01 3000\n'), { cpuSeconds: 0.01, maxRssKiB: 3000 });
  t.throws(() => parseGnuTime('garbage'), { ...failed, message: /unexpected GNU time output/ });
});

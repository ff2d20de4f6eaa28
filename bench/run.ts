/**
 * `npm run bench -- SCENARIO [...]` (node dist/bench/run.js): runs a scenario, writes its
 * results and the docs page, prints a table and, as the LAST stdout line, one JSON object
 * {"scenario", "results": [{candidate, metric, median, min, max, unit}], "ratios"} for scripts.
 * Progress goes to stderr so stdout stays parseable.
 */
import { pathToFileURL } from 'node:url';
import { parseBenchArgs, USAGE } from './lib/args.js';
import { BenchError, BenchErrorCode } from './lib/errors.js';
import { knownScenarios, loadScenarioModule, scenarioModuleUrl } from './lib/load.js';
import { formatNumber, regenerateDocs, writeResult } from './lib/report.js';
import { summaryLine, type ScenarioResult } from './lib/result.js';
import { ratioKey } from './lib/ratio.js';
import { runScenario } from './runner.js';

function table(result: ScenarioResult): string {
  const lines = [`${result.scenario}: median (min-max) of ${result.reps} reps, ratio > 1 means ${result.ours} is better`];
  for (const r of result.results) {
    const ratio = result.ratios[ratioKey(r.candidate, r.metric)];
    const range = `${formatNumber(r.median)} (${formatNumber(r.min)}-${formatNumber(r.max)}) ${r.unit}`;
    lines.push(`  ${r.candidate.padEnd(24)} ${r.metric.padEnd(22)} ${range.padEnd(40)}${ratio === undefined ? '' : ` ratio ${ratio.toFixed(2)}`}`);
  }
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.mode === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (args.mode === 'list') {
    console.log(knownScenarios().join('\n'));
    return 0;
  }
  if (args.mode === 'docs') {
    console.error(`wrote ${regenerateDocs(args.resultsDir, args.docsFile)}`);
    return 0;
  }
  const url = scenarioModuleUrl(args.scenario);
  const scenario = await loadScenarioModule(url);
  const result = await runScenario(scenario, url, {
    reps: args.reps,
    warmup: args.warmup,
    quick: args.quick,
    onMeasurement: (m, done, total) => {
      const values = Object.entries(m.values)
        .map(([k, v]) => `${k}=${formatNumber(v)}`)
        .join(' ');
      console.error(`[${done}/${total}] ${m.candidate} ${m.warmup ? 'warm-up' : 'rep'} ${m.rep}: ${values}`);
    },
  });
  if (args.write) {
    console.error(`wrote ${writeResult(result, args.resultsDir)}`);
    console.error(`wrote ${regenerateDocs(args.resultsDir, args.docsFile)}`);
  }
  console.log(table(result));
  console.log(JSON.stringify(summaryLine(result)));
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    if (err instanceof BenchError) {
      console.error(`bench: ${err.code}: ${err.message}`);
      process.exitCode = err.code === BenchErrorCode.badArguments ? 2 : 1;
    } else {
      throw err;
    }
  }
}

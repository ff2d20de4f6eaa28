/** Command-line arguments of bench/run.ts. */
import { BenchError, BenchErrorCode } from './errors.js';

export const USAGE = `usage: npm run bench -- SCENARIO [--reps N] [--warmup N] [--quick] [--no-write]
                              [--results-dir DIR] [--docs-file FILE]
       npm run bench -- --docs      regenerate docs/benchmarks.md from bench/results/*.json
       npm run bench -- --list      list the built scenarios

Runs every candidate of bench/scenarios/SCENARIO.ts alternately, each repetition in its own
process, writes bench/results/SCENARIO.json and docs/benchmarks.md, and prints a table and, as
the last stdout line, a JSON summary. --quick shrinks sizes and defaults to 2 reps, 0 warm-up.`;

export type BenchArgs =
  | { readonly mode: 'help' }
  | { readonly mode: 'list' }
  | { readonly mode: 'docs'; readonly resultsDir?: string; readonly docsFile?: string }
  | {
      readonly mode: 'run';
      readonly scenario: string;
      readonly reps?: number;
      readonly warmup?: number;
      readonly quick: boolean;
      readonly write: boolean;
      readonly resultsDir?: string;
      readonly docsFile?: string;
    };

function bad(message: string): BenchError {
  return new BenchError(BenchErrorCode.badArguments, `${message}\n${USAGE}`);
}

function count(flag: string, text: string | undefined, min: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min) throw bad(`${flag} needs an integer >= ${min}, got ${text ?? 'nothing'}`);
  return Number(text);
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let scenario: string | undefined;
  let reps: number | undefined;
  let warmup: number | undefined;
  let quick = false;
  let write = true;
  let docs = false;
  let list = false;
  let resultsDir: string | undefined;
  let docsFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw bad(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--help':
      case '-h':
        return { mode: 'help' };
      case '--reps':
        reps = count(arg, value(), 1);
        break;
      case '--warmup':
        warmup = count(arg, value(), 0);
        break;
      case '--quick':
        quick = true;
        break;
      case '--no-write':
        write = false;
        break;
      case '--docs':
        docs = true;
        break;
      case '--list':
        list = true;
        break;
      case '--results-dir':
        resultsDir = value();
        break;
      case '--docs-file':
        docsFile = value();
        break;
      default:
        if (arg.startsWith('-')) throw bad(`unknown option ${arg}`);
        if (scenario !== undefined) throw bad(`one scenario at a time (got '${scenario}' and '${arg}')`);
        scenario = arg;
    }
  }
  if (list) return { mode: 'list' };
  if (docs) {
    if (scenario !== undefined) throw bad('--docs takes no scenario');
    return { mode: 'docs', resultsDir, docsFile };
  }
  if (scenario === undefined) throw bad('no scenario given');
  return { mode: 'run', scenario, reps, warmup, quick, write, resultsDir, docsFile };
}

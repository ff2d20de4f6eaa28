/**
 * The benchmark runner: runs a scenario's candidates alternately, one process per repetition,
 * and turns the measurements into a ScenarioResult (medians, min, max, oriented ratios,
 * machine facts). bench/run.ts is its command line; bench/README.md documents scenarios.
 */
import { machineFacts } from './lib/machine.js';
import { computeRatios, RESULT_FORMAT, summarizeMeasurements, type ScenarioResult } from './lib/result.js';
import { allMetrics, isCommandCandidate, oursOf, validateScenario, type JsonValue, type RunContext, type Scenario } from './lib/scenario.js';
import { alternatingSchedule } from './lib/schedule.js';
import { runCommandCandidate, runNodeCandidate, type Measurement } from './lib/spawn.js';

export const DEFAULT_REPS = 5;
export const DEFAULT_WARMUP = 1;
/** --quick without explicit counts: enough to see that everything runs. */
export const QUICK_REPS = 2;
export const QUICK_WARMUP = 0;

export interface RunOptions {
  /** Measured repetitions per candidate; default from --quick, the scenario, or DEFAULT_REPS. */
  readonly reps?: number;
  readonly warmup?: number;
  readonly quick?: boolean;
  /** Called after every repetition, warm-ups included (the CLI prints progress to stderr). */
  readonly onMeasurement?: (m: Measurement, done: number, total: number) => void;
}

export function resolveCounts(scenario: Scenario, options: RunOptions): { reps: number; warmup: number } {
  const quick = options.quick ?? false;
  return {
    reps: options.reps ?? (quick ? QUICK_REPS : (scenario.reps ?? DEFAULT_REPS)),
    warmup: options.warmup ?? (quick ? QUICK_WARMUP : (scenario.warmup ?? DEFAULT_WARMUP)),
  };
}

/** The shell command that repeats a run with the same settings. */
export function reproduceCommand(scenario: string, reps: number, warmup: number, quick: boolean): string {
  return `npx tsc -p tsconfig.json && npm run bench -- ${scenario} --reps ${reps} --warmup ${warmup}${quick ? ' --quick' : ''}`;
}

/** Runs every repetition of every candidate of `scenario` (loaded from `moduleUrl`). */
export async function runScenario(scenario: Scenario, moduleUrl: string, options: RunOptions = {}): Promise<ScenarioResult> {
  validateScenario(scenario);
  const quick = options.quick ?? false;
  const { reps, warmup } = resolveCounts(scenario, options);
  const names = scenario.candidates.map((c) => c.name);
  const slots = alternatingSchedule(names, reps, warmup);
  const machine = machineFacts();
  const setupContext = { scenario: scenario.name, quick };
  const setup: JsonValue = scenario.setup ? await scenario.setup(setupContext) : null;
  const measurements: Measurement[] = [];
  try {
    for (const slot of slots) {
      const candidate = scenario.candidates.find((c) => c.name === slot.candidate)!;
      const ctx: RunContext = { scenario: scenario.name, candidate: slot.candidate, rep: slot.rep, warmup: slot.warmup, quick, setup };
      const m = isCommandCandidate(candidate)
        ? await runCommandCandidate(scenario, candidate, ctx)
        : await runNodeCandidate(scenario, moduleUrl, candidate, ctx);
      measurements.push(m);
      options.onMeasurement?.(m, measurements.length, slots.length);
    }
  } finally {
    await scenario.teardown?.(setup, setupContext);
  }
  const metrics = allMetrics(scenario);
  const measured = measurements.filter((m) => !m.warmup);
  const results = summarizeMeasurements(metrics, names, measured);
  return {
    format: RESULT_FORMAT,
    scenario: scenario.name,
    description: scenario.description,
    command: reproduceCommand(scenario.name, reps, warmup, quick),
    date: new Date().toISOString(),
    machine,
    reps,
    warmup,
    quick,
    ours: oursOf(scenario),
    metrics,
    candidates: scenario.candidates.map((c) => (c.description ? { name: c.name, description: c.description } : { name: c.name })),
    results,
    ratios: computeRatios(results, oursOf(scenario)),
    samples: measured.map((m) => ({ candidate: m.candidate, rep: m.rep, values: m.values })),
  };
}

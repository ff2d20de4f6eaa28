/**
 * The results of one scenario run: what bench/results/<scenario>.json holds, and the one-line
 * summary `npm run bench` prints last for scripts that check targets.
 */
import { BenchError, BenchErrorCode } from './errors.js';
import type { MachineFacts } from './machine.js';
import { advantage, ratioKey } from './ratio.js';
import type { Better, MetricSpec } from './scenario.js';
import type { Measurement } from './spawn.js';
import { summarize } from './stats.js';

export const RESULT_FORMAT = 1;

export interface MetricResult {
  readonly candidate: string;
  readonly metric: string;
  readonly unit: string;
  readonly better: Better;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export interface ScenarioResult {
  readonly format: typeof RESULT_FORMAT;
  readonly scenario: string;
  readonly description: string;
  /** The command that reproduces this run from a fresh checkout. */
  readonly command: string;
  readonly date: string;
  readonly machine: MachineFacts;
  readonly reps: number;
  readonly warmup: number;
  readonly quick: boolean;
  readonly ours: string;
  readonly metrics: readonly MetricSpec[];
  readonly candidates: readonly { readonly name: string; readonly description?: string }[];
  readonly results: readonly MetricResult[];
  /** `<candidate>/<metric>` -> oriented ratio (> 1: ours is better); peers only. */
  readonly ratios: Readonly<Record<string, number>>;
  /** Every measured repetition in the order it ran (warm-ups left out). */
  readonly samples: readonly { readonly candidate: string; readonly rep: number; readonly values: Readonly<Record<string, number>> }[];
}

/** Per candidate and metric (in declaration order), the summary of the measured repetitions. */
export function summarizeMeasurements(metrics: readonly MetricSpec[], candidates: readonly string[], measured: readonly Measurement[]): MetricResult[] {
  const results: MetricResult[] = [];
  for (const candidate of candidates) {
    const own = measured.filter((m) => m.candidate === candidate && !m.warmup);
    for (const spec of metrics) {
      const values = own.flatMap((m) => (spec.name in m.values ? [m.values[spec.name]!] : []));
      if (values.length === 0) continue;
      results.push({ candidate, metric: spec.name, unit: spec.unit, better: spec.better, ...summarize(values) });
    }
  }
  return results;
}

/** Oriented ratios of `ours` to each peer, for every metric both report. */
export function computeRatios(results: readonly MetricResult[], ours: string): Record<string, number> {
  const ratios: Record<string, number> = {};
  for (const peer of results) {
    if (peer.candidate === ours) continue;
    const mine = results.find((r) => r.candidate === ours && r.metric === peer.metric);
    if (!mine) continue;
    const ratio = advantage(mine.median, peer.median, peer.better);
    if (ratio !== null) ratios[ratioKey(peer.candidate, peer.metric)] = ratio;
  }
  return ratios;
}

export interface SummaryLine {
  readonly scenario: string;
  readonly results: readonly { candidate: string; metric: string; median: number; min: number; max: number; unit: string }[];
  readonly ratios: Readonly<Record<string, number>>;
}

/** The object printed as the last stdout line of `npm run bench -- <scenario>`. */
export function summaryLine(result: ScenarioResult): SummaryLine {
  return {
    scenario: result.scenario,
    results: result.results.map((r) => ({ candidate: r.candidate, metric: r.metric, median: r.median, min: r.min, max: r.max, unit: r.unit })),
    ratios: result.ratios,
  };
}

function bad(message: string): BenchError {
  return new BenchError(BenchErrorCode.invalidResultFile, message);
}

/** Reads back a results file's JSON, with an error naming the first missing piece. */
export function parseScenarioResult(text: string, source: string): ScenarioResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw bad(`${source}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const r = value as Partial<ScenarioResult>;
  if (typeof r !== 'object' || r === null) throw bad(`${source}: not an object`);
  if (r.format !== RESULT_FORMAT) throw bad(`${source}: format ${String(r.format)}, expected ${RESULT_FORMAT}`);
  for (const key of ['scenario', 'description', 'command', 'date', 'ours'] as const) {
    if (typeof r[key] !== 'string') throw bad(`${source}: '${key}' is missing or not a string`);
  }
  for (const key of ['metrics', 'candidates', 'results', 'samples'] as const) {
    if (!Array.isArray(r[key])) throw bad(`${source}: '${key}' is missing or not an array`);
  }
  if (typeof r.machine !== 'object' || r.machine === null) throw bad(`${source}: 'machine' is missing`);
  if (typeof r.ratios !== 'object' || r.ratios === null) throw bad(`${source}: 'ratios' is missing`);
  return r as ScenarioResult;
}

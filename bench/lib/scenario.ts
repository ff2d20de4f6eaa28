/**
 * The contract between the runner and a scenario module (bench/scenarios/<name>.ts).
 *
 * A scenario names the metrics it measures and the candidates that measure them. A candidate is
 * either a Node function (`run`, executed in a fresh child process per repetition, so that one
 * library's JIT state, heap and CPU time never leak into another's) or an external command
 * (`command`, e.g. Kafka's Java ProducerPerformance, run under GNU time for its rusage).
 * bench/README.md shows a complete example.
 */
import { BenchError, BenchErrorCode } from './errors.js';

/** The candidate every ratio is taken against, unless a scenario names another. */
export const OURS = 'kafka-sidecar';

export const Better = { higher: 'higher', lower: 'lower' } as const;
export type Better = (typeof Better)[keyof typeof Better];

export interface MetricSpec {
  /** Identifier used in results and ratio keys: lowercase letters, digits and `_` (no `/`). */
  readonly name: string;
  /** Unit shown in reports, e.g. 'records/s', 'MB/s', 'ms'. */
  readonly unit: string;
  readonly better: Better;
  /** One line for the report, e.g. 'encode 1000 x 100 B, no compression'. */
  readonly description?: string;
}

/** Metrics the runner measures itself for every candidate repetition (whole child process). */
export const ResourceMetric = {
  cpuSeconds: 'cpu_seconds',
  peakRss: 'peak_rss',
  wallSeconds: 'wall_seconds',
} as const;
export type ResourceMetric = (typeof ResourceMetric)[keyof typeof ResourceMetric];

export const resourceMetricSpecs: Readonly<Record<ResourceMetric, MetricSpec>> = {
  cpu_seconds: { name: 'cpu_seconds', unit: 's', better: 'lower', description: 'user + system CPU time of the whole process' },
  peak_rss: { name: 'peak_rss', unit: 'MiB', better: 'lower', description: 'peak resident set size of the whole process' },
  wall_seconds: { name: 'wall_seconds', unit: 's', better: 'lower', description: 'wall time from spawn to exit, start-up included' },
};

/** JSON-serialisable values: what setup() may hand to candidates in other processes. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What a candidate reports for one repetition: metric name -> value in the metric's unit. */
export type MetricValues = Readonly<Record<string, number>>;

export interface RunContext {
  readonly scenario: string;
  readonly candidate: string;
  /** Measured repetitions count from 0; warm-up repetitions also count from 0 with warmup=true. */
  readonly rep: number;
  readonly warmup: boolean;
  /** --quick: use smaller sizes/durations, for smoke tests rather than numbers to publish. */
  readonly quick: boolean;
  /** Whatever the scenario's setup() returned (null without setup). */
  readonly setup: JsonValue;
}

interface CandidateBase {
  /** 'kafka-sidecar', 'kafkajs', '@platformatic/kafka', 'java-producer-perf', ... */
  readonly name: string;
  /** One line for the report: version, settings, what exactly is measured. */
  readonly description?: string;
}

/** Runs inside a fresh Node child process (dist/bench/lib/child.js) for each repetition. */
export interface NodeCandidate extends CandidateBase {
  run(ctx: RunContext): MetricValues | Promise<MetricValues>;
  /** Extra flags for that child's `node`, e.g. ['--max-old-space-size=512']. */
  readonly nodeArgs?: readonly string[];
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandSpec {
  /** Executable, e.g. 'java' or an absolute path. */
  readonly file: string;
  readonly args: readonly string[];
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Turns the tool's own output into metric values (called in the runner's process). */
  parse(output: CommandOutput): MetricValues;
}

/** An external program (e.g. a Java tool); its CPU time and peak RSS come from GNU time. */
export interface CommandCandidate extends CandidateBase {
  command(ctx: RunContext): CommandSpec;
}

export type Candidate = NodeCandidate | CommandCandidate;

export interface SetupContext {
  readonly scenario: string;
  readonly quick: boolean;
}

export interface Scenario {
  /** Same as the module's file name: `npm run bench -- <name>` loads bench/scenarios/<name>.js. */
  readonly name: string;
  readonly description: string;
  readonly metrics: readonly MetricSpec[];
  readonly candidates: readonly Candidate[];
  /** The candidate ratios are taken against; default 'kafka-sidecar'. */
  readonly ours?: string;
  /**
   * Which runner-measured metrics to report (default all three). A scenario whose candidates
   * run for a fixed duration (micro-benchmarks) leaves out cpu_seconds and wall_seconds:
   * equal by construction, they would only add noise to the report.
   */
  readonly resourceMetrics?: readonly ResourceMetric[];
  /** Default repetitions and warm-up repetitions when the CLI does not give them. */
  readonly reps?: number;
  readonly warmup?: number;
  /** Upper bound for one candidate repetition, default 600 s. */
  readonly timeoutSeconds?: number;
  /** Runs once in the runner's process before all repetitions, e.g. to create a topic. */
  setup?(ctx: SetupContext): JsonValue | Promise<JsonValue>;
  /** Runs once after all repetitions, also after a failure, with setup()'s value. */
  teardown?(setup: JsonValue, ctx: SetupContext): void | Promise<void>;
}

export function isCommandCandidate(c: Candidate): c is CommandCandidate {
  return typeof (c as CommandCandidate).command === 'function';
}

const METRIC_NAME = /^[a-z][a-z0-9_]*$/;
const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]*$/;

function invalid(scenario: string, problem: string): BenchError {
  return new BenchError(BenchErrorCode.invalidScenario, `scenario '${scenario}': ${problem}`);
}

/** The scenario's metrics followed by the resource metrics it keeps. */
export function allMetrics(s: Scenario): MetricSpec[] {
  const resources = s.resourceMetrics ?? Object.values(ResourceMetric);
  return [...s.metrics, ...resources.map((m) => resourceMetricSpecs[m])];
}

export function oursOf(s: Scenario): string {
  return s.ours ?? OURS;
}

/** Checks everything the runner relies on, with an error naming the first problem found. */
export function validateScenario(s: Scenario): void {
  const label = typeof s?.name === 'string' ? s.name : '?';
  if (typeof s?.name !== 'string' || !SCENARIO_NAME.test(s.name)) throw invalid(label, 'name must match [a-z0-9-]+');
  if (typeof s.description !== 'string' || s.description.trim() === '') throw invalid(label, 'description is empty');
  if (!Array.isArray(s.metrics) || s.metrics.length === 0) throw invalid(label, 'metrics is empty');
  const resourceNames = new Set<string>(Object.values(ResourceMetric));
  const metricNames = new Set<string>();
  for (const m of s.metrics) {
    if (typeof m.name !== 'string' || !METRIC_NAME.test(m.name)) throw invalid(label, `metric name '${String(m.name)}' must match [a-z][a-z0-9_]*`);
    if (resourceNames.has(m.name)) throw invalid(label, `metric '${m.name}' is measured by the runner itself`);
    if (metricNames.has(m.name)) throw invalid(label, `metric '${m.name}' is declared twice`);
    if (typeof m.unit !== 'string' || m.unit === '') throw invalid(label, `metric '${m.name}' has no unit`);
    if (m.better !== Better.higher && m.better !== Better.lower) throw invalid(label, `metric '${m.name}': better must be 'higher' or 'lower'`);
    metricNames.add(m.name);
  }
  for (const r of s.resourceMetrics ?? []) {
    if (!resourceNames.has(r)) throw invalid(label, `unknown resource metric '${String(r)}'`);
  }
  if (!Array.isArray(s.candidates) || s.candidates.length === 0) throw invalid(label, 'candidates is empty');
  const candidateNames = new Set<string>();
  for (const c of s.candidates) {
    if (typeof c.name !== 'string' || c.name === '') throw invalid(label, 'a candidate has no name');
    if (candidateNames.has(c.name)) throw invalid(label, `candidate '${c.name}' is listed twice`);
    const isNode = typeof (c as NodeCandidate).run === 'function';
    if (isNode === isCommandCandidate(c)) throw invalid(label, `candidate '${c.name}' needs exactly one of run() or command()`);
    candidateNames.add(c.name);
  }
  if (!candidateNames.has(oursOf(s))) throw invalid(label, `no candidate named '${oursOf(s)}' to compare against`);
  for (const [key, value] of [['reps', s.reps], ['warmup', s.warmup], ['timeoutSeconds', s.timeoutSeconds]] as const) {
    if (value === undefined) continue;
    const min = key === 'warmup' ? 0 : 1;
    if (!Number.isInteger(value) || value < min) throw invalid(label, `${key} must be an integer >= ${min}`);
  }
}

/**
 * Checks one repetition's report against the declared metrics: every value finite, no metric
 * the scenario does not declare, at least one metric.
 */
export function checkMetricValues(s: Scenario, candidate: string, values: unknown): MetricValues {
  const where = `scenario '${s.name}', candidate '${candidate}'`;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new BenchError(BenchErrorCode.invalidMeasurement, `${where}: expected an object of metric values, got ${JSON.stringify(values)}`);
  }
  const declared = new Set(s.metrics.map((m) => m.name));
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length === 0) throw new BenchError(BenchErrorCode.invalidMeasurement, `${where}: reported no metric`);
  for (const [name, value] of entries) {
    if (!declared.has(name)) throw new BenchError(BenchErrorCode.invalidMeasurement, `${where}: reported undeclared metric '${name}'`);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new BenchError(BenchErrorCode.invalidMeasurement, `${where}: metric '${name}' is ${String(value)}, not a finite number`);
    }
  }
  return values as MetricValues;
}

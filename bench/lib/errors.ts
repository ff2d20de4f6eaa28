/**
 * Errors of the benchmark harness. Each has a stable `code` so scripts and tests can tell a
 * mistake in a scenario module from a candidate that crashed; none is retriable, because a
 * benchmark that failed once would only measure something else on a second try.
 */

export const BenchErrorCode = {
  /** The CLI was given an option or value it does not accept. */
  badArguments: 'BENCH_BAD_ARGUMENTS',
  /** No module bench/scenarios/<name>.js, or it exports no scenario. */
  scenarioNotFound: 'BENCH_SCENARIO_NOT_FOUND',
  /** The scenario object breaks the interface (duplicate names, bad metric, ...). */
  invalidScenario: 'BENCH_INVALID_SCENARIO',
  /** A candidate run exited non-zero, timed out or reported nothing. */
  candidateFailed: 'BENCH_CANDIDATE_FAILED',
  /** A candidate reported a metric the scenario does not declare, or a non-finite value. */
  invalidMeasurement: 'BENCH_INVALID_MEASUREMENT',
  /** A results file that the report generator cannot read. */
  invalidResultFile: 'BENCH_INVALID_RESULT_FILE',
  /** A tool the harness relies on (GNU time for external commands) is missing. */
  toolMissing: 'BENCH_TOOL_MISSING',
} as const;
export type BenchErrorCode = (typeof BenchErrorCode)[keyof typeof BenchErrorCode];

export class BenchError extends Error {
  override readonly name = 'BenchError';
  readonly code: BenchErrorCode;
  readonly retriable = false;

  constructor(code: BenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

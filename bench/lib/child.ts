/**
 * Entry of the child process that runs one repetition of one Node candidate:
 *   node dist/bench/lib/child.js '<job JSON>'
 * It loads the scenario module, runs the candidate, and writes one JSON message to file
 * descriptor 3 (a pipe the runner opened), leaving stdout and stderr to the candidate's own
 * logging. The message carries this process's own rusage, read after the run, so CPU time and
 * peak RSS belong to this candidate alone.
 */
import { writeSync } from 'node:fs';
import { loadScenarioModule } from './load.js';
import { isCommandCandidate, type RunContext } from './scenario.js';

export interface ChildJob {
  /** file:// URL of the compiled scenario module. */
  readonly module: string;
  readonly context: RunContext;
}

export interface ChildReport {
  readonly ok: boolean;
  readonly metrics?: unknown;
  readonly error?: string;
  readonly cpuSeconds: number;
  /** Peak resident set size in KiB (getrusage ru_maxrss). */
  readonly maxRssKiB: number;
}

export const REPORT_FD = 3;

function report(message: Omit<ChildReport, 'cpuSeconds' | 'maxRssKiB'>): void {
  const usage = process.resourceUsage();
  const full: ChildReport = { ...message, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, maxRssKiB: usage.maxRSS };
  writeSync(REPORT_FD, JSON.stringify(full));
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as ChildJob;
  const scenario = await loadScenarioModule(job.module);
  const candidate = scenario.candidates.find((c) => c.name === job.context.candidate);
  if (!candidate || isCommandCandidate(candidate)) {
    throw new Error(`scenario '${scenario.name}' has no Node candidate '${job.context.candidate}'`);
  }
  const metrics = await candidate.run(job.context);
  report({ ok: true, metrics });
}

try {
  await main();
  // Candidates that leave sockets or timers behind must not keep the repetition alive.
  process.exit(0);
} catch (err) {
  report({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
}

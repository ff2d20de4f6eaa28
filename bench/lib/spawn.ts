/**
 * Runs one repetition of one candidate in its own process and returns its metric values plus
 * the runner-measured ones (CPU seconds, peak RSS, wall seconds) for that process alone.
 *
 * Node candidates run in dist/bench/lib/child.js, which reports its own rusage over fd 3.
 * External commands run under GNU time (`/usr/bin/time -f`), which reads the command's rusage
 * with wait4(): Node cannot, since child_process offers no rusage of a child.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildJob, ChildReport } from './child.js';
import { BenchError, BenchErrorCode } from './errors.js';
import {
  checkMetricValues,
  ResourceMetric,
  type CommandCandidate,
  type NodeCandidate,
  type RunContext,
  type Scenario,
} from './scenario.js';

export const GNU_TIME = '/usr/bin/time';
const childScript = fileURLToPath(new URL('./child.js', import.meta.url));
/** Output kept per stream: all a tool's summary needs, bounded for a chatty one. */
const OUTPUT_LIMIT = 4 * 1024 * 1024;

export interface Measurement {
  readonly candidate: string;
  readonly rep: number;
  readonly warmup: boolean;
  /** Scenario metrics the candidate reported and the resource metrics of its process. */
  readonly values: Readonly<Record<string, number>>;
}

interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: string;
  readonly wallSeconds: number;
  readonly timedOut: boolean;
}

function collect(stream: NodeJS.ReadableStream | null | undefined, into: Buffer[]): void {
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    into.push(chunk);
    size += chunk.length;
    while (size > OUTPUT_LIMIT && into.length > 1) size -= into.shift()!.length;
  });
}

function runProcess(file: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutSeconds: number; reportFd: boolean }): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const stdio: ('ignore' | 'pipe')[] = options.reportFd ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'];
    const child = spawn(file, args, { stdio, env: options.env ?? process.env, cwd: options.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const rep: Buffer[] = [];
    collect(child.stdout, out);
    collect(child.stderr, err);
    if (options.reportFd) collect(child.stdio[3] as NodeJS.ReadableStream, rep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutSeconds * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        report: Buffer.concat(rep).toString(),
        wallSeconds: (performance.now() - started) / 1000,
        timedOut,
      });
    });
  });
}

function tail(text: string, chars = 2000): string {
  return text.length > chars ? `...${text.slice(-chars)}` : text;
}

function failure(ctx: RunContext, what: string, exited?: Exited): BenchError {
  const output = exited ? `\n--- stderr (tail) ---\n${tail(exited.stderr)}\n--- stdout (tail) ---\n${tail(exited.stdout)}` : '';
  return new BenchError(BenchErrorCode.candidateFailed, `${ctx.scenario}: candidate '${ctx.candidate}' ${ctx.warmup ? 'warm-up ' : ''}rep ${ctx.rep}: ${what}${output}`);
}

function exitProblem(e: Exited, timeoutSeconds: number): string | null {
  if (e.timedOut) return `timed out after ${timeoutSeconds} s`;
  if (e.signal) return `killed by ${e.signal}`;
  if (e.code !== 0) return `exited with status ${e.code}`;
  return null;
}

function withResources(scenario: Scenario, metrics: Readonly<Record<string, number>>, cpuSeconds: number, maxRssKiB: number, wallSeconds: number): Record<string, number> {
  const keep = new Set<string>(scenario.resourceMetrics ?? Object.values(ResourceMetric));
  const values: Record<string, number> = { ...metrics };
  if (keep.has(ResourceMetric.cpuSeconds)) values[ResourceMetric.cpuSeconds] = cpuSeconds;
  if (keep.has(ResourceMetric.peakRss)) values[ResourceMetric.peakRss] = maxRssKiB / 1024;
  if (keep.has(ResourceMetric.wallSeconds)) values[ResourceMetric.wallSeconds] = wallSeconds;
  return values;
}

export async function runNodeCandidate(scenario: Scenario, moduleUrl: string, candidate: NodeCandidate, ctx: RunContext): Promise<Measurement> {
  const timeoutSeconds = scenario.timeoutSeconds ?? 600;
  const job: ChildJob = { module: moduleUrl, context: ctx };
  const exited = await runProcess(process.execPath, [...(candidate.nodeArgs ?? []), childScript, JSON.stringify(job)], { timeoutSeconds, reportFd: true });
  let report: ChildReport | undefined;
  try {
    report = exited.report ? (JSON.parse(exited.report) as ChildReport) : undefined;
  } catch {
    report = undefined;
  }
  const problem = exitProblem(exited, timeoutSeconds);
  if (report && !report.ok) throw failure(ctx, `threw ${report.error ?? 'an error'}`, exited);
  if (problem) throw failure(ctx, problem, exited);
  if (!report) throw failure(ctx, 'exited without reporting its metrics', exited);
  const metrics = checkMetricValues(scenario, ctx.candidate, report.metrics);
  return { candidate: ctx.candidate, rep: ctx.rep, warmup: ctx.warmup, values: withResources(scenario, metrics, report.cpuSeconds, report.maxRssKiB, exited.wallSeconds) };
}

/** GNU time's `-f '%U %S %M'` line: user s, system s, max RSS KiB (the file's last line). */
export function parseGnuTime(text: string): { cpuSeconds: number; maxRssKiB: number } {
  const line = text.trim().split('\n').at(-1) ?? '';
  const match = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/.exec(line.trim());
  if (!match) throw new BenchError(BenchErrorCode.candidateFailed, `unexpected GNU time output: ${JSON.stringify(text)}`);
  return { cpuSeconds: Number(match[1]) + Number(match[2]), maxRssKiB: Number(match[3]) };
}

export async function runCommandCandidate(scenario: Scenario, candidate: CommandCandidate, ctx: RunContext): Promise<Measurement> {
  if (!existsSync(GNU_TIME)) {
    throw new BenchError(BenchErrorCode.toolMissing, `${GNU_TIME} (GNU time) is needed to measure external commands: apt-get install time`);
  }
  const timeoutSeconds = scenario.timeoutSeconds ?? 600;
  const spec = candidate.command(ctx);
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const timeFile = join(dir, 'rusage');
  try {
    const exited = await runProcess(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, spec.file, ...spec.args], {
      env: { ...process.env, ...spec.env },
      cwd: spec.cwd,
      timeoutSeconds,
      reportFd: false,
    });
    const problem = exitProblem(exited, timeoutSeconds);
    if (problem) throw failure(ctx, `${spec.file} ${problem}`, exited);
    const usage = parseGnuTime(readFileSync(timeFile, 'utf8'));
    let parsed: unknown;
    try {
      parsed = spec.parse({ stdout: exited.stdout, stderr: exited.stderr });
    } catch (err) {
      throw failure(ctx, `its output did not parse: ${err instanceof Error ? err.message : String(err)}`, exited);
    }
    const metrics = checkMetricValues(scenario, ctx.candidate, parsed);
    return { candidate: ctx.candidate, rep: ctx.rep, warmup: ctx.warmup, values: withResources(scenario, metrics, usage.cpuSeconds, usage.maxRssKiB, exited.wallSeconds) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

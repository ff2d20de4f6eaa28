/**
 * Scenario "self-test": checks the runner itself with work of known relative cost.
 *
 * - kafka-sidecar hashes 64 KiB per call (SHA-256), double-work hashes 128 KiB per call: the
 *   runner must find double-work about 2x slower in both the higher-is-better rate and the
 *   lower-is-better fixed-work time, so both ratios come out near 2 (> 1: ours is better).
 * - allocator does ours' work while holding 192 MiB (48 MiB with --quick) of filled buffers:
 *   its peak RSS must exceed ours by about that much.
 * - external-double does double-work's job as an external command that prints its own text
 *   (as a Java tool would), measured through GNU time rather than the Node child.
 *
 * Run directly it is that external tool: node dist/bench/scenarios/self-test.js --bytes N --calls N
 */
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measureOps, timeCalls } from '../lib/micro.js';
import type { CommandOutput, MetricValues, RunContext, Scenario } from '../lib/scenario.js';

const BASE_BYTES = 64 * 1024;

interface Work {
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly calls: number;
}

function workFor(quick: boolean): Work {
  return quick ? { seconds: 0.15, warmupSeconds: 0.05, calls: 1500 } : { seconds: 0.5, warmupSeconds: 0.2, calls: 5000 };
}

/** A deterministic buffer (not zeros, so no page stays shared with the zero page). */
function input(bytes: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

async function hashWork(bytes: number, work: Work): Promise<MetricValues> {
  const data = input(bytes);
  const hash = (): string => createHash('sha256').update(data).digest('hex');
  const rate = await measureOps(hash, { seconds: work.seconds, warmupSeconds: work.warmupSeconds });
  const seconds = await timeCalls(hash, work.calls);
  return { hash_rate: rate.opsPerSecond, fixed_work_time: seconds * 1000 };
}

/** Holds `mib` MiB of touched memory for the whole run, so peak RSS must include it. */
function holdMemory(mib: number): Buffer[] {
  const held: Buffer[] = [];
  for (let i = 0; i < mib; i++) held.push(Buffer.alloc(1024 * 1024, i + 1));
  return held;
}

const thisFile = fileURLToPath(import.meta.url);

function parseExternal(output: CommandOutput): MetricValues {
  const match = /^hash_rate (\S+) ops\/s, fixed_work_time (\S+) ms$/m.exec(output.stdout);
  if (!match) throw new Error(`no result line in ${JSON.stringify(output.stdout.slice(-300))}`);
  return { hash_rate: Number(match[1]), fixed_work_time: Number(match[2]) };
}

export const scenario: Scenario = {
  name: 'self-test',
  description: 'The runner checking itself: SHA-256 over 64 KiB per call (ours) against 128 KiB per call (double-work, also as an external command) and against the same work holding extra memory (allocator). Expected ratios: about 2 for the rate and time of double-work, far above 1 for peak RSS of allocator.',
  metrics: [
    { name: 'hash_rate', unit: 'calls/s', better: 'higher', description: 'SHA-256 calls per CPU second (64 KiB per call, 128 KiB for the double-work candidates)' },
    { name: 'fixed_work_time', unit: 'ms', better: 'lower', description: 'CPU time of a fixed number of calls (5000, or 1500 with --quick)' },
  ],
  candidates: [
    {
      name: 'kafka-sidecar',
      description: 'SHA-256 over 64 KiB per call (stands in for this project)',
      run: (ctx: RunContext) => hashWork(BASE_BYTES, workFor(ctx.quick)),
    },
    {
      name: 'double-work',
      description: 'SHA-256 over 128 KiB per call: twice the work',
      run: (ctx: RunContext) => hashWork(2 * BASE_BYTES, workFor(ctx.quick)),
    },
    {
      name: 'allocator',
      description: "ours' work while holding 192 MiB (48 MiB quick) of filled buffers",
      run: async (ctx: RunContext) => {
        const held = holdMemory(ctx.quick ? 48 : 192);
        const values = await hashWork(BASE_BYTES, workFor(ctx.quick));
        if (held.length === 0) throw new Error('memory was not held');
        return values;
      },
    },
    {
      name: 'external-double',
      description: 'double-work as an external command with its own output format, measured by GNU time',
      command: (ctx: RunContext) => {
        const work = workFor(ctx.quick);
        return {
          file: process.execPath,
          args: [thisFile, '--bytes', String(2 * BASE_BYTES), '--seconds', String(work.seconds), '--warmup-seconds', String(work.warmupSeconds), '--calls', String(work.calls)],
          parse: parseExternal,
        };
      },
    },
  ],
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const option = (flag: string): number => {
    const at = process.argv.indexOf(flag);
    const value = at > 0 ? Number(process.argv[at + 1]) : NaN;
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${flag} needs a positive number`);
    return value;
  };
  const values = await hashWork(option('--bytes'), { seconds: option('--seconds'), warmupSeconds: option('--warmup-seconds'), calls: option('--calls') });
  console.log(`hash_rate ${values.hash_rate} ops/s, fixed_work_time ${values.fixed_work_time} ms`);
}

/**
 * In-process micro-benchmarks: how often per second a function can be called. A Node
 * candidate's run() calls these and reports the rates as its metrics, so a codec comparison
 * runs through the same runner (one child process per library and repetition, alternating)
 * as a whole-process producer run.
 */

export const Clock = {
  /**
   * User + system CPU time of this process. Other engineers' JVMs share the machine, and CPU
   * time, unlike wall time, does not count moments spent waiting for a core. It does count
   * V8's GC helper threads, for every candidate alike.
   */
  cpu: 'cpu',
  /** performance.now(): for work that waits on I/O or other processes. */
  wall: 'wall',
} as const;
export type Clock = (typeof Clock)[keyof typeof Clock];

export interface OpsOptions {
  /** Measured duration, default 1 s. */
  readonly seconds?: number;
  /** Unmeasured calls first, for the JIT; default 0.3 s. */
  readonly warmupSeconds?: number;
  readonly clock?: Clock;
}

export interface OpsResult {
  /** Calls per second of the chosen clock. */
  readonly opsPerSecond: number;
  readonly calls: number;
  /** Seconds on the chosen clock that the measured calls took. */
  readonly seconds: number;
}

function reader(clock: Clock): () => number {
  if (clock === Clock.wall) return () => performance.now() / 1000;
  return () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
}

/** Keeps results reachable so the optimiser cannot drop a call whose value is unused. */
let sink: unknown;
export function lastResult(): unknown {
  return sink;
}

/**
 * Calls `fn` in batches until `seconds` have passed on the clock and returns calls per second.
 * Batches grow until one takes about 10 ms, so reading the clock (a getrusage system call for
 * the CPU clock) costs nothing measurable even for functions of a few nanoseconds. A function
 * that returns a promise is awaited on every call; a synchronous one never pays for a promise.
 */
export async function measureOps(fn: () => unknown, options: OpsOptions = {}): Promise<OpsResult> {
  const seconds = options.seconds ?? 1;
  const warmupSeconds = options.warmupSeconds ?? 0.3;
  if (!(seconds > 0)) throw new RangeError(`seconds must be > 0, got ${seconds}`);
  if (!(warmupSeconds >= 0)) throw new RangeError(`warmupSeconds must be >= 0, got ${warmupSeconds}`);
  const now = reader(options.clock ?? Clock.cpu);

  const first = fn();
  const isAsync = first instanceof Promise;
  sink = isAsync ? await first : first;
  const batch = async (n: number): Promise<void> => {
    if (isAsync) for (let i = 0; i < n; i++) sink = await fn();
    else for (let i = 0; i < n; i++) sink = fn();
  };

  let size = 1;
  const warmEnd = now() + warmupSeconds;
  while (now() < warmEnd) {
    const t = now();
    await batch(size);
    if (now() - t < 0.01) size *= 2;
  }

  let calls = 0;
  const start = now();
  let elapsed = 0;
  while (elapsed < seconds) {
    const t = now();
    await batch(size);
    calls += size;
    const after = now();
    if (after - t < 0.01) size *= 2;
    elapsed = after - start;
  }
  return { opsPerSecond: calls / elapsed, calls, seconds: elapsed };
}

/** Seconds on the clock that `calls` calls of `fn` take: for a fixed amount of work. */
export async function timeCalls(fn: () => unknown, calls: number, clock: Clock = Clock.cpu): Promise<number> {
  if (!Number.isInteger(calls) || calls < 1) throw new RangeError(`calls must be an integer >= 1, got ${calls}`);
  const now = reader(clock);
  const start = now();
  for (let i = 0; i < calls; i++) {
    const r = fn();
    sink = r instanceof Promise ? await r : r;
  }
  return now() - start;
}

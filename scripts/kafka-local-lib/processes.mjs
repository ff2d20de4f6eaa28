// The JVMs of a local cluster: started detached (they outlive this script), each with a pid
// file and a log file in its own directory. A pid only counts as ours when the process's
// command line still names its config file, so a recycled pid is never signalled.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * @typedef {object} ProcessSpec
 * @property {string} name e.g. node-1, zookeeper
 * @property {string} command absolute path of java
 * @property {string[]} args
 * @property {string} configFile names this process in its command line
 * @property {string} logFile
 * @property {string} pidFile
 */

function commandLineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The pid of `spec`'s running process, or undefined. */
export function runningPid(spec) {
  if (!existsSync(spec.pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(spec.pidFile, 'utf8').trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const cmdline = commandLineOf(pid);
  // Without /proc (not Linux) trust the pid file; a zombie has an empty command line.
  if (cmdline === undefined) return existsSync('/proc') ? undefined : pid;
  return cmdline.includes(spec.configFile) ? pid : undefined;
}

/**
 * Starts `spec` detached, its output appended to its log file.
 * @returns {{ pid: number, exited: () => { code: number | null, signal: string | null } | undefined }}
 */
export function startDetached(spec, env) {
  const out = openSync(spec.logFile, 'a');
  let exit;
  try {
    const child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', out, out], env });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.on('error', () => {});
    child.on('exit', (code, signal) => (exit = { code, signal }));
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return { pid: child.pid, exited: () => exit };
  } finally {
    closeSync(out);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until none of `pids` is alive; returns the ones still alive after `timeoutMs`. */
async function waitForExit(pids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAliveAndNotZombie);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = alive.filter(isAliveAndNotZombie);
  }
  return alive;
}

function isAliveAndNotZombie(pid) {
  if (!isAlive(pid)) return false;
  try {
    // Field 3 of /proc/pid/stat is the state; Z is a zombie whose parent has not reaped it yet.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return !existsSync('/proc');
  }
}

/**
 * Stops the processes of `specs` together: SIGTERM (a clean shutdown for Kafka and
 * ZooKeeper), then SIGKILL for any still alive after `graceMs`. Removes their pid files.
 * @param {ProcessSpec[]} specs
 * @returns {Promise<{ name: string, pid: number, killed: boolean }[]>}
 */
export async function stopProcesses(specs, { graceMs = 30_000, signal = 'SIGTERM' } = {}) {
  const running = specs.map((spec) => ({ spec, pid: runningPid(spec) })).filter((r) => r.pid !== undefined);
  for (const { pid } of running) signalQuietly(pid, signal);
  const stubborn = signal === 'SIGKILL' ? [] : await waitForExit(running.map((r) => r.pid), graceMs);
  for (const pid of stubborn) signalQuietly(pid, 'SIGKILL');
  await waitForExit(running.map((r) => r.pid), 10_000);
  for (const spec of specs) rmSync(spec.pidFile, { force: true });
  return running.map(({ spec, pid }) => ({ name: spec.name, pid, killed: signal === 'SIGKILL' || stubborn.includes(pid) }));
}

function signalQuietly(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(path, lines = 20) {
  try {
    const text = readFileSync(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

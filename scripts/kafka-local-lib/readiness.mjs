// Waits until a cluster serves: every broker answers a Metadata request that lists every
// broker. Fails early, with the log that says why, when a JVM exits or cannot bind its port.
import { existsSync, readFileSync } from 'node:fs';
import { ErrorCode, KafkaLocalError } from './errors.mjs';
import { fetchBrokers } from './metadata.mjs';
import { logTail } from './processes.mjs';

const pollMs = 200;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The bind failure a log reports after byte `fromByte` (logs are appended to across
 * restarts), if any. Kafka names the address; ZooKeeper only says "Address already in use",
 * so then the process's own ports are named.
 */
export function bindFailure(logFile, fromByte = 0, ports = []) {
  if (!existsSync(logFile)) return undefined;
  const text = readFileSync(logFile).subarray(fromByte).toString('utf8');
  const kafka = /failed to bind to ([\w.:-]+?:\d+)/i.exec(text);
  if (kafka) return `${kafka[1]} is already in use`;
  if (/BindException|Address already in use/.test(text)) {
    const list = ports.map((p) => `127.0.0.1:${p}`).join(', ');
    return ports.length === 1 ? `${list} is already in use` : `one of its ports (${list}) is already in use`;
  }
  return undefined;
}

/**
 * Fails when a watched process has exited or logged a bind failure.
 * @param {{ name: string, logFile: string, logOffset: number, ports: number[], exited: () => unknown }[]} watched
 */
export function checkProcesses(watched) {
  for (const w of watched) {
    const bind = bindFailure(w.logFile, w.logOffset, w.ports);
    if (bind) throw new KafkaLocalError(ErrorCode.portInUse, `${w.name} cannot listen: ${bind}; see ${w.logFile}`, { retriable: true });
    const exit = w.exited();
    if (exit) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new KafkaLocalError(ErrorCode.processExited, `${w.name} ${how} while starting; see ${w.logFile}:\n${logTail(w.logFile)}`);
    }
  }
}

/**
 * @param {{ nodeIds: number[], ports: number[], watched: Parameters<typeof checkProcesses>[0],
 *           timeoutMs: number, totalTimeoutMs?: number, logHint: string }} options ports: the PLAINTEXT
 *   port of each node to ask; totalTimeoutMs: the whole start's limit, for the message
 */
export async function waitForBrokers({ nodeIds, ports, watched, timeoutMs, totalTimeoutMs = timeoutMs, logHint }) {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    checkProcesses(watched);
    const answers = await Promise.allSettled(ports.map((port) => fetchBrokers('127.0.0.1', port, 2000)));
    const missing = [];
    answers.forEach((answer, i) => {
      if (answer.status === 'rejected') {
        missing.push(`127.0.0.1:${ports[i]}: ${answer.reason.message}`);
        return;
      }
      const listed = new Set(answer.value.map((b) => b.nodeId));
      const absent = nodeIds.filter((id) => !listed.has(id));
      if (absent.length > 0) missing.push(`127.0.0.1:${ports[i]} does not list node(s) ${absent.join(', ')} yet`);
    });
    if (missing.length === 0) return;
    lastProblem = missing.join('; ');
    if (Date.now() + pollMs > deadline) {
      throw new KafkaLocalError(
        ErrorCode.readinessTimeout,
        `Kafka was not ready after ${Math.round(totalTimeoutMs / 1000)} s (${lastProblem}); see ${logHint}`,
        { retriable: true },
      );
    }
    await sleep(pollMs);
  }
}

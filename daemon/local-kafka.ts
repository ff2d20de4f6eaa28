// Starts (or finds running) the single-node Kafka that `kafka-sidecar start` uses when no
// brokers are configured, through scripts/kafka-local, the same script the tests use.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseEnvLines } from './env-lines.js';

const run = promisify(execFile);

/** dist/daemon/local-kafka.js -> the repository (or image) root that holds scripts/. */
export const installRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LocalKafkaHandle {
  readonly brokers: string[];
  readonly version: string;
  readonly dir: string;
  /** True when this call started the broker (rather than finding it running). */
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

export class LocalKafkaError extends Error {
  readonly code = 'LOCAL_KAFKA_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'LocalKafkaError';
  }
}

export async function startLocalKafka(dir: string, version = '4.1.1'): Promise<LocalKafkaHandle> {
  const script = join(installRoot, 'scripts', 'kafka-local');
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(script, ['start', '--version', version, '--dir', dir], { maxBuffer: 4 << 20 }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new LocalKafkaError(`could not start a local Kafka in ${dir}: ${e.stderr?.trim() || e.message}`);
  }
  const vars = parseEnvLines(stdout);
  const brokers = (vars.KAFKA_BROKERS ?? '').split(',').filter((b) => b.length > 0);
  if (brokers.length === 0) throw new LocalKafkaError(`scripts/kafka-local printed no KAFKA_BROKERS for ${dir}`);
  const startedHere = !/already running/i.test(stderr);
  return {
    brokers,
    version: vars.KAFKA_VERSION ?? version,
    dir,
    startedHere,
    stop: async () => {
      await run(script, ['stop', '--dir', dir]);
    },
  };
}

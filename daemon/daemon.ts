// The daemon process: resolves its brokers (starting a local Kafka when none are configured),
// then runs until SIGTERM/SIGINT.
import { join } from 'node:path';
import { ExitCode } from './commands/command.js';
import { installRoot, startLocalKafka, type LocalKafkaHandle } from './local-kafka.js';

export async function runDaemon(_argv: string[]): Promise<number> {
  const configured = (process.env.KAFKA_SIDECAR_KAFKA_BROKERS ?? '').split(',').filter((b) => b.length > 0);
  let local: LocalKafkaHandle | undefined;
  let brokers = configured;
  if (brokers.length === 0) {
    process.stderr.write('kafka-sidecar: no brokers configured, starting a local single-node Kafka\n');
    local = await startLocalKafka(join(installRoot, '.kafka', 'daemon'));
    brokers = local.brokers;
  }
  process.stdout.write(`kafka-sidecar: Kafka at ${brokers.join(',')}${local ? ` (local ${local.version}, data in ${local.dir})` : ''}\n`);
  await new Promise<void>((resolveStop) => {
    process.once('SIGTERM', resolveStop);
    process.once('SIGINT', resolveStop);
  });
  if (local?.startedHere) await local.stop();
  return ExitCode.ok;
}

// The daemon process: loads its configuration, resolves its brokers (starting a local Kafka when
// none are configured), then runs until SIGTERM/SIGINT.
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { ExitCode } from './commands/command.js';
import { installRoot, startLocalKafka, type LocalKafkaHandle } from './local-kafka.js';
import { createLogger } from './logger.js';

export async function runDaemon(argv: string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig({ argv, env: process.env, cwd: process.cwd() });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kafka-sidecar: ${err.message}\n`);
      return ExitCode.usage;
    }
    throw err;
  }
  const { config } = loaded;
  const logger = createLogger({ level: config.logging.level, pretty: config.logging.pretty });
  let local: LocalKafkaHandle | undefined;
  let brokers = config.kafka.brokers;
  if (brokers.length === 0) {
    logger.info('no brokers configured: starting a local single-node Kafka');
    local = await startLocalKafka(join(installRoot, '.kafka', 'daemon'));
    brokers = local.brokers;
  }
  logger.info({ brokers, localKafka: local?.dir }, 'kafka-sidecar started');
  process.stdout.write(`kafka-sidecar: Kafka at ${brokers.join(',')}${local ? ` (local ${local.version}, data in ${local.dir})` : ''}\n`);
  await new Promise<void>((resolveStop) => {
    process.once('SIGTERM', resolveStop);
    process.once('SIGINT', resolveStop);
  });
  logger.info('shutting down');
  if (local?.startedHere) await local.stop();
  return ExitCode.ok;
}

// `kafka-sidecar start`: runs the daemon in the foreground until SIGTERM or SIGINT.
import type { CliCommand } from './command.js';
import { ExitCode, wantsHelp } from './command.js';
import { runDaemon } from '../daemon.js';

export const command: CliCommand = {
  name: 'start',
  summary: 'run the sidecar daemon in the foreground',
  usage: [
    'usage: kafka-sidecar start [--config FILE] [--set key=value ...]',
    '',
    'Without configured brokers (kafka.brokers / KAFKA_SIDECAR_KAFKA_BROKERS) the daemon starts a',
    'local single-node Kafka through scripts/kafka-local and uses it.',
  ].join('\n'),
  async run(argv) {
    if (wantsHelp(argv)) {
      process.stdout.write(this.usage + '\n');
      return ExitCode.ok;
    }
    return runDaemon(argv);
  },
};

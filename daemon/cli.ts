#!/usr/bin/env node
// The `kafka-sidecar` command: a dispatcher over the modules in daemon/commands/.
// Each command lives in its own file and registers here with one import line.
import type { CliCommand } from './commands/command.js';
import { ExitCode } from './commands/command.js';

type CommandLoader = () => Promise<CliCommand>;

/** Loaded lazily so that `kafka-sidecar config` does not pay for the protocol layer, and so on. */
const commands: Record<string, CommandLoader> = {
  'api-versions': async () => (await import('./commands/api-versions.js')).command,
  call: async () => (await import('./commands/call.js')).command,
  config: async () => (await import('./commands/config.js')).command,
  consume: async () => (await import('./commands/consume.js')).command,
  machines: async () => (await import('./commands/machines.js')).command,
  produce: async () => (await import('./commands/produce.js')).command,
  start: async () => (await import('./commands/start.js')).command,
  status: async () => (await import('./commands/status.js')).command,
};

function usage(): string {
  const names = Object.keys(commands).sort().join(' | ');
  return [
    'kafka-sidecar: a Kafka sidecar for apps in any language',
    '',
    `usage: kafka-sidecar <${names}> [options]`,
    '       kafka-sidecar <command> --help',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`kafka-sidecar: unknown command "${name}"\n\n${usage()}\n`);
    return ExitCode.usage;
  }
  const command = await load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kafka-sidecar: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = ExitCode.failure;
  },
);

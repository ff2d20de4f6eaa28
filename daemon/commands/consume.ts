// `kafka-sidecar consume GROUP TOPIC...`: subscribes through the running daemon, prints each
// message as one JSON line, acks it once printed, and stops after --max N messages or on
// SIGINT/SIGTERM (unsubscribing, so anything not yet acked is delivered again).
import type { SidecarClient, SubscribeOptions } from '../../client/index.js';
import { ExitCode, wantsHelp, type CliCommand } from './command.js';
import { runClientCommand, UsageError, type ClientCommandIo } from './daemon-link.js';

const USAGE = `usage: kafka-sidecar consume GROUP TOPIC... [--max N] [--from earliest|latest] [--encoding utf8|base64|json]
                              [--socket PATH] [--config FILE] [--set key=value ...]

Joins consumer group GROUP through the running daemon and prints each message as one JSON line
({topic, partition, offset, key, value, headers, timestamp, attempt}), acknowledging it once
written. Stops after --max messages, or on Ctrl-C; messages not yet acknowledged are then
delivered again to the group.`;

export interface ConsumeArguments {
  readonly group: string;
  readonly topics: string[];
  readonly max: number | null;
  readonly from?: 'earliest' | 'latest';
  readonly encoding?: 'utf8' | 'base64' | 'json';
}

function flagValue(rest: readonly string[], i: number, flag: string): string {
  const value = rest[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  return value;
}

export function parseConsumeArguments(rest: readonly string[]): ConsumeArguments {
  const positional: string[] = [];
  let max: number | null = null;
  let from: ConsumeArguments['from'];
  let encoding: ConsumeArguments['encoding'];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--max') {
      const text = flagValue(rest, i++, arg);
      max = Number(text);
      if (!Number.isInteger(max) || max < 1) throw new UsageError(`--max must be a positive integer, got "${text}"`);
    } else if (arg === '--from') {
      const text = flagValue(rest, i++, arg);
      if (text !== 'earliest' && text !== 'latest') throw new UsageError(`--from must be earliest or latest, got "${text}"`);
      from = text;
    } else if (arg === '--encoding') {
      const text = flagValue(rest, i++, arg);
      if (text !== 'utf8' && text !== 'base64' && text !== 'json') throw new UsageError(`--encoding must be utf8, base64 or json, got "${text}"`);
      encoding = text;
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}\n\n${USAGE}`);
    } else {
      positional.push(arg);
    }
  }
  const [group, ...topics] = positional;
  if (group === undefined || topics.length === 0) throw new UsageError(`GROUP and at least one TOPIC are required\n\n${USAGE}`);
  return { group, topics, max, ...(from ? { from } : {}), ...(encoding ? { encoding } : {}) };
}

async function consume(client: SidecarClient, args: ConsumeArguments, io: ClientCommandIo): Promise<number> {
  const options: SubscribeOptions = { group: args.group, topics: args.topics, ...(args.from ? { from: args.from } : {}), ...(args.encoding ? { encoding: args.encoding } : {}) };
  const subscription = await client.subscribe(options);
  const stop = (): void => void subscription.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let count = 0;
  try {
    for await (const m of subscription) {
      const { topic, partition, offset, key, value, headers, timestamp, attempt } = m;
      io.stdout.write(`${JSON.stringify({ topic, partition, offset, key, value, headers, timestamp, attempt })}\n`);
      await m.ack();
      if (args.max !== null && ++count >= args.max) break;
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await subscription.close();
  }
  return ExitCode.ok;
}

export function runConsumeCommand(argv: readonly string[], io: ClientCommandIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(`${USAGE}\n`);
    return Promise.resolve(ExitCode.ok);
  }
  return runClientCommand('consume', argv, io, (client, rest) => consume(client, parseConsumeArguments(rest), io));
}

export const command: CliCommand = {
  name: 'consume',
  summary: 'subscribe to a group through the running daemon and print its messages as JSON lines',
  usage: USAGE,
  run: (argv) => runConsumeCommand(argv, { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }),
};

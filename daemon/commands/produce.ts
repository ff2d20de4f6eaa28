// `kafka-sidecar produce TOPIC`: a kcat-like producer through the running daemon. Values come
// from stdin, one per line (or once from --value); each line's result is printed as one JSON
// line, in input order. Lines are sent in calls of up to BATCH_MESSAGES messages (fewer when the
// input pauses), one call at a time, so a slow broker slows the reading instead of growing memory.
import type { ProduceMessage, ProduceOptions, ProduceResult, SidecarClient } from '../../client/index.js';
import { ExitCode, wantsHelp, type CliCommand } from './command.js';
import { runClientCommand, UsageError, type ClientCommandIo } from './daemon-link.js';

const USAGE = `usage: kafka-sidecar produce TOPIC [--value V] [--key K] [-K SEP] [--partition N]
                              [--header name=value ...] [--acks all|leader|none]
                              [--encoding utf8|base64] [--socket PATH] [--config FILE] [--set key=value ...]

Produces to TOPIC through the running daemon and prints one JSON line per message, in order:
{"partition":P,"offset":"O"} or {"error":{"code","message","retriable"}}. Exits 1 if any failed.
  --value V          produce one message with value V instead of reading stdin
  (stdin)            one message per line; an empty line is an empty value
  --key K            key of every message (default: none)
  -K SEP             split each line at its first SEP into key and value (like kcat);
                     a line without SEP is a value with the --key key, if any
  --partition N      write to partition N (default: the daemon's partitioner)
  --header name=value  add a header (repeatable; order and duplicates kept)
  --acks MODE        all (default of the daemon), leader or none
  --encoding ENC     utf8 (default) or base64: how keys, values and header values are written
e.g. printf 'k1:v1\\nk2:v2\\n' | kafka-sidecar produce orders -K :`;

/** Most messages per produce call; a pause in the input sends what is there at once. */
export const BATCH_MESSAGES = 1000;
/** Bound on a call's key and value characters, well under the daemon's default 8 MiB frame. */
export const BATCH_CHARS = 1024 * 1024;

export interface ProduceCommandOptions {
  readonly topic: string;
  readonly value?: string;
  readonly key?: string;
  readonly keySeparator?: string;
  readonly partition?: number;
  readonly headers: (readonly [string, string])[];
  readonly acks?: ProduceOptions['acks'];
  readonly encoding?: 'utf8' | 'base64';
}

export interface ProduceIo extends ClientCommandIo {
  /** The message lines (process.stdin); chunks as they arrive. */
  readonly stdin: AsyncIterable<Buffer | string>;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** Parses the produce arguments left once --socket, --config and --set are taken out. */
export function parseProduceArguments(rest: readonly string[]): ProduceCommandOptions {
  let topic: string | undefined;
  let value: string | undefined;
  let key: string | undefined;
  let keySeparator: string | undefined;
  let partition: number | undefined;
  let acks: ProduceOptions['acks'];
  let encoding: 'utf8' | 'base64' | undefined;
  const headers: (readonly [string, string])[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const next = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value\n\n${USAGE}`);
      return v;
    };
    switch (arg) {
      case '--value':
        value = next();
        break;
      case '--key':
        key = next();
        break;
      case '-K':
        keySeparator = next();
        if (keySeparator === '') throw new UsageError('-K needs a non-empty separator');
        break;
      case '--partition': {
        const text = next();
        if (!/^\d+$/.test(text) || Number(text) > 2 ** 31 - 1) throw new UsageError(`--partition must be a partition number >= 0, got "${text}"`);
        partition = Number(text);
        break;
      }
      case '--header': {
        const text = next();
        const at = text.indexOf('=');
        if (at <= 0) throw new UsageError(`--header must be name=value, got "${text}"`);
        headers.push([text.slice(0, at), text.slice(at + 1)]);
        break;
      }
      case '--acks':
        acks = oneOf('--acks', next(), ['all', 'leader', 'none'] as const);
        break;
      case '--encoding':
        encoding = oneOf('--encoding', next(), ['utf8', 'base64'] as const);
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown argument "${arg}"\n\n${USAGE}`);
        if (topic !== undefined) throw new UsageError(`unexpected argument "${arg}" (TOPIC is "${topic}")\n\n${USAGE}`);
        topic = arg;
    }
  }
  if (topic === undefined) throw new UsageError(`a TOPIC is required\n\n${USAGE}`);
  if (value !== undefined && keySeparator !== undefined) throw new UsageError('-K splits stdin lines; it does not apply to --value');
  return { topic, value, key, keySeparator, partition, headers, acks, encoding };
}

/** One input line as a message: split at the first separator when -K is given. */
export function lineToMessage(line: string, options: ProduceCommandOptions): ProduceMessage {
  let key: string | null = options.key ?? null;
  let value = line;
  if (options.keySeparator !== undefined) {
    const at = line.indexOf(options.keySeparator);
    if (at >= 0) {
      key = line.slice(0, at);
      value = line.slice(at + options.keySeparator.length);
    }
  }
  const message: { key: string | null; value: string; headers?: (readonly [string, string])[]; partition?: number } = { key, value };
  if (options.headers.length > 0) message.headers = options.headers;
  if (options.partition !== undefined) message.partition = options.partition;
  return message;
}

/** Splits a stream of chunks into lines; the last line may lack its newline. */
export async function* readLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let partial = '';
  for await (const chunk of input) {
    partial += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const end = partial.lastIndexOf('\n');
    if (end < 0) continue;
    const lines = partial.slice(0, end).split('\n');
    partial = partial.slice(end + 1);
    yield lines;
  }
  partial += decoder.decode();
  if (partial !== '') yield [partial];
}

class ResultPrinter {
  failed = 0;
  constructor(private readonly io: ClientCommandIo) {}
  print(results: readonly ProduceResult[]): void {
    let text = '';
    for (const r of results) {
      if ('error' in r) this.failed++;
      text += `${JSON.stringify(r)}\n`;
    }
    this.io.stdout.write(text);
  }
}

async function sendAll(client: SidecarClient, options: ProduceCommandOptions, messages: readonly ProduceMessage[], printer: ResultPrinter): Promise<void> {
  const callOptions: ProduceOptions = { acks: options.acks, encoding: options.encoding };
  let start = 0;
  while (start < messages.length) {
    let end = start;
    let chars = 0;
    while (end < messages.length && end - start < BATCH_MESSAGES && (end === start || chars < BATCH_CHARS)) {
      const m = messages[end] as { key: string | null; value: string };
      chars += m.value.length + (m.key?.length ?? 0);
      end++;
    }
    const reply = await client.produce(options.topic, messages.slice(start, end), callOptions);
    printer.print(reply.results);
    start = end;
  }
}

export async function produceFromInput(client: SidecarClient, options: ProduceCommandOptions, stdin: AsyncIterable<Buffer | string>, io: ClientCommandIo): Promise<number> {
  const printer = new ResultPrinter(io);
  if (options.value !== undefined) {
    await sendAll(client, options, [lineToMessage(options.value, { ...options, keySeparator: undefined })], printer);
  } else {
    for await (const lines of readLines(stdin)) {
      await sendAll(client, options, lines.map((line) => lineToMessage(line, options)), printer);
    }
  }
  if (printer.failed > 0) io.stderr.write(`kafka-sidecar produce: ${printer.failed} message(s) failed\n`);
  return printer.failed > 0 ? ExitCode.failure : ExitCode.ok;
}

export function runProduceCommand(argv: readonly string[], io: ProduceIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(`${USAGE}\n`);
    return Promise.resolve(ExitCode.ok);
  }
  return runClientCommand('produce', argv, io, (client, rest) => produceFromInput(client, parseProduceArguments(rest), io.stdin, io));
}

export const command: CliCommand = {
  name: 'produce',
  summary: 'produce stdin lines (or --value) to a topic through the running daemon, kcat-like',
  usage: USAGE,
  run: (argv) => runProduceCommand(argv, { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }),
};

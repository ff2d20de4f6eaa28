// `kafka-sidecar api-versions`: every Kafka API this client implements with its version range
// and, with --broker, what that broker supports and the version a connection will use. A broker
// that shares no version of an API is named with both ranges, so an upgrade problem shows up
// before the daemon runs into it.
import { openSession } from '../../machines/connection/options.js';
import { ApiVersionTable, clientRange, type NegotiatedApi } from '../../machines/connection/versions.js';
import { allApis } from '../../protocol/messages/registry.js';
import { ExitCode, wantsHelp, type CliCommand } from './command.js';

export interface ApiVersionsCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const USAGE = `usage: kafka-sidecar api-versions [--broker HOST:PORT] [--json] [--timeout MS]

Lists every Kafka API this client implements (key, name, versions). With --broker, asks that
broker (PLAINTEXT) for its ApiVersions and adds its range and the version a connection would use;
APIs without a common version are named with both ranges.

  --broker HOST:PORT  the broker to ask
  --json              one JSON object instead of a table
  --timeout MS        connect and request timeout (default 10000)`;

interface Arguments {
  broker: { host: string; port: number } | null;
  json: boolean;
  timeoutMs: number;
}

class UsageError extends Error {
  readonly code = 'USAGE';
}

function parseArguments(argv: readonly string[]): Arguments {
  const args: Arguments = { broker: null, json: false, timeoutMs: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--json') args.json = true;
    else if (arg === '--broker') {
      const text = value();
      const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) throw new UsageError(`--broker must be HOST:PORT, not "${text}"`);
      args.broker = { host: match[1], port: Number(match[2]) };
    } else if (arg === '--timeout') {
      const text = value();
      args.timeoutMs = Number(text);
      if (!Number.isInteger(args.timeoutMs) || args.timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, not "${text}"`);
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  return args;
}

const range = (r: { min: number; max: number } | null): string => (r ? `${r.min}-${r.max}` : '-');

function note(e: NegotiatedApi): string {
  if (e.version !== null) return '';
  return e.broker === null
    ? `the broker does not support ${e.api.name}`
    : `no common version of ${e.api.name}: client ${range(e.client)}, broker ${range(e.broker)}`;
}

/** The table rows: the client's APIs, with the broker's side when a table is given. */
export function formatApiVersions(table: ApiVersionTable | null, json: boolean, broker?: string): string {
  const entries: NegotiatedApi[] = table
    ? table.entries()
    : allApis.map((api) => ({ api, client: clientRange(api), broker: null, version: null }));
  if (json) {
    const apis = entries.map((e) => ({
      key: e.api.key,
      name: e.api.name,
      client: e.client,
      ...(table ? { broker: e.broker, version: e.version, ...(note(e) ? { problem: note(e) } : {}) } : {}),
    }));
    return JSON.stringify(table ? { broker, apis } : { apis }, null, 2) + '\n';
  }
  const header = table ? ['KEY', 'API', 'CLIENT', 'BROKER', 'USE', ''] : ['KEY', 'API', 'CLIENT'];
  const rows = entries.map((e) => {
    const base = [String(e.api.key), e.api.name, range(e.client)];
    return table ? [...base, range(e.broker), e.version === null ? '-' : String(e.version), note(e)] : base;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const title = table ? `# ${broker}: ${entries.filter((e) => e.version !== null).length} of ${entries.length} APIs usable\n` : '';
  return title + [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The command with its process surroundings passed in, so tests need no child process. */
export async function runApiVersionsCommand(argv: readonly string[], io: ApiVersionsCommandIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    io.stderr.write(`kafka-sidecar api-versions: ${(error as Error).message}\n\n${USAGE}\n`);
    return ExitCode.usage;
  }
  if (!args.broker) {
    io.stdout.write(formatApiVersions(null, args.json));
    return ExitCode.ok;
  }
  const address = `${args.broker.host}:${args.broker.port}`;
  try {
    const session = await openSession({
      ...args.broker,
      clientId: 'kafka-sidecar-api-versions',
      connectTimeoutMs: args.timeoutMs,
      requestTimeoutMs: args.timeoutMs,
      maxInFlight: 1,
      backoff: { minMs: 0, maxMs: 0 },
    });
    session.pipeline.close();
    io.stdout.write(formatApiVersions(session.versions, args.json, address));
    return ExitCode.ok;
  } catch (error) {
    const e = error as { code?: string; message: string };
    io.stderr.write(`kafka-sidecar api-versions: ${address}: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    return ExitCode.failure;
  }
}

export const command: CliCommand = {
  name: 'api-versions',
  summary: 'list the Kafka APIs this client implements and what a broker supports',
  usage: USAGE,
  run: (argv) => runApiVersionsCommand(argv, { stdout: process.stdout, stderr: process.stderr }),
};

// `kafka-sidecar call METHOD [JSON]`: sends any IPC request to the running daemon and prints
// the result as JSON; an error answer goes to stderr with its stable code and exit code 1.
import { ExitCode, wantsHelp, type CliCommand } from './command.js';
import { runClientCommand, UsageError, type ClientCommandIo } from './daemon-link.js';

const USAGE = `usage: kafka-sidecar call METHOD [PARAMS_JSON] [--socket PATH] [--config FILE] [--set key=value ...]

Sends one JSON-RPC request to the running daemon and prints its result as JSON, e.g.
  kafka-sidecar call listTopics
  kafka-sidecar call createTopics '{"topics":[{"name":"orders","partitions":3}]}'
PARAMS_JSON must be a JSON object (default {}). The methods are described in docs/ipc.md.`;

export function parseParams(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`PARAMS_JSON is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`PARAMS_JSON must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

export function runCallCommand(argv: readonly string[], io: ClientCommandIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(`${USAGE}\n`);
    return Promise.resolve(ExitCode.ok);
  }
  return runClientCommand('call', argv, io, async (client, rest) => {
    const [methodName, paramsText, ...extra] = rest;
    if (methodName === undefined || methodName.startsWith('-')) throw new UsageError(`a METHOD is required\n\n${USAGE}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"\n\n${USAGE}`);
    const result = await client.call(methodName, parseParams(paramsText));
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return ExitCode.ok;
  });
}

export const command: CliCommand = {
  name: 'call',
  summary: 'send any IPC request to the running daemon and print the result',
  usage: USAGE,
  run: (argv) => runCallCommand(argv, { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }),
};

// How the client-side commands (status, call, produce, consume) find the running daemon: an
// explicit --socket PATH, else the socket path of the configuration `start` would load.
import { splitConfigArguments } from '../../config/arguments.js';
import { loadConfig } from '../../config/load.js';
import { connect, SidecarError, type SidecarClient } from '../../client/index.js';
import { ConfigError } from '../../config/errors.js';
import { ExitCode } from './command.js';

export interface DaemonLinkArguments {
  /** Arguments left once --socket, --config and --set are taken out. */
  readonly rest: string[];
  readonly socketPath: string;
}

const SOCKET_FLAG = '--socket';

/** Takes --socket PATH (or --socket=PATH) and the configuration flags out of argv. Throws ConfigError on bad configuration. */
export function parseDaemonLink(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): DaemonLinkArguments {
  let socketPath: string | undefined;
  const others: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === SOCKET_FLAG) {
      socketPath = argv[++i];
      if (socketPath === undefined || socketPath === '') throw new UsageError(`${SOCKET_FLAG} needs a path`);
    } else if (arg.startsWith(`${SOCKET_FLAG}=`)) {
      socketPath = arg.slice(SOCKET_FLAG.length + 1);
      if (socketPath === '') throw new UsageError(`${SOCKET_FLAG} needs a path`);
    } else {
      others.push(arg);
    }
  }
  const { configArgv, rest } = splitConfigArguments(others);
  // Only load the configuration when it is needed: the socket flag alone says where to go.
  if (socketPath === undefined) socketPath = loadConfig({ argv: configArgv, env, cwd }).config.ipc.socket.path;
  return { rest, socketPath };
}

/** A mistake in the command line of a client-side command; exit code 2. */
export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function connectToDaemon(socketPath: string): Promise<SidecarClient> {
  return connect({ socketPath, client: 'kafka-sidecar-cli', reconnect: false, timeoutMs: 60_000 });
}

export interface ClientCommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * Runs a client-side command: parses the link flags, connects, runs `body`, closes. Usage and
 * configuration mistakes exit 2; an unreachable daemon or an error answer exits 1 with the
 * daemon's message (and error data, which names the field for invalid params).
 */
export async function runClientCommand(
  name: string,
  argv: readonly string[],
  io: ClientCommandIo,
  body: (client: SidecarClient, rest: string[]) => Promise<number>,
): Promise<number> {
  let link: DaemonLinkArguments;
  try {
    link = parseDaemonLink(argv, io.env, io.cwd);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.stderr.write(`kafka-sidecar ${name}: ${err.message}\n`);
      return ExitCode.usage;
    }
    throw err;
  }
  let client: SidecarClient;
  try {
    client = await connectToDaemon(link.socketPath);
  } catch (err) {
    io.stderr.write(`kafka-sidecar ${name}: no daemon answers at ${link.socketPath}: ${(err as Error).message}\n`);
    return ExitCode.failure;
  }
  try {
    return await body(client, link.rest);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`kafka-sidecar ${name}: ${err.message}\n`);
      return ExitCode.usage;
    }
    if (err instanceof SidecarError) {
      const data = Object.keys(err.data).length > 0 ? ` ${JSON.stringify(err.data)}` : '';
      io.stderr.write(`kafka-sidecar ${name}: ${err.code}: ${err.message}${data}\n`);
      return ExitCode.failure;
    }
    io.stderr.write(`kafka-sidecar ${name}: ${(err as Error).message}\n`);
    return ExitCode.failure;
  } finally {
    await client.close();
  }
}

// The daemon's logger: pino, JSON lines by default, pino-pretty for people at a terminal.
// Secrets are kept out at three levels: pino `redact` paths for the known places of secrets,
// a `config` serializer that applies the schema's sensitive marks, and a formatter that scrubs
// any field named like a secret at any depth, in log objects, errors and child bindings alike.
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { REDACTED, redactConfig, scrubSecrets, sensitivePaths } from '../config/redact.js';
import type { LogLevel } from '../config/schema.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** logging.pretty: 'auto' means pretty only when the destination is a terminal. */
  readonly pretty: 'auto' | boolean;
  /** Where lines go; standard output by default. Tests pass a stream that collects them. */
  readonly destination?: NodeJS.WritableStream;
  /** Whether the destination is a terminal; read from process.stdout by default. */
  readonly isTTY?: boolean;
  /** Extra fields on every line, e.g. the process role. */
  readonly base?: Record<string, unknown>;
}

/** Where an actor's logger reads the actor's current state from, per log call. */
const stateSource = Symbol('kafka-sidecar.stateSource');

type StateSourced = Logger & { [stateSource]?: () => unknown };

/** Fixed redact paths: config objects logged whole, and the usual places of credentials. */
function redactPaths(): string[] {
  const configPaths = sensitivePaths();
  const fieldNames = ['password', 'token', 'nkeySeed', 'authorization'];
  return [
    ...configPaths.map((p) => `config.${p}`),
    ...configPaths,
    ...fieldNames.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
    'req.headers.authorization',
  ];
}

/** XState state values as one dotted string: "connected.idle", or "a.b,c.d" for parallel states. */
export function formatStateValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return Object.entries(value as Record<string, unknown>)
    .map(([region, inner]) => {
      const rest = formatStateValue(inner);
      return rest === '' ? region : `${region}.${rest}`;
    })
    .join(',');
}

export function shouldPrettyPrint(pretty: 'auto' | boolean, isTTY: boolean): boolean {
  return pretty === 'auto' ? isTTY : pretty;
}

/** Creates the root logger of the daemon. */
export function createLogger(options: LoggerOptions): Logger {
  const isTTY = options.isTTY ?? process.stdout.isTTY === true;
  const usePretty = shouldPrettyPrint(options.pretty, isTTY);
  const destination: DestinationStream =
    options.destination === undefined
      ? usePretty
        ? pretty({ colorize: isTTY, sync: true })
        : pino.destination({ dest: 1, sync: true })
      : usePretty
        ? pretty({ colorize: false, sync: true, destination: options.destination })
        : (options.destination as DestinationStream);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, ...(options.base ?? {}) },
      redact: { paths: redactPaths(), censor: REDACTED },
      serializers: {
        config: (config: unknown) => (config !== null && typeof config === 'object' ? scrubSecrets(redactConfig(config)) : config),
        // The formatter below has already turned errors into scrubbed plain objects; this
        // catches any error that reaches the serializer without passing the formatter.
        err: (err: unknown) => (err instanceof Error ? scrubSecrets(stdSerializers.err(err)) : err),
      },
      formatters: {
        log: (object) => scrubSecrets(object),
        bindings: (bindings) => scrubSecrets(bindings),
      },
      mixin: (_object, _level, logger) => {
        const source = (logger as StateSourced)[stateSource];
        return source === undefined ? {} : { state: formatStateValue(source()) };
      },
    },
    destination,
  );
}

export interface ActorLoggerBindings {
  /** The actor's systemId or id, e.g. "broker:1", "group:billing". */
  readonly actorId: string;
  /** The machine's id, e.g. "connection", "group". */
  readonly machine: string;
  /**
   * Returns the actor's current state value; called on every log call so each line carries the
   * state the actor is in at that moment. Usually `() => actorRef.getSnapshot().value`.
   */
  readonly state?: () => unknown;
}

/**
 * A child logger for one actor: every line carries actorId and machine, and `state` when a
 * state source is given. Children of this logger inherit the state source.
 */
export function childLogger(parent: Logger, bindings: ActorLoggerBindings): Logger {
  const child = parent.child({ actorId: bindings.actorId, machine: bindings.machine }) as StateSourced;
  if (bindings.state !== undefined) {
    const read = bindings.state;
    Object.defineProperty(child, stateSource, {
      value: () => {
        try {
          return read();
        } catch {
          // An actor that is not running yet (or any more) has no snapshot; logging must not throw.
          return 'unknown';
        }
      },
      enumerable: false,
    });
  }
  return child;
}

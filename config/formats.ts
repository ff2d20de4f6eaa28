// Strict value formats for the configuration schema.
//
// Each format knows three things: how to check a value (from a file, already typed), how to
// parse the text that environment variables and `--set` flags carry, and how to describe what
// it expects, for error messages and for docs/configuration.md. Parsing never guesses: text
// that does not parse is handed back unchanged so that the check reports it with the key name.
import convict from 'convict';

export interface ConfigFormat {
  /** Name used as `format` in the convict schema. */
  readonly name: string;
  /** Short type label for the docs table, e.g. "integer ms". */
  readonly label: string;
  /** What a valid value looks like, completing "expected ...". */
  readonly expected: string;
  /** Returns why `value` is invalid, or undefined when it is valid. */
  check(value: unknown): string | undefined;
  /** Turns environment / `--set` text into a value; unparsable text is returned as is. */
  parse(text: string): unknown;
}

/** Largest value of a Kafka INT32 field: timeouts and byte limits travel as int32 on the wire. */
export const INT32_MAX = 2_147_483_647;

/** Linux `sockaddr_un.sun_path` holds 108 bytes including the terminating NUL. */
export const UNIX_SOCKET_PATH_MAX_BYTES = 107;

const DECIMAL_INTEGER = /^(0|[1-9][0-9]*)$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
const IPV6_BODY = /^[0-9A-Fa-f:.]+$/;
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const NATS_SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const OCTAL_MODE = /^0?[0-7]{3}$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

function parseInteger(text: string): unknown {
  const trimmed = text.trim();
  return DECIMAL_INTEGER.test(trimmed) ? Number(trimmed) : text;
}

function parseList(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return parseJson(trimmed);
  return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function integerFormat(name: string, label: string, min: number, max: number, unit: string): ConfigFormat {
  const expected = `an integer${unit} from ${min} to ${max}`;
  return {
    name,
    label,
    expected,
    check: (value) => {
      if (typeof value !== 'number' || !Number.isInteger(value)) return `got ${describe(value)}`;
      if (value < min || value > max) return `${value} is out of range`;
      return undefined;
    },
    parse: parseInteger,
  };
}

function enumFormat(name: string, values: readonly string[]): ConfigFormat {
  return {
    name,
    label: values.join(' | '),
    expected: `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
    check: (value) => (typeof value === 'string' && values.includes(value) ? undefined : 'not one of the allowed values'),
    parse: (text) => text.trim(),
  };
}

/** Returns why `text` is not a host name or IP address (IPv6 in brackets when `bracketedV6`). */
function hostProblem(text: string, bracketedV6: boolean): string | undefined {
  if (bracketedV6 && text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1);
    return IPV6_BODY.test(inner) && inner.includes(':') ? undefined : `"${text}" is not an IPv6 address`;
  }
  if (!bracketedV6 && text.includes(':')) {
    return IPV6_BODY.test(text) ? undefined : `"${text}" is not an IPv6 address`;
  }
  if (IPV4.test(text) || HOSTNAME.test(text)) return undefined;
  return `"${text}" is not a host name or IP address`;
}

/** Returns why `text` is not `host:port`. */
export function hostPortProblem(text: string): string | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return `"${text}" has no ":port"`;
  const host = text.slice(0, colon);
  const port = text.slice(colon + 1);
  if (!DECIMAL_INTEGER.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return `"${text}" has port "${port}", expected 1 to 65535`;
  }
  if (host.includes(':') && !host.startsWith('[')) return `"${text}": put an IPv6 address in brackets, e.g. [::1]:9092`;
  return hostProblem(host, true);
}

function listProblem(value: unknown, entryProblem: (entry: string) => string | undefined, allowEmpty: boolean): string | undefined {
  if (!Array.isArray(value)) return `got ${describe(value)}`;
  if (value.length === 0 && !allowEmpty) return 'the list is empty';
  for (const [index, entry] of value.entries()) {
    if (typeof entry !== 'string') return `entry ${index + 1} is ${describe(entry)}`;
    const problem = entryProblem(entry);
    if (problem !== undefined) return `entry ${index + 1}: ${problem}`;
  }
  return undefined;
}

function natsServerProblem(entry: string): string | undefined {
  const scheme = /^([a-z]+):\/\//.exec(entry);
  if (scheme === null) return hostPortProblem(entry);
  if (!['nats', 'tls', 'ws', 'wss'].includes(scheme[1] ?? '')) return `"${entry}" has scheme "${scheme[1]}", expected nats, tls, ws or wss`;
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `"${entry}" is not a URL`;
  }
  return url.hostname === '' ? `"${entry}" has no host` : undefined;
}

/** Kafka consumer group assignors that the `classic` protocol can name in JoinGroup. */
export const CLASSIC_ASSIGNORS = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'] as const;

/** A consumer group the daemon joins at start-up, declared in configuration. */
export interface ConsumerGroupDeclaration {
  /** The Kafka group id. */
  readonly group: string;
  /** Topics to subscribe to; exactly one of `topics` and `pattern` is given. */
  readonly topics?: readonly string[];
  /** A regular expression over topic names; exactly one of `topics` and `pattern` is given. */
  readonly pattern?: string;
  /** Where to start when the group has no committed offset; defaults to consumer.autoOffsetReset. */
  readonly from?: 'earliest' | 'latest';
}

const GROUP_FIELDS = ['group', 'topics', 'pattern', 'from'];

function groupDeclarationProblem(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return `is ${describe(entry)}, expected a mapping`;
  const record = entry as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !GROUP_FIELDS.includes(k));
  if (unknown.length > 0) return `has unknown field "${unknown[0]}" (allowed: ${GROUP_FIELDS.join(', ')})`;
  if (typeof record.group !== 'string' || record.group.trim() === '') return 'needs "group", a non-empty string';
  const name = `group "${record.group}"`;
  const hasTopics = record.topics !== undefined;
  const hasPattern = record.pattern !== undefined;
  if (hasTopics === hasPattern) return `${name} needs exactly one of "topics" and "pattern"`;
  if (hasTopics) {
    const problem = listProblem(record.topics, (t) => (TOPIC_NAME.test(t) && t !== '.' && t !== '..' ? undefined : `"${t}" is not a legal topic name`), false);
    if (problem !== undefined) return `${name} "topics": ${problem}`;
  }
  if (hasPattern) {
    if (typeof record.pattern !== 'string' || record.pattern === '') return `${name} "pattern" must be a non-empty string`;
    try {
      new RegExp(record.pattern);
    } catch (err) {
      return `${name} "pattern" is not a regular expression: ${(err as Error).message}`;
    }
  }
  if (record.from !== undefined && record.from !== 'earliest' && record.from !== 'latest') {
    return `${name} "from" must be "earliest" or "latest"`;
  }
  return undefined;
}

const formatList: readonly ConfigFormat[] = [
  integerFormat('duration-ms', 'integer ms', 0, INT32_MAX, ' number of milliseconds'),
  integerFormat('positive-duration-ms', 'integer ms > 0', 1, INT32_MAX, ' number of milliseconds'),
  integerFormat('count', 'integer ≥ 0', 0, INT32_MAX, ''),
  integerFormat('positive-count', 'integer ≥ 1', 1, INT32_MAX, ''),
  integerFormat('byte-size', 'integer bytes', 1, INT32_MAX, ' number of bytes'),
  integerFormat('tcp-port', 'port', 0, 65535, ' port number (0 picks a free port)'),
  integerFormat('in-flight-per-broker', 'integer 1–5', 1, 5, ''),
  {
    name: 'strict-boolean',
    label: 'boolean',
    expected: 'true or false',
    check: (value) => (typeof value === 'boolean' ? undefined : `got ${describe(value)}`),
    parse: (text) => {
      const t = text.trim();
      return t === 'true' ? true : t === 'false' ? false : text;
    },
  },
  {
    name: 'non-empty-string',
    label: 'string',
    expected: 'a non-empty string',
    check: (value) => (typeof value === 'string' && value.trim() !== '' ? undefined : `got ${value === '' ? 'an empty string' : describe(value)}`),
    parse: (text) => text,
  },
  {
    name: 'host',
    label: 'host',
    expected: 'a host name or IP address',
    check: (value) => (typeof value === 'string' ? hostProblem(value, false) : `got ${describe(value)}`),
    parse: (text) => text.trim(),
  },
  {
    name: 'host-port-list',
    label: 'host:port list',
    expected: 'a non-empty list of host:port (a list, or comma-separated text)',
    check: (value) => listProblem(value, hostPortProblem, false),
    parse: parseList,
  },
  {
    // Empty is meaningful for brokers: the daemon then runs a local single-node Kafka.
    name: 'broker-list',
    label: 'host:port list',
    expected: 'a list of host:port (a list, or comma-separated text; empty for a local Kafka)',
    check: (value) => listProblem(value, hostPortProblem, true),
    parse: parseList,
  },
  {
    name: 'nats-server-list',
    label: 'server list',
    expected: 'a non-empty list of host:port or nats://, tls://, ws://, wss:// URLs (a list, or comma-separated text)',
    check: (value) => listProblem(value, natsServerProblem, false),
    parse: parseList,
  },
  {
    name: 'assignor-list',
    label: CLASSIC_ASSIGNORS.join(' | ') + ' list',
    expected: `a non-empty list of distinct names from ${CLASSIC_ASSIGNORS.join(', ')}`,
    check: (value) => {
      const problem = listProblem(value, (a) => ((CLASSIC_ASSIGNORS as readonly string[]).includes(a) ? undefined : `"${a}" is not a known assignor`), false);
      if (problem !== undefined) return problem;
      return new Set(value as string[]).size === (value as string[]).length ? undefined : 'an assignor is named twice';
    },
    parse: parseList,
  },
  {
    name: 'socket-path',
    label: 'absolute path',
    expected: `an absolute path of at most ${UNIX_SOCKET_PATH_MAX_BYTES} bytes`,
    check: (value) => {
      if (typeof value !== 'string') return `got ${describe(value)}`;
      if (!value.startsWith('/')) return 'the path is relative';
      const bytes = Buffer.byteLength(value);
      return bytes > UNIX_SOCKET_PATH_MAX_BYTES ? `the path is ${bytes} bytes long` : undefined;
    },
    parse: (text) => text,
  },
  {
    name: 'file-mode',
    label: 'octal mode',
    expected: 'an octal permission string such as "0600" that grants the owner read and write',
    check: (value) => {
      if (typeof value === 'number') return 'a number loses its octal meaning; quote the mode, e.g. "0600"';
      if (typeof value !== 'string' || !OCTAL_MODE.test(value)) return `got ${typeof value === 'string' ? 'a string that is not octal' : describe(value)}`;
      return (parseFileMode(value) & 0o600) === 0o600 ? undefined : 'the owner needs read and write to use the socket';
    },
    parse: (text) => text.trim(),
  },
  {
    name: 'nats-subject-prefix',
    label: 'subject prefix',
    expected: 'NATS subject tokens of letters, digits, "_" or "-", separated by "."',
    check: (value) => (typeof value === 'string' && NATS_SUBJECT_PREFIX.test(value) ? undefined : 'not a subject prefix'),
    parse: (text) => text.trim(),
  },
  {
    name: 'log-pretty',
    label: 'auto | true | false',
    expected: '"auto", true or false',
    check: (value) => (value === 'auto' || typeof value === 'boolean' ? undefined : `got ${describe(value)}`),
    parse: (text) => {
      const t = text.trim();
      return t === 'true' ? true : t === 'false' ? false : t;
    },
  },
  {
    name: 'consumer-groups',
    label: 'list of groups',
    expected: 'a list of {group, topics | pattern, from?} mappings (JSON text in env / --set)',
    check: (value) => {
      if (!Array.isArray(value)) return `got ${describe(value)}`;
      const seen = new Set<string>();
      for (const [index, entry] of value.entries()) {
        const problem = groupDeclarationProblem(entry);
        if (problem !== undefined) return `entry ${index + 1} ${problem}`;
        const group = (entry as ConsumerGroupDeclaration).group;
        if (seen.has(group)) return `group "${group}" is declared twice`;
        seen.add(group);
      }
      return undefined;
    },
    parse: parseJson,
  },
  enumFormat('sasl-mechanism', ['none', 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']),
  enumFormat('acks', ['all', 'leader', 'none']),
  enumFormat('compression', ['none', 'gzip', 'snappy', 'lz4', 'zstd']),
  enumFormat('group-protocol', ['classic', 'consumer']),
  enumFormat('offset-reset', ['earliest', 'latest', 'none']),
  enumFormat('isolation-level', ['read_uncommitted', 'read_committed']),
  enumFormat('log-level', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
];

/** Every format by name. */
export const configFormats: ReadonlyMap<string, ConfigFormat> = new Map(formatList.map((f) => [f.name, f]));

/** Looks a format up by name; a schema naming an unknown format is a programming error. */
export function formatNamed(name: string): ConfigFormat {
  const format = configFormats.get(name);
  if (format === undefined) throw new Error(`config schema uses unknown format "${name}"`);
  return format;
}

/** "0600" -> 0o600. */
export function parseFileMode(mode: string): number {
  return parseInt(mode, 8);
}

let registered = false;

/** Registers the formats with convict (once per process) so that its own validation knows them. */
export function registerConvictFormats(): void {
  if (registered) return;
  registered = true;
  for (const format of formatList) {
    // No coerce function: values reach convict already parsed, and file values stay as written.
    convict.addFormat({
      name: format.name,
      validate: (value: unknown) => {
        const problem = format.check(value);
        if (problem !== undefined) throw new Error(`expected ${format.expected}: ${problem}`);
      },
    });
  }
}

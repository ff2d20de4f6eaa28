// The one configuration schema of the daemon. Every key has a doc string, a strict format
// (see formats.ts) and a default; environment variable names, docs/configuration.md and the
// redaction of secrets are all derived from this object so that they cannot drift from it.
import type convict from 'convict';
import { INT32_MAX, UNIX_SOCKET_PATH_MAX_BYTES, type ConsumerGroupDeclaration } from './formats.js';

export type SaslMechanism = 'none' | 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
export type Acks = 'all' | 'leader' | 'none';
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export type GroupProtocol = 'classic' | 'consumer';
export type OffsetReset = 'earliest' | 'latest' | 'none';
export type IsolationLevel = 'read_uncommitted' | 'read_committed';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type Assignor = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';

export interface TlsFiles {
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
}

export interface Backoff {
  minMs: number;
  maxMs: number;
}

/** The effective configuration: what loadConfig returns, deeply frozen. */
export interface SidecarConfig {
  kafka: {
    brokers: string[];
    clientId: string;
    tls: TlsFiles & { enabled: boolean; servername: string | null; rejectUnauthorized: boolean };
    sasl: { mechanism: SaslMechanism; username: string | null; password: string | null; tokenCommand: string | null };
  };
  connection: {
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    maxInFlight: number;
    backoff: Backoff;
    metadataRefreshMs: number;
  };
  producer: {
    acks: Acks;
    lingerMs: number;
    batchBytes: number;
    bufferBytes: number;
    maxBlockMs: number;
    autoCreateTopics: boolean;
    compression: Compression;
    idempotent: boolean;
    deliveryTimeoutMs: number;
    maxInFlightPerBroker: number;
    retries: number;
    transactions: {
      timeoutMs: number;
      idleMs: number;
    };
  };
  consumer: {
    groups: ConsumerGroupDeclaration[];
    sessionTimeoutMs: number;
    heartbeatIntervalMs: number;
    rebalanceTimeoutMs: number;
    protocol: GroupProtocol;
    assignors: Assignor[];
    autoCommitIntervalMs: number;
    autoOffsetReset: OffsetReset;
    fetchMaxBytes: number;
    fetchMinBytes: number;
    fetchMaxWaitMs: number;
    isolationLevel: IsolationLevel;
    groupInstanceId: string | null;
    maxInFlight: number;
    ackTimeoutMs: number;
    idleGraceMs: number;
    maxBufferedBytes: number;
    maxPartitionBufferedBytes: number;
  };
  ipc: {
    socket: { path: string; mode: string };
    maxFrameBytes: number;
  };
  nats: {
    enabled: boolean;
    servers: string[];
    prefix: string;
    user: string | null;
    password: string | null;
    token: string | null;
    nkeySeed: string | null;
    tls: TlsFiles;
  };
  http: { enabled: boolean; host: string; port: number };
  logging: { level: LogLevel; pretty: 'auto' | boolean };
  supervisor: { maxRestarts: number; windowMs: number; backoff: Backoff };
  shutdown: { timeoutMs: number };
}

/** Facts about the host that a default depends on. */
export interface SchemaContext {
  /** $XDG_RUNTIME_DIR, when set. */
  readonly runtimeDir?: string;
}

const SOCKET_FILE = 'kafka-sidecar.sock';
const FALLBACK_SOCKET_PATH = `/tmp/${SOCKET_FILE}`;

/** The socket lives in $XDG_RUNTIME_DIR (private to the user) when that is usable, else in /tmp. */
export function defaultSocketPath(context: SchemaContext): string {
  const dir = context.runtimeDir;
  if (dir === undefined || !dir.startsWith('/')) return FALLBACK_SOCKET_PATH;
  const path = `${dir.replace(/\/+$/, '')}/${SOCKET_FILE}`;
  return Buffer.byteLength(path) <= UNIX_SOCKET_PATH_MAX_BYTES ? path : FALLBACK_SOCKET_PATH;
}

function tlsFiles(what: string): convict.Schema<TlsFiles> {
  return {
    caFile: {
      doc: `PEM file of certificate authorities that sign the ${what} certificates; unset uses Node's bundled CAs.`,
      format: 'non-empty-string',
      nullable: true,
      default: null,
    },
    certFile: {
      doc: `PEM client certificate presented to the ${what} (mutual TLS); needs keyFile.`,
      format: 'non-empty-string',
      nullable: true,
      default: null,
    },
    keyFile: {
      doc: `PEM private key of certFile; needs certFile.`,
      format: 'non-empty-string',
      nullable: true,
      default: null,
    },
  };
}

function backoff(what: string, minMs: number, maxMs: number): convict.Schema<Backoff> {
  return {
    minMs: { doc: `First delay before ${what}; doubles (with jitter) on each further failure.`, format: 'duration-ms', default: minMs },
    maxMs: { doc: `Upper bound of the delay before ${what}.`, format: 'duration-ms', default: maxMs },
  };
}

/** Builds the convict schema. `context` only feeds defaults that depend on the host. */
export function buildSchema(context: SchemaContext): convict.Schema<SidecarConfig> {
  return {
    kafka: {
      brokers: {
        doc: 'Bootstrap brokers as host:port; the rest of the cluster is learned from metadata. Empty: `kafka-sidecar start` runs a local single-node Kafka (scripts/kafka-local) and uses it.',
        format: 'broker-list',
        default: [],
      },
      clientId: {
        doc: 'client.id sent with every request; brokers use it in logs and quotas.',
        format: 'non-empty-string',
        default: 'kafka-sidecar',
      },
      tls: {
        enabled: { doc: 'Connect to brokers over TLS.', format: 'strict-boolean', default: false },
        ...tlsFiles('broker'),
        servername: {
          doc: 'TLS server name (SNI) to send and verify instead of the broker host name.',
          format: 'host',
          nullable: true,
          default: null,
        },
        rejectUnauthorized: {
          doc: 'Refuse brokers whose certificate does not verify. Turn off only for local testing.',
          format: 'strict-boolean',
          default: true,
        },
      },
      sasl: {
        mechanism: {
          doc: 'SASL mechanism used to authenticate to brokers; none disables SASL.',
          format: 'sasl-mechanism',
          default: 'none',
        },
        username: {
          doc: 'SASL user name (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).',
          format: 'non-empty-string',
          nullable: true,
          default: null,
        },
        password: {
          doc: 'SASL password (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).',
          format: 'non-empty-string',
          nullable: true,
          sensitive: true,
          default: null,
        },
        tokenCommand: {
          doc: 'OAUTHBEARER: command run through /bin/sh whose standard output is the bearer token; run again before the token expires.',
          format: 'non-empty-string',
          nullable: true,
          default: null,
        },
      },
    },
    connection: {
      connectTimeoutMs: {
        doc: 'Time allowed for TCP connect, TLS handshake and SASL authentication of one broker connection.',
        format: 'positive-duration-ms',
        default: 10_000,
      },
      requestTimeoutMs: {
        doc: 'Time to wait for the response to one request before the connection is considered broken.',
        format: 'positive-duration-ms',
        default: 30_000,
      },
      maxInFlight: {
        doc: 'Requests written to one connection before waiting for responses.',
        format: 'positive-count',
        default: 32,
      },
      backoff: backoff('reconnecting to a broker', 100, 10_000),
      metadataRefreshMs: {
        doc: 'Period of the cluster metadata refresh, even when nothing forces one.',
        format: 'positive-duration-ms',
        default: 300_000,
      },
    },
    producer: {
      acks: {
        doc: 'Acknowledgement required from the partition: all in-sync replicas, the leader only, or none.',
        format: 'acks',
        default: 'all',
      },
      lingerMs: {
        doc: 'Time a batch waits for more records before it is sent. 0 sends at once when a request slot is free; records still batch while maxInFlightPerBroker requests are out.',
        format: 'duration-ms',
        // Apps behind a sidecar often make one awaited call per request (PHP-FPM): a linger
        // would be added to every such call. Under load, batches form behind the requests in
        // flight anyway (the sidecar benchmark measures both; docs/benchmarks.md).
        default: 0,
      },
      batchBytes: {
        doc: 'Largest record batch per partition. One sidecar batches for many apps, so the default is larger than the Java client\'s 16 KiB (librdkafka uses 1 MB); keep it below the topic\'s max.message.bytes.',
        format: 'byte-size',
        // With at most maxInFlightPerBroker requests per broker, throughput to one partition is
        // about batchBytes x in-flight / round trip: 16 KiB batches cap a busy partition early.
        default: 256 * 1024,
      },
      bufferBytes: {
        doc: 'Memory for records waiting to be sent; when full, produce calls wait up to maxBlockMs.',
        format: 'byte-size',
        default: 32 * 1024 * 1024,
      },
      maxBlockMs: {
        doc: 'Longest time a produce call waits for buffer space or metadata before it fails.',
        format: 'duration-ms',
        default: 60_000,
      },
      autoCreateTopics: {
        doc: 'Produce to a topic that does not exist asks the brokers to create it, as the Java producer does; they create it only when their auto.create.topics.enable is on (then with the broker\'s num.partitions and default.replication.factor). false: such records fail at once with UNKNOWN_TOPIC_OR_PARTITION.',
        format: 'strict-boolean',
        default: true,
      },
      compression: {
        doc: 'Compression codec of produced record batches.',
        format: 'compression',
        default: 'none',
      },
      idempotent: {
        doc: 'Idempotent producer: brokers drop duplicates of retried batches. Needs acks=all.',
        format: 'strict-boolean',
        default: true,
      },
      deliveryTimeoutMs: {
        doc: 'Upper bound on the time from a produce call to its success or failure, retries included.',
        format: 'positive-duration-ms',
        default: 120_000,
      },
      maxInFlightPerBroker: {
        doc: 'Produce requests in flight per broker; at most 5 keeps ordering with idempotence.',
        format: 'in-flight-per-broker',
        default: 5,
      },
      retries: {
        doc: 'Retries of a failed batch before deliveryTimeoutMs; usually bounded by the timeout instead.',
        format: 'count',
        default: INT32_MAX,
      },
      transactions: {
        timeoutMs: {
          doc: "Longest life of a transaction begun over IPC (beginTransaction's timeoutMs may only be shorter): the daemon aborts it then, and it is the producer's transaction.timeout.ms, so the coordinator aborts it too should the daemon be gone (at most the broker's transaction.max.timeout.ms).",
          format: 'positive-duration-ms',
          default: 60_000,
        },
        idleMs: {
          doc: 'A transactional producer (one per transactional id, started by the first beginTransaction) is closed after this long without an open transaction.',
          format: 'positive-duration-ms',
          default: 60_000,
        },
      },
    },
    consumer: {
      groups: {
        doc: 'Consumer groups joined at start-up: a list of {group, topics or pattern, from}. from (earliest|latest) applies when the group has no committed offset and defaults to autoOffsetReset.',
        format: 'consumer-groups',
        default: [],
      },
      sessionTimeoutMs: {
        doc: 'Time without heartbeats after which the coordinator removes a member.',
        format: 'positive-duration-ms',
        default: 45_000,
      },
      heartbeatIntervalMs: {
        doc: 'Period of heartbeats to the group coordinator; must be below sessionTimeoutMs.',
        format: 'positive-duration-ms',
        default: 3_000,
      },
      rebalanceTimeoutMs: {
        doc: 'Time members get to rejoin during a rebalance (classic protocol).',
        format: 'positive-duration-ms',
        default: 300_000,
      },
      protocol: {
        doc: 'Group protocol: classic (JoinGroup/SyncGroup) or consumer (KIP-848, ConsumerGroupHeartbeat).',
        format: 'group-protocol',
        default: 'classic',
      },
      assignors: {
        doc: 'Partition assignors offered in JoinGroup, most preferred first (classic protocol).',
        format: 'assignor-list',
        default: ['range', 'cooperative-sticky'],
      },
      autoCommitIntervalMs: {
        doc: 'Period of offset commits of processed records.',
        format: 'positive-duration-ms',
        default: 5_000,
      },
      autoOffsetReset: {
        doc: 'Where to start without a committed offset, or when it is out of range: earliest, latest, or none (fail).',
        format: 'offset-reset',
        default: 'latest',
      },
      fetchMaxBytes: {
        doc: 'Largest response to one fetch request.',
        format: 'byte-size',
        default: 50 * 1024 * 1024,
      },
      fetchMinBytes: {
        doc: 'Bytes a broker waits for before answering a fetch (up to fetchMaxWaitMs).',
        format: 'byte-size',
        default: 1,
      },
      fetchMaxWaitMs: {
        doc: 'Longest time a broker holds a fetch waiting for fetchMinBytes.',
        format: 'duration-ms',
        default: 500,
      },
      isolationLevel: {
        doc: 'read_committed hides records of open and aborted transactions.',
        format: 'isolation-level',
        default: 'read_uncommitted',
      },
      groupInstanceId: {
        doc: 'group.instance.id for static membership (a restart within sessionTimeoutMs causes no rebalance); unset means dynamic membership.',
        format: 'non-empty-string',
        nullable: true,
        default: null,
      },
      maxInFlight: {
        doc: 'Default of subscribe\'s maxInFlight: unacknowledged messages a subscription may hold.',
        format: 'positive-count',
        default: 100,
      },
      ackTimeoutMs: {
        doc: 'Default lease of a delivered message (subscribe and fetch ackTimeoutMs): unacknowledged after this long, it is delivered again.',
        format: 'positive-duration-ms',
        default: 30_000,
      },
      idleGraceMs: {
        doc: 'A group consumer started by an app (not declared in consumer.groups) commits, leaves the group and stops this long after its last subscription or fetch.',
        format: 'positive-duration-ms',
        default: 30_000,
      },
      maxBufferedBytes: {
        doc: 'Fetched bytes one group may hold unacknowledged; fetching stops while it is reached (backpressure from slow apps).',
        format: 'byte-size',
        default: 64 * 1024 * 1024,
      },
      maxPartitionBufferedBytes: {
        doc: 'Fetched bytes one partition may hold unacknowledged before it stops being fetched.',
        format: 'byte-size',
        default: 4 * 1024 * 1024,
      },
    },
    ipc: {
      socket: {
        path: {
          doc: 'Unix socket where apps connect (JSON-RPC 2.0, one JSON object per line).',
          format: 'socket-path',
          default: defaultSocketPath(context),
          docDefault: `$XDG_RUNTIME_DIR/${SOCKET_FILE}, else ${FALLBACK_SOCKET_PATH}`,
        },
        mode: {
          doc: 'Permissions of the socket file, as an octal string.',
          format: 'file-mode',
          default: '0600',
        },
      },
      maxFrameBytes: {
        doc: 'Longest request line an app may send; longer lines close the session.',
        format: 'byte-size',
        default: 8 * 1024 * 1024,
      },
    },
    nats: {
      enabled: { doc: 'Serve the same methods over NATS.', format: 'strict-boolean', default: false },
      servers: {
        doc: 'NATS servers as host:port or nats:// / tls:// URLs.',
        format: 'nats-server-list',
        default: ['127.0.0.1:4222'],
      },
      prefix: {
        doc: 'Subject prefix of the NATS service endpoints.',
        format: 'nats-subject-prefix',
        default: 'kafka-sidecar',
      },
      user: { doc: 'NATS user name; needs password.', format: 'non-empty-string', nullable: true, default: null },
      password: {
        doc: 'NATS password; needs user.',
        format: 'non-empty-string',
        nullable: true,
        sensitive: true,
        default: null,
      },
      token: {
        doc: 'NATS authentication token (instead of user/password or nkeySeed).',
        format: 'non-empty-string',
        nullable: true,
        sensitive: true,
        default: null,
      },
      nkeySeed: {
        doc: 'NATS NKey seed (instead of user/password or token).',
        format: 'non-empty-string',
        nullable: true,
        sensitive: true,
        default: null,
      },
      tls: tlsFiles('NATS server'),
    },
    http: {
      enabled: {
        doc: 'Serve health, Prometheus metrics and the live statechart view over HTTP.',
        format: 'strict-boolean',
        default: true,
      },
      host: { doc: 'Address the HTTP server listens on.', format: 'host', default: '127.0.0.1' },
      port: { doc: 'Port the HTTP server listens on.', format: 'tcp-port', default: 9464 },
    },
    logging: {
      level: { doc: 'Lowest level that is logged.', format: 'log-level', default: 'info' },
      pretty: {
        doc: 'Human-readable logs instead of JSON lines; auto means only when stdout is a terminal.',
        format: 'log-pretty',
        default: 'auto',
      },
    },
    supervisor: {
      maxRestarts: {
        doc: 'Restarts of one actor allowed within windowMs before the failure escalates to its parent.',
        format: 'count',
        default: 5,
      },
      windowMs: {
        doc: 'Sliding window in which supervisor restarts are counted.',
        format: 'positive-duration-ms',
        default: 60_000,
      },
      backoff: backoff('restarting a failed actor', 200, 30_000),
    },
    shutdown: {
      timeoutMs: {
        doc: 'Time allowed for a graceful stop (flush the producer, commit, leave groups) before the process exits anyway.',
        format: 'positive-duration-ms',
        default: 30_000,
      },
    },
  };
}

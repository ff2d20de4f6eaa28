/**
 * The admin methods: createTopics, deleteTopics, listTopics, listOffsets, listGroups and
 * describeGroup. Each validates its params strictly (a wrong or unknown member is -32602
 * naming it), calls the matching operation of machines/admin, and turns the answer into
 * JSON: int64 offsets as decimal strings, per-topic failures as {code, message, retriable}.
 *
 * Errors: a broker's error code is a Kafka error (-32010, data.code = Kafka's name); a
 * cluster that has no metadata yet is NOT_READY (-32001); other coded failures on the way to
 * the brokers (REQUEST_TIMEOUT, CONNECTION_CLOSED, BROKER_NOT_AVAILABLE, ...) also travel as
 * -32010 with their own stable code and retriable flag, not as an internal error.
 */
import { ClusterNotReadyError, summarizeError, type ErrorSummary } from '../../machines/admin/errors.js';
import { createTopics, type NewTopic, type TopicResult } from '../../machines/admin/create-topics.js';
import { deleteTopics } from '../../machines/admin/delete-topics.js';
import { describeGroup, listGroups, type GroupDescription, type GroupListing } from '../../machines/admin/groups.js';
import { listOffsets, type OffsetQuery, type PartitionOffset } from '../../machines/admin/list-offsets.js';
import { listTopics, type TopicListing } from '../../machines/admin/list-topics.js';
import { ClusterClient } from '../../machines/cluster/cluster-client.js';
import { KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { InvalidParamsError, IpcError, NotReadyError, RpcErrorNumber } from '../errors.js';
import { method, type MethodTable } from '../method-table.js';
import { array, describeValue, integer, object, optional, params, string, type Validator } from '../params.js';

/** What the methods need of the cluster: the operations of machines/admin (tests pass fakes). */
export interface AdminOperations {
  createTopics(topics: readonly NewTopic[], timeoutMs: number): Promise<TopicResult[]>;
  deleteTopics(names: readonly string[], timeoutMs: number): Promise<TopicResult[]>;
  listTopics(timeoutMs: number): Promise<TopicListing[]>;
  listOffsets(topic: string, at: OffsetQuery, timeoutMs: number): Promise<PartitionOffset[]>;
  listGroups(timeoutMs: number): Promise<GroupListing[]>;
  describeGroup(group: string, timeoutMs: number): Promise<GroupDescription>;
}

export function adminOperations(cluster: ClusterClient): AdminOperations {
  return {
    createTopics: (topics, timeoutMs) => createTopics(cluster, topics, { timeoutMs }),
    deleteTopics: (names, timeoutMs) => deleteTopics(cluster, names, { timeoutMs }),
    listTopics: (timeoutMs) => listTopics(cluster, { timeoutMs }),
    listOffsets: (topic, at, timeoutMs) => listOffsets(cluster, topic, at, { timeoutMs }),
    listGroups: (timeoutMs) => listGroups(cluster, { timeoutMs }),
    describeGroup: (group, timeoutMs) => describeGroup(cluster, group, { timeoutMs }),
  };
}

/** A coded failure on the way to the brokers that is not a broker's error code. */
export class AdminCallError extends IpcError {
  override readonly name = 'AdminCallError';
  readonly rpcCode = RpcErrorNumber.kafka;
  constructor(
    readonly code: string,
    readonly retriable: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** The IPC error for anything an admin operation throws; errors without a code stay internal. */
export function adminError(error: unknown): unknown {
  if (error instanceof IpcError || error instanceof KafkaProtocolError) return error;
  if (error instanceof ClusterNotReadyError) return new NotReadyError(error.message, { reason: error.code });
  const coded = error as { code?: unknown; retriable?: unknown; message?: unknown };
  if (error instanceof Error && typeof coded.code === 'string' && typeof coded.retriable === 'boolean') {
    return new AdminCallError(coded.code, coded.retriable, error.message);
  }
  return error;
}

async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw adminError(error);
  }
}

// Kafka's rules for topic names (Topic.validate): 1 to 249 of [a-zA-Z0-9._-], not "." or "..".
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function topicName(): Validator<string> {
  return (value, field) => {
    if (typeof value !== 'string' || !TOPIC_NAME.test(value) || value === '.' || value === '..') {
      throw new InvalidParamsError(field, 'a topic name of 1 to 249 characters from a-z A-Z 0-9 . _ - (not "." or "..")', describeValue(value));
    }
    return value;
  };
}

/** An object of string values, e.g. topic configs {"cleanup.policy": "compact"}. */
export function stringMap(): Validator<Record<string, string>> {
  return (value, field) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidParamsError(field, 'an object of string values', describeValue(value));
    }
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === '') throw new InvalidParamsError(field, 'non-empty member names', 'an empty name');
      if (typeof v !== 'string') throw new InvalidParamsError(`${field}.${key}`, 'a string', describeValue(v));
      out[key] = v;
    }
    return out;
  };
}

/** An array whose items' `key` values differ: the same topic twice in one call is a mistake. */
export function distinct<T>(inner: Validator<T[]>, key: (item: T) => string, what: string): Validator<T[]> {
  return (value, field) => {
    const items = inner(value, field);
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k)) throw new InvalidParamsError(`${field}[${i}]`, `a ${what} not already listed`, `"${k}" again`);
      seen.add(k);
    });
    return items;
  };
}

/** "earliest", "latest", or a timestamp in ms since the epoch. */
export function offsetQuery(): Validator<OffsetQuery> {
  return (value, field) => {
    if (value === 'earliest' || value === 'latest') return value;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    throw new InvalidParamsError(field, '"earliest", "latest" or a timestamp (ms since the epoch, an integer >= 0)', describeValue(value));
  };
}

const createTopicsParams = params({
  topics: distinct(
    array(
      object({
        name: topicName(),
        partitions: integer({ min: 1, max: 1_000_000 }),
        replicationFactor: optional(integer({ min: 1, max: 32767 })),
        configs: optional(stringMap()),
      }),
      { minItems: 1 },
    ),
    (t) => t.name,
    'topic name',
  ),
});
const deleteTopicsParams = params({ topics: distinct(array(topicName(), { minItems: 1 }), (t) => t, 'topic name') });
const noParams = params({});
const listOffsetsParams = params({ topic: topicName(), at: offsetQuery() });
const describeGroupParams = params({ group: string({ minLength: 1, maxLength: 32767 }) });

export interface TopicResultJson {
  readonly name: string;
  readonly error?: ErrorSummary;
}

function topicResultJson(r: TopicResult): TopicResultJson {
  return r.error === null ? { name: r.name } : { name: r.name, error: summarizeError(r.error) };
}

export interface PartitionOffsetJson {
  readonly partition: number;
  /** Decimal string; null when a timestamp query finds no record at or after that time. */
  readonly offset: string | null;
  readonly timestamp?: number;
}

export interface GroupDescriptionJson {
  readonly group: string;
  readonly state: string;
  readonly protocolType: string;
  readonly protocol: string;
  readonly members: ReadonlyArray<{
    memberId: string;
    clientId: string;
    host: string;
    assignment: ReadonlyArray<{ topic: string; partitions: readonly number[] }>;
  }>;
  readonly offsets: ReadonlyArray<{ topic: string; partition: number; committed: string | null; end: string | null; lag: string | null }>;
}

function int64(value: bigint | null): string | null {
  return value === null ? null : value.toString();
}

export function groupDescriptionJson(d: GroupDescription): GroupDescriptionJson {
  return {
    group: d.group,
    state: d.state,
    protocolType: d.protocolType,
    protocol: d.protocol,
    members: d.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.host, assignment: m.assignment.map((a) => ({ ...a })) })),
    offsets: d.offsets.map((o) => ({ topic: o.topic, partition: o.partition, committed: int64(o.committed), end: int64(o.end), lag: int64(o.lag) })),
  };
}

export const DEFAULT_ADMIN_TIMEOUT_MS = 30_000;

/** Registers the six admin methods on `table`, served by the cluster (or by other operations, in tests). */
export function registerAdminMethods(table: MethodTable, cluster: ClusterClient | AdminOperations, options: { timeoutMs?: number } = {}): MethodTable {
  const ops = cluster instanceof ClusterClient ? adminOperations(cluster) : cluster;
  const timeoutMs = options.timeoutMs ?? DEFAULT_ADMIN_TIMEOUT_MS;
  table.register(
    'createTopics',
    method(
      'Creates topics {name, partitions, replicationFactor?, configs?} at the controller; one result per topic, with error {code, message, retriable} for those that failed.',
      createTopicsParams,
      (p) => mapped(async () => ({ results: (await ops.createTopics(p.topics, timeoutMs)).map(topicResultJson) })),
    ),
  );
  table.register(
    'deleteTopics',
    method('Deletes topics by name; one result per topic, with error {code, message, retriable} for those that failed.', deleteTopicsParams, (p) =>
      mapped(async () => ({ results: (await ops.deleteTopics(p.topics, timeoutMs)).map(topicResultJson) })),
    ),
  );
  table.register(
    'listTopics',
    method('Lists every topic, internal ones included, with its partition count, from fresh metadata.', noParams, () =>
      mapped(async () => ({ topics: (await ops.listTopics(timeoutMs)).map((t) => ({ ...t })) })),
    ),
  );
  table.register(
    'listOffsets',
    method(
      'Offsets of every partition of a topic at "earliest", "latest" or a timestamp (ms): {partition, offset (decimal string, null when no record is that recent), timestamp?}.',
      listOffsetsParams,
      (p) =>
        mapped(async () => ({
          partitions: (await ops.listOffsets(p.topic, p.at, timeoutMs)).map(
            (o): PartitionOffsetJson => ({ partition: o.partition, offset: int64(o.offset), ...(o.timestamp === null ? {} : { timestamp: o.timestamp }) }),
          ),
        })),
    ),
  );
  table.register(
    'listGroups',
    method('Lists the consumer groups of every broker: {group, protocolType, state?}.', noParams, () =>
      mapped(async () => ({
        groups: (await ops.listGroups(timeoutMs)).map((g) => ({
          group: g.group,
          protocolType: g.protocolType,
          ...(g.state === null ? {} : { state: g.state }),
        })),
      })),
    ),
  );
  table.register(
    'describeGroup',
    method(
      'Describes a group: state, protocol, members with their assignments, and per partition the committed offset, the end offset and the lag (decimal strings).',
      describeGroupParams,
      (p) => mapped(async () => groupDescriptionJson(await ops.describeGroup(p.group, timeoutMs))),
    ),
  );
  return table;
}

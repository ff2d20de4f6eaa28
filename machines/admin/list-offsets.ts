/**
 * listOffsets: the earliest, latest, or first-at-a-timestamp offset of partitions, asked of
 * each partition's leader, one request per leader. Partitions whose leader moved or is being
 * elected (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, FENCED_LEADER_EPOCH, ...) are asked
 * again after a metadata refresh until the call's time is up.
 */
import { KafkaErrorCode, KafkaProtocolError, kafkaErrorFor } from '../../protocol/errors/kafka-error.js';
import { ListOffsetsApi, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/messages/list-offsets.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { refreshQuietly } from './controller.js';
import { Deadline } from './deadline.js';
import { AdminResponseError } from './errors.js';
import { clusterReady, isRetriable, sendAdminRequest } from './send.js';

/** Where to look: the log start, the log end (high watermark), or the first record at or after a time (ms). */
export type OffsetQuery = 'earliest' | 'latest' | number;

export interface PartitionOffset {
  readonly partition: number;
  /** null when a timestamp query finds no record at or after that time. */
  readonly offset: bigint | null;
  /** The found record's timestamp for timestamp queries; null when the broker reports none. */
  readonly timestamp: number | null;
}

interface WantedPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Kafka's special timestamps: -2 earliest, -1 latest. */
export function queryTimestamp(at: OffsetQuery): bigint {
  return at === 'earliest' ? -2n : at === 'latest' ? -1n : BigInt(at);
}

/** v0 answers with an offset array and cannot search by time; every broker we support has v1. */
const MIN_VERSION = 1;
const LEADER_EPOCH_MIN_VERSION = 4;
const TIMEOUT_MIN_VERSION = 10;

export function listOffsetsRequest(
  partitions: ReadonlyArray<WantedPartition & { readonly leaderEpoch: number }>,
  at: OffsetQuery,
  version: number,
  timeoutMs: number,
): ListOffsetsRequest {
  const timestamp = queryTimestamp(at);
  const topics = new Map<string, ListOffsetsRequest['topics'][number]>();
  for (const p of partitions) {
    let topic = topics.get(p.topic);
    if (!topic) topics.set(p.topic, (topic = { name: p.topic, partitions: [] }));
    topic.partitions.push({
      partitionIndex: p.partition,
      timestamp,
      ...(version >= LEADER_EPOCH_MIN_VERSION ? { currentLeaderEpoch: p.leaderEpoch } : {}),
    });
  }
  return { replicaId: -1, topics: [...topics.values()], ...(version >= TIMEOUT_MIN_VERSION ? { timeoutMs } : {}) };
}

function offsetFrom(answer: ListOffsetsResponse['topics'][number]['partitions'][number]): PartitionOffset {
  const offset = answer.offset ?? -1n;
  const timestamp = answer.timestamp ?? -1n;
  return { partition: answer.partitionIndex, offset: offset >= 0n ? offset : null, timestamp: timestamp >= 0n ? Number(timestamp) : null };
}

/**
 * The topics of `topics` that exist, refreshing the metadata once when the cached snapshot
 * does not know one of them (it may have been created a moment ago). A failed refresh is
 * thrown: it says nothing about whether the topic exists.
 */
export async function existingTopics(cluster: ClusterClient, topics: Iterable<string>, deadline: Deadline): Promise<Set<string>> {
  const wanted = [...new Set(topics)];
  if (wanted.some((t) => !cluster.metadata.topics.has(t))) await cluster.refreshMetadata(deadline.remaining());
  return new Set(wanted.filter((t) => cluster.metadata.topics.has(t)));
}

/**
 * Offsets of the given partitions (of topics that exist), by topic and partition. Throws the
 * first non-retriable error, or the last retriable one when time runs out.
 */
export async function offsetsFor(
  cluster: ClusterClient,
  wanted: readonly WantedPartition[],
  at: OffsetQuery,
  deadline: Deadline,
): Promise<Map<string, Map<number, PartitionOffset>>> {
  const results = new Map<string, Map<number, PartitionOffset>>();
  let pending = [...wanted];
  for (let attempt = 0; pending.length > 0; attempt++) {
    const metadata = cluster.metadata;
    const byLeader = new Map<number, Array<WantedPartition & { leaderEpoch: number }>>();
    const retry: WantedPartition[] = [];
    let lastError: Error | null = null;
    let fatal: Error | null = null;
    for (const p of pending) {
      const leader = metadata.leaderFor(p.topic, p.partition);
      if (leader === undefined) {
        retry.push(p);
        lastError = kafkaErrorFor(KafkaErrorCode.LEADER_NOT_AVAILABLE, `${p.topic}[${p.partition}] has no known leader`);
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push({ ...p, leaderEpoch: metadata.partition(p.topic, p.partition)?.leaderEpoch ?? -1 });
      byLeader.set(leader, list);
    }
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        try {
          const { response } = await sendAdminRequest(
            cluster,
            leader,
            ListOffsetsApi,
            (version) => listOffsetsRequest(partitions, at, version, deadline.remaining()),
            deadline,
            { min: MIN_VERSION },
          );
          for (const p of partitions) {
            const answer = response.topics.find((t) => t.name === p.topic)?.partitions.find((a) => a.partitionIndex === p.partition);
            if (!answer) {
              fatal ??= new AdminResponseError('ListOffsets', `no answer for ${p.topic}[${p.partition}] from broker ${leader}`);
            } else if (answer.errorCode === 0) {
              const byPartition = results.get(p.topic) ?? new Map<number, PartitionOffset>();
              byPartition.set(p.partition, offsetFrom(answer));
              results.set(p.topic, byPartition);
            } else {
              const error = kafkaErrorFor(answer.errorCode, `${p.topic}[${p.partition}] at broker ${leader}`);
              if (error.retriable) {
                retry.push(p);
                lastError = error;
              } else fatal ??= error;
            }
          }
        } catch (error) {
          if (!isRetriable(error)) fatal ??= error as Error;
          retry.push(...partitions);
          lastError = error as Error;
        }
      }),
    );
    if (fatal) throw fatal;
    pending = retry;
    if (pending.length === 0) break;
    if (!(await refreshQuietly(cluster, deadline)) || !(await deadline.pause(attempt))) throw lastError as Error;
  }
  return results;
}

export async function listOffsets(cluster: ClusterClient, topic: string, at: OffsetQuery, options: { timeoutMs: number }): Promise<PartitionOffset[]> {
  const deadline = new Deadline(options.timeoutMs);
  await clusterReady(cluster, deadline);
  if (!(await existingTopics(cluster, [topic], deadline)).has(topic)) {
    throw new KafkaProtocolError(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${topic}" does not exist`);
  }
  const partitions = [...(cluster.metadata.topics.get(topic)?.partitions.keys() ?? [])].sort((a, b) => a - b);
  const offsets = await offsetsFor(cluster, partitions.map((partition) => ({ topic, partition })), at, deadline);
  return partitions.map((partition) => offsets.get(topic)?.get(partition) as PartitionOffset);
}

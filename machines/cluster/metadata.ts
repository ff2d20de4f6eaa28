/**
 * The cluster as the client knows it: brokers, topics, partitions with their leaders and leader
 * epochs. Snapshots are immutable; each Metadata response produces a new one merged with the
 * previous (a response about some topics leaves the others as they were). A partition never
 * goes back to an older leader epoch (KIP-320): a lagging broker's answer cannot undo a newer
 * leader election we already know about.
 */
import type { MetadataResponse } from '../../protocol/messages/metadata.js';

export interface BrokerInfo {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionInfo {
  readonly partition: number;
  /** -1 while the partition has no leader. */
  readonly leaderId: number;
  /** -1 when the broker does not report epochs (Metadata < v7). */
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
  /** Kafka error code for this partition (e.g. LEADER_NOT_AVAILABLE), 0 if none. */
  readonly errorCode: number;
}

export interface TopicInfo {
  readonly name: string;
  readonly topicId: string | null;
  readonly isInternal: boolean;
  /** Kafka error code for the topic (e.g. UNKNOWN_TOPIC_OR_PARTITION), 0 if none. */
  readonly errorCode: number;
  readonly partitions: ReadonlyMap<number, PartitionInfo>;
}

export interface BrokerChanges {
  readonly added: readonly BrokerInfo[];
  readonly removed: readonly BrokerInfo[];
  /** Same node id, new host, port or rack. */
  readonly moved: readonly BrokerInfo[];
}

const NO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

function topicFrom(t: MetadataResponse['topics'][number], previous: TopicInfo | undefined): TopicInfo {
  const partitions = new Map<number, PartitionInfo>();
  for (const p of t.partitions) {
    const epoch = p.leaderEpoch ?? -1;
    const known = previous?.partitions.get(p.partitionIndex);
    if (known && epoch >= 0 && known.leaderEpoch > epoch) {
      partitions.set(p.partitionIndex, known);
      continue;
    }
    partitions.set(p.partitionIndex, {
      partition: p.partitionIndex,
      leaderId: p.leaderId,
      leaderEpoch: epoch,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      offlineReplicas: p.offlineReplicas ?? [],
      errorCode: p.errorCode,
    });
  }
  return {
    name: t.name ?? '',
    topicId: t.topicId && t.topicId !== NO_TOPIC_ID ? t.topicId : null,
    isInternal: t.isInternal ?? false,
    errorCode: t.errorCode,
    partitions,
  };
}

export class ClusterMetadata {
  private constructor(
    readonly clusterId: string | null,
    readonly controllerId: number,
    readonly brokers: ReadonlyMap<number, BrokerInfo>,
    readonly topics: ReadonlyMap<string, TopicInfo>,
    /** When this snapshot was made (ms since the epoch). */
    readonly updatedAt: number,
  ) {}

  static empty(): ClusterMetadata {
    return new ClusterMetadata(null, -1, new Map(), new Map(), 0);
  }

  /**
   * A new snapshot from a Metadata response. `allTopics` says the request asked for every
   * topic, so topics missing from the answer are gone; otherwise they are kept.
   */
  merge(response: MetadataResponse, allTopics: boolean, now = Date.now()): ClusterMetadata {
    const brokers = new Map<number, BrokerInfo>(
      response.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null }]),
    );
    const topics = new Map<string, TopicInfo>(allTopics ? [] : this.topics);
    for (const t of response.topics) {
      if (t.name === null) continue;
      topics.set(t.name, topicFrom(t, this.topics.get(t.name)));
    }
    return new ClusterMetadata(response.clusterId ?? this.clusterId, response.controllerId ?? -1, brokers, topics, now);
  }

  partition(topic: string, partition: number): PartitionInfo | undefined {
    return this.topics.get(topic)?.partitions.get(partition);
  }

  /** The leader's node id, or undefined when unknown or leaderless. */
  leaderFor(topic: string, partition: number): number | undefined {
    const leader = this.partition(topic, partition)?.leaderId;
    return leader !== undefined && leader >= 0 ? leader : undefined;
  }

  /** What changed in the broker list from `previous` to this snapshot. */
  brokerChangesSince(previous: ClusterMetadata): BrokerChanges {
    const added: BrokerInfo[] = [];
    const moved: BrokerInfo[] = [];
    for (const b of this.brokers.values()) {
      const old = previous.brokers.get(b.nodeId);
      if (!old) added.push(b);
      else if (old.host !== b.host || old.port !== b.port || old.rack !== b.rack) moved.push(b);
    }
    const removed = [...previous.brokers.values()].filter((b) => !this.brokers.has(b.nodeId));
    return { added, removed, moved };
  }

  /** A plain-object view for logs, status pages and JSON-RPC answers. */
  toJSON(): object {
    return {
      clusterId: this.clusterId,
      controllerId: this.controllerId,
      brokers: [...this.brokers.values()],
      topics: [...this.topics.values()].map((t) => ({ ...t, partitions: [...t.partitions.values()] })),
      updatedAt: this.updatedAt,
    };
  }
}

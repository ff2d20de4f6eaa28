/**
 * Group members for the integration tests: real group actors over a real cluster actor, each
 * recording what its listener was told (assigned with starting offsets, revoked, lost) and
 * offering positions to commit through `committable`.
 */
import { createActor } from 'xstate';
import type { ClusterClient } from '../../../../machines/cluster/cluster-client.js';
import { groupMachine, type GroupActor } from '../../../../machines/group/group-machine.js';
import type { GroupOptions } from '../../../../machines/group/group-options.js';
import type { CommitOffset, PartitionStart } from '../../../../machines/group/offsets.js';
import { byTopicThenPartition, partitionKey, type TopicPartition } from '../../../../machines/group/topic-partitions.js';
import { eventually } from '../admin/cluster-fixture.js';

export interface Member {
  readonly name: string;
  readonly actor: GroupActor;
  /** Partitions currently held according to the listener. */
  readonly held: Map<string, TopicPartition>;
  readonly assignedLog: PartitionStart[][];
  readonly revokedLog: TopicPartition[][];
  readonly lostLog: TopicPartition[][];
  /** Positions handed to `committable`, by partitionKey. */
  readonly positions: Map<string, CommitOffset>;
  heldList(): TopicPartition[];
  /** group.stop and wait for the final state. */
  stop(): Promise<void>;
  /** Stops the actor without a word to the coordinator, like a killed process. */
  crash(): void;
}

export type MemberOptions = Omit<GroupOptions, 'cluster' | 'group' | 'listener' | 'committable'>;

export const FAST: MemberOptions = {
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 300,
  rebalanceTimeoutMs: 15_000,
  autoCommitIntervalMs: 500,
  autoOffsetReset: 'earliest',
  assignors: ['range'],
  metadataCheckMs: 500,
  requestTimeoutMs: 20_000,
};

export function startMember(cluster: ClusterClient, group: string, name: string, options: Partial<MemberOptions> & Pick<GroupOptions, 'topics' | 'pattern'>): Member {
  const held = new Map<string, TopicPartition>();
  const assignedLog: PartitionStart[][] = [];
  const revokedLog: TopicPartition[][] = [];
  const lostLog: TopicPartition[][] = [];
  const positions = new Map<string, CommitOffset>();
  const actor = createActor(groupMachine, {
    input: {
      ...FAST,
      ...options,
      cluster,
      group,
      listener: {
        assigned: (starts) => {
          assignedLog.push([...starts]);
          for (const s of starts) held.set(partitionKey(s.topic, s.partition), { topic: s.topic, partition: s.partition });
        },
        revoked: (partitions) => {
          revokedLog.push([...partitions]);
          for (const p of partitions) held.delete(partitionKey(p.topic, p.partition));
        },
        lost: (partitions) => {
          lostLog.push([...partitions]);
          for (const p of partitions) held.delete(partitionKey(p.topic, p.partition));
        },
      },
      committable: () => positions.values(),
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  return {
    name,
    actor,
    held,
    assignedLog,
    revokedLog,
    lostLog,
    positions,
    heldList: () => [...held.values()].sort(byTopicThenPartition),
    stop: async () => {
      actor.send({ type: 'group.stop' });
      await eventually(`${name} to stop`, async () => (actor.getSnapshot().status === 'done' ? true : undefined));
    },
    crash: () => actor.stop(),
  };
}

/** Waits until the members are stable in one generation and hold `total` partitions between them, none twice. */
export async function settled(members: readonly Member[], total: number, timeoutMs = 60_000): Promise<number> {
  return eventually(
    `${members.map((m) => m.name).join(', ')} to settle on ${total} partitions`,
    async () => {
      const snapshots = members.map((m) => m.actor.getSnapshot());
      if (!snapshots.every((s) => s.matches('stable'))) return undefined;
      const generations = new Set(snapshots.map((s) => s.context.generationId));
      if (generations.size !== 1) return undefined;
      const keys = members.flatMap((m) => [...m.held.keys()]);
      if (keys.length !== total || new Set(keys).size !== total) return undefined;
      // Every member holds exactly what its last assignment says (no follow-up round pending).
      if (!members.every((m) => m.held.size === m.actor.getSnapshot().context.assignment.length)) return undefined;
      return [...generations][0];
    },
    timeoutMs,
  );
}

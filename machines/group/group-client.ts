/**
 * What the rest of the daemon (the IPC layer's ack tracker, status pages) uses of a running
 * group actor without reaching into its states: its membership, the partitions it owns, and
 * an explicit commit of positions ("commit up to here" per partition). A commit is one
 * OffsetCommit over the group's coordinator connection with the current generation; the group
 * learns of it by an event, so automatic commits do not repeat it.
 */
import type { Membership } from './coordinator-requests.js';
import { NotGroupMemberError } from './errors.js';
import type { ConnectionActor } from '../connection/connection-machine.js';
import type { GroupEvent } from './group-machine.js';
import type { GroupOptions } from './group-options.js';
import { requestTimeout } from './group-steps.js';
import { commitOffsets, type CommitOffset } from './offsets.js';
import type { TopicPartition } from './topic-partitions.js';

/** What both group machines (classic and KIP-848) show of themselves; `generationId` is the member epoch in the latter. */
export interface GroupActor {
  getSnapshot(): {
    readonly status: string;
    readonly value: unknown;
    readonly context: {
      readonly options: GroupOptions;
      readonly memberId: string;
      readonly generationId: number;
      readonly connection: ConnectionActor | null;
      readonly owned: readonly TopicPartition[];
    };
  };
  send(event: GroupEvent): void;
}

function stateName(snapshot: ReturnType<GroupActor['getSnapshot']>): string {
  return JSON.stringify(snapshot.value);
}

/** The member id and generation, or null while the member has none (joining, stopped, failed). */
export function groupMembership(actor: GroupActor): Membership | null {
  const snapshot = actor.getSnapshot();
  const c = snapshot.context;
  // Classic generations start at 1 after a join, KIP-848 member epochs too; 0 and -1 mean none yet.
  if (snapshot.status !== 'active' || c.generationId <= 0 || c.memberId === '') return null;
  return { group: c.options.group, memberId: c.memberId, generationId: c.generationId, groupInstanceId: c.options.groupInstanceId ?? null };
}

/** The partitions handed to the listener and not revoked since. */
export function ownedPartitions(actor: GroupActor): readonly TopicPartition[] {
  return actor.getSnapshot().context.owned;
}

/**
 * Commits `offsets` (each the next offset to consume) now. Fails with NotGroupMemberError
 * while the member has no generation, and with the broker's error (REBALANCE_IN_PROGRESS,
 * ILLEGAL_GENERATION, ...) as a KafkaProtocolError; the group itself rejoins when its
 * heartbeat learns the same.
 */
export async function commitGroupOffsets(actor: GroupActor, offsets: readonly CommitOffset[], timeoutMs?: number): Promise<void> {
  const snapshot = actor.getSnapshot();
  const membership = groupMembership(actor);
  const connection = snapshot.context.connection;
  if (!membership || !connection) throw new NotGroupMemberError(snapshot.context.options.group, stateName(snapshot));
  await commitOffsets(connection, membership, offsets, timeoutMs ?? requestTimeout(snapshot.context.options));
  if (actor.getSnapshot().status === 'active') actor.send({ type: 'group.committed', offsets });
}

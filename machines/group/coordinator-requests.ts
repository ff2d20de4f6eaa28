/**
 * The classic group protocol's requests to the coordinator, over the group's own connection,
 * each at the version negotiated with that broker: JoinGroup (with KIP-394's member-id round
 * trip left to the machine), SyncGroup, Heartbeat and LeaveGroup. Group-level error codes are
 * thrown as KafkaProtocolError, so the machine decides what each one means.
 */
import { kafkaErrorOrNull, KafkaErrorCode } from '../../protocol/errors/kafka-error.js';
import { HeartbeatApi } from '../../protocol/messages/heartbeat.js';
import { JoinGroupApi, type JoinGroupResponse } from '../../protocol/messages/join-group.js';
import { LeaveGroupApi } from '../../protocol/messages/leave-group.js';
import { SyncGroupApi } from '../../protocol/messages/sync-group.js';
import { negotiatedVersion, request } from '../connection/connection-client.js';
import type { ConnectionActor } from '../connection/connection-machine.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** Who this member is in the group right now. */
export interface Membership {
  readonly group: string;
  readonly memberId: string;
  readonly generationId: number;
  readonly groupInstanceId: string | null;
}

export interface JoinParams {
  readonly group: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** Assignor name -> subscription bytes, most preferred first. */
  readonly protocols: ReadonlyArray<{ name: string; metadata: Buffer }>;
  readonly reason: string | null;
}

export interface JoinedGroup {
  readonly memberId: string;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  /** v9+: a static leader that rejoined a stable group must not compute a new assignment (KIP-814). */
  readonly skipAssignment: boolean;
  readonly members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export type JoinOutcome = { readonly kind: 'joined'; readonly joined: JoinedGroup } | { readonly kind: 'memberIdRequired'; readonly memberId: string };

/** Extra time on top of the rebalance timeout for a JoinGroup answer, as the Java client allows. */
const JOIN_MARGIN_MS = 5_000;

export function joinOutcome(response: JoinGroupResponse, group: string): JoinOutcome {
  // KIP-394: a first join without a member id is answered with one to join again with.
  if (response.errorCode === KafkaErrorCode.MEMBER_ID_REQUIRED) return { kind: 'memberIdRequired', memberId: response.memberId };
  const error = kafkaErrorOrNull(response.errorCode, `JoinGroup of group "${group}"`);
  if (error) throw error;
  return {
    kind: 'joined',
    joined: {
      memberId: response.memberId,
      generationId: response.generationId,
      protocolName: response.protocolName ?? '',
      leaderId: response.leader,
      skipAssignment: response.skipAssignment ?? false,
      members: response.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, metadata: m.metadata })),
    },
  };
}

export async function joinGroup(connection: ConnectionActor, p: JoinParams): Promise<JoinOutcome> {
  const response = await request(
    connection,
    JoinGroupApi,
    {
      groupId: p.group,
      sessionTimeoutMs: p.sessionTimeoutMs,
      rebalanceTimeoutMs: p.rebalanceTimeoutMs,
      memberId: p.memberId,
      groupInstanceId: p.groupInstanceId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocols: p.protocols.map((x) => ({ name: x.name, metadata: x.metadata })),
      reason: p.reason,
    },
    // The coordinator holds a JoinGroup until every member rejoined or the rebalance timeout passed.
    { timeoutMs: p.rebalanceTimeoutMs + JOIN_MARGIN_MS },
  );
  return joinOutcome(response, p.group);
}

export async function syncGroup(
  connection: ConnectionActor,
  m: Membership,
  protocolName: string,
  assignments: ReadonlyArray<{ memberId: string; assignment: Buffer }>,
  timeoutMs: number,
): Promise<Buffer> {
  const response = await request(
    connection,
    SyncGroupApi,
    {
      groupId: m.group,
      generationId: m.generationId,
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName,
      assignments: [...assignments],
    },
    { timeoutMs },
  );
  const error = kafkaErrorOrNull(response.errorCode, `SyncGroup of group "${m.group}"`);
  if (error) throw error;
  return response.assignment;
}

export async function heartbeat(connection: ConnectionActor, m: Membership, timeoutMs: number): Promise<void> {
  const response = await request(
    connection,
    HeartbeatApi,
    { groupId: m.group, generationId: m.generationId, memberId: m.memberId, groupInstanceId: m.groupInstanceId },
    { timeoutMs },
  );
  const error = kafkaErrorOrNull(response.errorCode, `Heartbeat of group "${m.group}"`);
  if (error) throw error;
}

/** v3 moved the member into a list of members (KIP-345's batch leave). */
const MEMBERS_MIN_VERSION = 3;

export async function leaveGroup(connection: ConnectionActor, m: Membership, reason: string, timeoutMs: number): Promise<void> {
  const version = await negotiatedVersion(connection, LeaveGroupApi, timeoutMs);
  const body =
    version >= MEMBERS_MIN_VERSION
      ? { groupId: m.group, members: [{ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason }] }
      : { groupId: m.group, memberId: m.memberId };
  const response = await request(connection, LeaveGroupApi, body, { timeoutMs, versions: { min: version, max: version } });
  const error = kafkaErrorOrNull(response.errorCode, `LeaveGroup of group "${m.group}"`);
  if (error) throw error;
  const memberError = response.members?.map((x) => kafkaErrorOrNull(x.errorCode, `LeaveGroup of member "${x.memberId}"`)).find((e) => e);
  if (memberError) throw memberError;
}

/**
 * One consumer group membership, classic protocol (system id `group:<name>` under the daemon).
 *
 * The interface, all of it:
 * - input (GroupOptions, group-options.ts): group, topics or pattern, timings, assignors,
 *   static instance id, autoOffsetReset, and two hooks:
 *   - `listener.assigned(starts)` with each newly assigned partition's starting offset
 *     (committed, or per autoOffsetReset), `listener.revoked(partitions)` after their
 *     committable positions were committed, `listener.lost(partitions)` when the member was
 *     fenced out and could not commit;
 *   - `committable()`: the positions that may be committed now (the ack tracker's
 *     contiguous acknowledged prefix per partition). They are committed every
 *     autoCommitIntervalMs, before partitions are revoked, and at stop.
 * - events: `group.stop` (commit, revoke, LeaveGroup unless static, then final state
 *   `stopped`), `group.rejoin` (rebalance now).
 * - group-client.ts: `commitGroupOffsets(actor, offsets)` for an explicit commit,
 *   `ownedPartitions(actor)`, `groupMembership(actor)`.
 *
 *   findingCoordinator -> joining (revoking if eager -> requesting) -> syncing
 *     -> assigning (revoking -> starting) -> stable (heartbeat | autoCommit | watch)
 *   stable -> joining on REBALANCE_IN_PROGRESS, a metadata change or group.rejoin;
 *   ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID lose the partitions and rejoin; a coordinator that
 *   moved (or a dead connection) sends it back to findingCoordinator; other retriable errors
 *   back off; the rest (FENCED_INSTANCE_ID, authorization, ...) end in `failed`.
 *
 * Cooperative rebalancing (KIP-429, when every offered assignor is cooperative): owned
 * partitions keep flowing while the member rejoins; after the assignment only the partitions
 * that moved are revoked, and a member that revoked some rejoins at once so that the next
 * round hands them to their new owner.
 *
 * The group talks to its coordinator over a connection of its own (a child connection
 * actor), as the Java consumer does: a JoinGroup the coordinator holds for the whole
 * rebalance would otherwise sit in front of other groups' heartbeats on a shared lane.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { KafkaErrorCode, KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { backoffDelayMs } from '../backoff.js';
import { CoordinatorKeyType } from '../cluster/cluster-client.js';
import type { Coordinator } from '../cluster/coordinators.js';
import { connectionMachine, type ConnectionActor } from '../connection/connection-machine.js';
import { ConnectionError, RequestTimeoutError } from '../connection/errors.js';
import { heartbeat, type JoinedGroup, type JoinOutcome, type Membership } from './coordinator-requests.js';
import {
  checkGroupOptions,
  DEFAULT_GROUP_BACKOFF,
  DEFAULT_METADATA_CHECK_MS,
  partitionCounts,
  subscribedTopics,
  type GroupOptions,
} from './group-options.js';
import {
  commitPending,
  join,
  leave,
  locateCoordinator,
  rebalanceProtocolOf,
  requestTimeout,
  revoke,
  start,
  sync,
  type CommitResult,
  type JoinInput,
  type LeaveInput,
  type LocatedCoordinator,
  type RevokeInput,
  type StartInput,
  type SyncInput,
  type Synced,
} from './group-steps.js';
import type { PartitionStart } from './offsets.js';
import { minus, partitionKey, type TopicPartition } from './topic-partitions.js';

export interface GroupContext {
  readonly options: GroupOptions;
  readonly protocol: 'eager' | 'cooperative';
  coordinator: Coordinator | null;
  connection: ConnectionActor | null;
  /** Children get fresh ids: a replaced connection may still be stopping. */
  connections: number;
  memberId: string;
  generationId: number;
  leaderId: string;
  protocolName: string | null;
  joined: JoinedGroup | null;
  /** The topics this member subscribed with at its last join. */
  joinedTopics: readonly string[];
  /** Partition counts the last assignment was made with, compared by the metadata watch. */
  watched: ReadonlyMap<string, number>;
  /** Partitions handed to the listener and not revoked or lost since. */
  owned: TopicPartition[];
  /** The last SyncGroup's assignment for this member. */
  assignment: TopicPartition[];
  /** In this round, partitions were revoked that others wait for: rejoin right after. */
  revokedThisRound: boolean;
  /** Last committed offset per partitionKey, so unchanged positions are not committed again. */
  committed: Map<string, bigint>;
  /** After a coordinator move while stable: go back to stable rather than rejoin. */
  resumeStable: boolean;
  rejoinReason: string;
  lastError: Error | null;
  attempt: number;
  backoffMs: number;
  /** Completed rebalances (assignments received), for status pages and tests. */
  rebalances: number;
}

export type GroupEvent = { type: 'group.stop' } | { type: 'group.rejoin'; reason?: string } | { type: 'group.committed'; offsets: ReadonlyArray<{ topic: string; partition: number; offset: bigint }> };

const COORDINATOR_MOVED: ReadonlySet<number> = new Set([KafkaErrorCode.NOT_COORDINATOR, KafkaErrorCode.COORDINATOR_NOT_AVAILABLE]);

function errorOf(event: unknown): unknown {
  return (event as { error?: unknown }).error;
}

function kafkaCode(error: unknown): number | undefined {
  return error instanceof KafkaProtocolError ? error.errorCode : undefined;
}

function membershipOf(c: GroupContext): Membership {
  return { group: c.options.group, memberId: c.memberId, generationId: c.generationId, groupInstanceId: c.options.groupInstanceId ?? null };
}

function revokeInput(c: GroupContext, partitions: readonly TopicPartition[]): RevokeInput {
  return { options: c.options, connection: c.connection, membership: c.generationId >= 0 ? membershipOf(c) : null, partitions, committed: c.committed };
}

function withCommitted(c: GroupContext, offsets: ReadonlyArray<{ topic: string; partition: number; offset: bigint }>): Map<string, bigint> {
  const next = new Map(c.committed);
  for (const o of offsets) next.set(partitionKey(o.topic, o.partition), o.offset);
  return next;
}

/** Whether the subscribed topics or their partition counts differ from what the group joined with. */
export function subscriptionChanged(c: GroupContext): boolean {
  const metadata = c.options.cluster.metadata;
  const topics = subscribedTopics(c.options, metadata);
  if (topics.length !== c.joinedTopics.length || topics.some((t, i) => t !== c.joinedTopics[i])) return true;
  for (const [topic, count] of partitionCounts(c.watched.keys(), metadata)) {
    // A topic missing from a partial metadata answer is not a change; a grown one is.
    if (count > 0 && count !== c.watched.get(topic)) return true;
  }
  return false;
}

/**
 * The transitions every failed request to the coordinator shares, most specific first. They
 * re-enter their target even when it is the failing state's own ancestor (a JoinGroup that
 * failed inside `joining` starts `joining` over).
 */
const ON_FAILURE = [
  { guard: 'coordinatorMoved', target: '#group.findingCoordinator', reenter: true, actions: ['recordError', 'forgetCoordinator'] },
  { guard: 'memberUnknown', target: '#group.joining', reenter: true, actions: ['recordError', 'loseAll', 'resetMember'] },
  { guard: 'generationLost', target: '#group.joining', reenter: true, actions: ['recordError', 'loseAll', 'resetGeneration'] },
  { guard: 'rebalancing', target: '#group.joining', reenter: true, actions: ['recordError'] },
  { guard: 'retriable', target: '#group.backoff', reenter: true, actions: ['recordError'] },
  { target: '#group.failed', reenter: true, actions: ['recordError'] },
] as const;

/** A stable member whose coordinator moved keeps its partitions and resumes heartbeats at the new one. */
const ON_HEARTBEAT_FAILURE = [
  { guard: 'coordinatorMoved', target: '#group.findingCoordinator', reenter: true, actions: ['recordError', 'forgetCoordinator', 'resumeStableLater'] },
  ...ON_FAILURE.slice(1),
] as const;

export const groupMachine = setup({
  types: {
    context: {} as GroupContext,
    input: {} as GroupOptions,
    events: {} as GroupEvent,
  },
  actors: {
    connection: connectionMachine,
    locateCoordinator: fromPromise<LocatedCoordinator, GroupOptions>(({ input }) => locateCoordinator(input)),
    join: fromPromise<JoinOutcome & { topics: string[] }, JoinInput>(({ input }) => join(input)),
    sync: fromPromise<Synced, SyncInput>(({ input }) => sync(input)),
    revoke: fromPromise<CommitResult, RevokeInput>(({ input }) => revoke(input)),
    start: fromPromise<PartitionStart[], StartInput>(({ input }) => start(input)),
    heartbeat: fromPromise<void, { connection: ConnectionActor; membership: Membership; timeoutMs: number }>(({ input }) =>
      heartbeat(input.connection, input.membership, input.timeoutMs),
    ),
    commit: fromPromise<CommitResult, RevokeInput>(({ input }) =>
      input.connection && input.membership ? commitPending({ ...input, connection: input.connection, membership: input.membership }) : Promise.resolve({ committed: [], error: null }),
    ),
    leave: fromPromise<CommitResult, LeaveInput>(({ input }) => leave(input)),
  },
  delays: {
    heartbeatInterval: ({ context }) => context.options.heartbeatIntervalMs,
    autoCommitInterval: ({ context }) => context.options.autoCommitIntervalMs,
    metadataCheck: ({ context }) => context.options.metadataCheckMs ?? DEFAULT_METADATA_CHECK_MS,
    backoffDelay: ({ context }) => context.backoffMs,
  },
  guards: {
    coordinatorMoved: ({ event }) => {
      const error = errorOf(event);
      const code = kafkaCode(error);
      if (code !== undefined) return COORDINATOR_MOVED.has(code);
      // A dead connection or a request that timed out: the coordinator may be gone.
      return error instanceof ConnectionError || error instanceof RequestTimeoutError;
    },
    memberUnknown: ({ event }) => kafkaCode(errorOf(event)) === KafkaErrorCode.UNKNOWN_MEMBER_ID,
    generationLost: ({ event }) => kafkaCode(errorOf(event)) === KafkaErrorCode.ILLEGAL_GENERATION,
    rebalancing: ({ event }) => kafkaCode(errorOf(event)) === KafkaErrorCode.REBALANCE_IN_PROGRESS,
    retriable: ({ event }) => (errorOf(event) as { retriable?: unknown })?.retriable === true,
    memberIdRequired: ({ event }) => (event as unknown as { output: JoinOutcome }).output.kind === 'memberIdRequired',
    eagerWithOwned: ({ context }) => context.protocol === 'eager' && context.owned.length > 0,
    resumeStable: ({ context }) => context.resumeStable && context.generationId >= 0,
    revokedThisRound: ({ context }) => context.revokedThisRound,
    subscriptionChanged: ({ context }) => subscriptionChanged(context),
    autoCommitEnabled: ({ context }) => context.options.autoCommitIntervalMs > 0 && context.options.committable !== undefined,
    hasMember: ({ context }) => context.memberId !== '',
  },
  actions: {
    recordError: assign({ lastError: ({ event }) => (errorOf(event) instanceof Error ? (errorOf(event) as Error) : new Error(String(errorOf(event)))) }),
    forgetCoordinator: assign(({ context }) => {
      context.options.cluster.coordinatorMoved(CoordinatorKeyType.group, context.options.group);
      return { coordinator: null, resumeStable: false };
    }),
    loseAll: assign(({ context }) => {
      try {
        if (context.owned.length > 0) context.options.listener?.lost?.(context.owned);
      } catch {
        // A listener's own failure must not take the group down; the partitions are gone either way.
      }
      return { owned: [], committed: new Map<string, bigint>() };
    }),
    resumeStableLater: assign({ resumeStable: true }),
    resetMember: assign({ memberId: '', generationId: -1 }),
    resetGeneration: assign({ generationId: -1 }),
    chooseBackoff: assign(({ context }) => ({
      backoffMs: backoffDelayMs(context.attempt, context.options.backoff ?? DEFAULT_GROUP_BACKOFF, context.options.random),
      attempt: context.attempt + 1,
    })),
    /** A new connection to the coordinator, replacing the old one (moved, or busy with a held JoinGroup). */
    connect: enqueueActions(({ context, event, enqueue }) => {
      const located = (event as unknown as { output?: LocatedCoordinator }).output;
      const coordinator = located?.coordinator ?? context.coordinator;
      if (!coordinator) return;
      const template = located?.template ?? context.connection?.getSnapshot().context.options;
      if (!template) return;
      const sameBroker = context.coordinator !== null && context.coordinator.nodeId === coordinator.nodeId && context.connection !== null && located !== undefined;
      if (sameBroker && context.connection?.getSnapshot().status === 'active') {
        enqueue.assign({ coordinator });
        return;
      }
      if (context.connection) enqueue.stopChild(context.connection);
      const id = `coordinator-${context.connections + 1}`;
      enqueue.assign({
        coordinator,
        connections: context.connections + 1,
        connection: ({ spawn }) => spawn('connection', { id, input: { ...template, host: coordinator.host, port: coordinator.port } }),
      });
    }),
  },
}).createMachine({
  id: 'group',
  context: ({ input }) => {
    checkGroupOptions(input);
    return {
      options: input,
      protocol: rebalanceProtocolOf(input),
      coordinator: null,
      connection: null,
      connections: 0,
      memberId: '',
      generationId: -1,
      leaderId: '',
      protocolName: null,
      joined: null,
      joinedTopics: [],
      watched: new Map(),
      owned: [],
      assignment: [],
      revokedThisRound: false,
      committed: new Map(),
      resumeStable: false,
      rejoinReason: 'joining',
      lastError: null,
      attempt: 0,
      backoffMs: 0,
      rebalances: 0,
    };
  },
  initial: 'findingCoordinator',
  on: {
    'group.stop': { target: '.leaving' },
    'group.committed': { actions: assign({ committed: ({ context, event }) => withCommitted(context, event.offsets) }) },
  },
  states: {
    findingCoordinator: {
      invoke: {
        src: 'locateCoordinator',
        input: ({ context }) => context.options,
        onDone: [
          { guard: 'resumeStable', target: 'stable', actions: ['connect', assign({ resumeStable: false, attempt: 0 })] },
          { target: 'joining', actions: ['connect'] },
        ],
        // GROUP_AUTHORIZATION_FAILED, a stopped cluster...: retrying cannot help.
        onError: [
          { guard: 'retriable', target: 'backoff', actions: 'recordError' },
          { target: 'failed', actions: 'recordError' },
        ],
      },
    },
    backoff: {
      entry: 'chooseBackoff',
      after: { backoffDelay: { target: 'findingCoordinator' } },
    },
    joining: {
      initial: 'preparing',
      entry: assign({ revokedThisRound: false }),
      states: {
        preparing: {
          always: [{ guard: 'eagerWithOwned', target: 'revoking' }, { target: 'requesting' }],
        },
        // Eager protocol: everything is given up (after a commit) before joining.
        revoking: {
          invoke: {
            src: 'revoke',
            input: ({ context }) => revokeInput(context, context.owned),
            onDone: { target: 'requesting', actions: assign(({ context, event }) => ({ owned: [], committed: withCommitted(context, event.output.committed) })) },
            onError: { target: 'requesting', actions: ['recordError', assign({ owned: [] })] },
          },
        },
        requesting: {
          on: {
            // The coordinator holds this JoinGroup; a LeaveGroup on the same connection would wait behind it.
            'group.stop': { target: '#group.leaving', actions: 'connect' },
          },
          invoke: {
            src: 'join',
            input: ({ context }) => ({
              options: context.options,
              connection: context.connection as ConnectionActor,
              memberId: context.memberId,
              generationId: context.generationId,
              owned: context.protocol === 'cooperative' ? context.owned : [],
              reason: context.rejoinReason,
            }),
            onDone: [
              {
                guard: 'memberIdRequired',
                target: 'requesting',
                reenter: true,
                actions: assign({ memberId: ({ event }) => (event.output.kind === 'memberIdRequired' ? event.output.memberId : '') }),
              },
              {
                target: '#group.syncing',
                actions: assign(({ event }) => {
                  const { joined } = event.output as { joined: JoinedGroup };
                  return {
                    joined,
                    memberId: joined.memberId,
                    generationId: joined.generationId,
                    leaderId: joined.leaderId,
                    protocolName: joined.protocolName,
                    joinedTopics: event.output.topics,
                  };
                }),
              },
            ],
            onError: ON_FAILURE,
          },
        },
      },
    },
    syncing: {
      on: { 'group.stop': { target: 'leaving', actions: 'connect' } },
      invoke: {
        src: 'sync',
        input: ({ context }) => ({
          options: context.options,
          connection: context.connection as ConnectionActor,
          membership: membershipOf(context),
          joined: context.joined as JoinedGroup,
        }),
        onDone: {
          target: 'assigning',
          actions: assign(({ context, event }) => ({ assignment: event.output.assignment, watched: event.output.watched, rebalances: context.rebalances + 1 })),
        },
        onError: ON_FAILURE,
      },
    },
    assigning: {
      initial: 'revoking',
      states: {
        // Partitions owned before and not assigned now: committed and given up first.
        revoking: {
          invoke: {
            src: 'revoke',
            input: ({ context }) => revokeInput(context, minus(context.owned, context.assignment)),
            onDone: {
              target: 'starting',
              actions: assign(({ context, event }) => {
                const revoked = minus(context.owned, context.assignment);
                return { owned: minus(context.owned, revoked), revokedThisRound: revoked.length > 0, committed: withCommitted(context, event.output.committed) };
              }),
            },
            onError: { target: 'starting', actions: ['recordError', assign(({ context }) => ({ owned: context.owned.filter((p) => !minus([p], context.assignment).length) }))] },
          },
        },
        starting: {
          invoke: {
            src: 'start',
            input: ({ context }) => ({ options: context.options, connection: context.connection as ConnectionActor, partitions: minus(context.assignment, context.owned) }),
            onDone: [
              { guard: 'revokedThisRound', target: '#group.joining', actions: assign(({ context }) => ({ owned: [...context.assignment], attempt: 0, rejoinReason: 'partitions revoked in a cooperative rebalance' })) },
              { target: '#group.stable', actions: assign(({ context }) => ({ owned: [...context.assignment], attempt: 0 })) },
            ],
            onError: ON_FAILURE,
          },
        },
      },
    },
    stable: {
      type: 'parallel',
      on: { 'group.rejoin': { target: 'joining', actions: assign({ rejoinReason: ({ event }) => event.reason ?? 'asked to rejoin' }) } },
      states: {
        heartbeat: {
          initial: 'waiting',
          states: {
            waiting: { after: { heartbeatInterval: { target: 'beating' } } },
            beating: {
              invoke: {
                src: 'heartbeat',
                input: ({ context }) => ({ connection: context.connection as ConnectionActor, membership: membershipOf(context), timeoutMs: requestTimeout(context.options) }),
                onDone: { target: 'waiting' },
                onError: ON_HEARTBEAT_FAILURE,
              },
            },
          },
        },
        autoCommit: {
          initial: 'waiting',
          states: {
            waiting: { after: { autoCommitInterval: { guard: 'autoCommitEnabled', target: 'committing' } } },
            committing: {
              invoke: {
                src: 'commit',
                input: ({ context }) => revokeInput(context, context.owned),
                onDone: {
                  target: 'waiting',
                  actions: assign(({ context, event }) => ({ committed: withCommitted(context, event.output.committed), lastError: event.output.error ?? context.lastError })),
                },
              },
            },
          },
        },
        watch: {
          initial: 'waiting',
          states: {
            waiting: {
              after: {
                metadataCheck: [
                  { guard: 'subscriptionChanged', target: '#group.joining', actions: assign({ rejoinReason: 'the subscribed topics or their partitions changed' }) },
                  { target: 'waiting', reenter: true },
                ],
              },
            },
          },
        },
      },
    },
    leaving: {
      // Already on its way out: a second stop changes nothing.
      on: { 'group.stop': { actions: [] } },
      invoke: {
        src: 'leave',
        input: ({ context }) => ({ ...revokeInput(context, context.owned), leave: (context.options.groupInstanceId ?? null) === null }),
        onDone: { target: 'stopped' },
        onError: { target: 'stopped', actions: 'recordError' },
      },
    },
    failed: {},
    stopped: {
      type: 'final',
      entry: enqueueActions(({ context, enqueue }) => {
        if (context.connection) enqueue.stopChild(context.connection);
        enqueue.assign({ connection: null, owned: [], generationId: -1 });
      }),
    },
  },
});

export type GroupActor = ActorRefFrom<typeof groupMachine>;
export type GroupSnapshot = SnapshotFrom<typeof groupMachine>;

export function groupSystemId(group: string): string {
  return `group:${group}`;
}

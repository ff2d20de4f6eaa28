/**
 * One consumer group membership with the KIP-848 consumer protocol (consumer.protocol
 * "consumer", Kafka 4.x). Same input, listener, committable hook, events and group-client
 * functions as the classic machine (group-machine.ts); `generationId` holds the member epoch.
 *
 *   findingCoordinator -> active (member: heartbeating <-> waiting, reconciling | autoCommit)
 *   -> leaving (commit, revoke, leave heartbeat) -> stopped
 *
 * The coordinator computes the assignment (server-side assignor). Each heartbeat reports the
 * subscription and the partitions owned; an answer with a new target assignment is
 * reconciled (revoked partitions committed and given up, new ones started) and the next
 * heartbeat, sent at once, acknowledges it. Partitions keep flowing through all of this:
 * there is no group-wide barrier as in the classic protocol. UNKNOWN_MEMBER_ID and
 * FENCED_MEMBER_EPOCH lose the partitions and join again at epoch 0.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { KafkaErrorCode, KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { backoffDelayMs } from '../backoff.js';
import { CoordinatorKeyType } from '../cluster/cluster-client.js';
import type { Coordinator } from '../cluster/coordinators.js';
import { connectionMachine, type ConnectionActor } from '../connection/connection-machine.js';
import { ConnectionError, RequestTimeoutError } from '../connection/errors.js';
import { consumerHeartbeat, MemberEpoch, newMemberId, type ConsumerHeartbeatAnswer, type ConsumerHeartbeatParams } from './consumer-heartbeat.js';
import type { Membership } from './coordinator-requests.js';
import { checkGroupOptions, DEFAULT_GROUP_BACKOFF, DEFAULT_METADATA_CHECK_MS, subscribedTopics, type GroupOptions } from './group-options.js';
import { commitPending, locateCoordinator, requestTimeout, revoke, start, type CommitResult, type LocatedCoordinator, type RevokeInput } from './group-steps.js';
import type { GroupEvent } from './group-machine.js';
import { minus, partitionKey, type TopicPartition } from './topic-partitions.js';

export interface ConsumerGroupContext {
  readonly options: GroupOptions;
  coordinator: Coordinator | null;
  connection: ConnectionActor | null;
  connections: number;
  memberId: string;
  /** The member epoch (0 to join); named like the classic generation so group-client serves both. */
  generationId: number;
  heartbeatIntervalMs: number;
  /** The topics the last heartbeat subscribed to. */
  subscribed: readonly string[];
  owned: TopicPartition[];
  /** The coordinator's latest target assignment, not yet reconciled when it differs from owned. */
  assignment: TopicPartition[];
  committed: Map<string, bigint>;
  lastError: Error | null;
  attempt: number;
  backoffMs: number;
  /** Target assignments received and reconciled. */
  rebalances: number;
}

const COORDINATOR_MOVED: ReadonlySet<number> = new Set([KafkaErrorCode.NOT_COORDINATOR, KafkaErrorCode.COORDINATOR_NOT_AVAILABLE]);
const FENCED: ReadonlySet<number> = new Set([KafkaErrorCode.UNKNOWN_MEMBER_ID, KafkaErrorCode.FENCED_MEMBER_EPOCH]);

function errorOf(event: unknown): unknown {
  return (event as { error?: unknown }).error;
}

function kafkaCode(error: unknown): number | undefined {
  return error instanceof KafkaProtocolError ? error.errorCode : undefined;
}

function membershipOf(c: ConsumerGroupContext): Membership {
  return { group: c.options.group, memberId: c.memberId, generationId: c.generationId, groupInstanceId: c.options.groupInstanceId ?? null };
}

function revokeInput(c: ConsumerGroupContext, partitions: readonly TopicPartition[]): RevokeInput {
  return { options: c.options, connection: c.connection, membership: c.generationId > 0 ? membershipOf(c) : null, partitions, committed: c.committed };
}

function heartbeatParams(c: ConsumerGroupContext, leaving: boolean): ConsumerHeartbeatParams {
  const instanceId = c.options.groupInstanceId ?? null;
  return {
    group: c.options.group,
    memberId: c.memberId,
    memberEpoch: leaving ? (instanceId === null ? MemberEpoch.leave : MemberEpoch.leaveStatic) : c.generationId,
    instanceId,
    rackId: c.options.rackId ?? null,
    rebalanceTimeoutMs: c.options.rebalanceTimeoutMs,
    topics: leaving ? null : subscribedTopics(c.options, c.options.cluster.metadata),
    assignors: c.options.assignors,
    owned: leaving ? null : c.owned,
  };
}

function withCommitted(c: ConsumerGroupContext, offsets: ReadonlyArray<{ topic: string; partition: number; offset: bigint }>): Map<string, bigint> {
  const next = new Map(c.committed);
  for (const o of offsets) next.set(partitionKey(o.topic, o.partition), o.offset);
  return next;
}

function sameSet(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  return a.length === b.length && minus(a, b).length === 0;
}

interface Reconciled {
  readonly committed: CommitResult['committed'];
  readonly owned: TopicPartition[];
}

/** Gives up what the target no longer has (after a commit), then starts what it adds. */
async function reconcile(c: ConsumerGroupContext): Promise<Reconciled> {
  const target = c.assignment;
  const revoked = minus(c.owned, target);
  const { committed } = await revoke(revokeInput(c, revoked));
  const added = minus(target, c.owned);
  if (c.connection) await start({ options: c.options, connection: c.connection, partitions: added });
  return { committed, owned: [...target] };
}

const ON_FAILURE = [
  { guard: 'coordinatorMoved', target: '#consumerGroup.findingCoordinator', reenter: true, actions: ['recordError', 'forgetCoordinator'] },
  { guard: 'fenced', target: '#consumerGroup.active.member.heartbeating', reenter: true, actions: ['recordError', 'loseAll', 'rejoinAtEpochZero'] },
  { guard: 'retriable', target: '#consumerGroup.backoff', reenter: true, actions: ['recordError'] },
  { target: '#consumerGroup.failed', reenter: true, actions: ['recordError'] },
] as const;

export const consumerGroupMachine = setup({
  types: {
    context: {} as ConsumerGroupContext,
    input: {} as GroupOptions,
    events: {} as GroupEvent,
  },
  actors: {
    connection: connectionMachine,
    locateCoordinator: fromPromise<LocatedCoordinator, GroupOptions>(({ input }) => locateCoordinator(input)),
    heartbeat: fromPromise<ConsumerHeartbeatAnswer, { context: ConsumerGroupContext; leaving: boolean }>(({ input }) =>
      consumerHeartbeat(input.context.connection as ConnectionActor, input.context.options.cluster, heartbeatParams(input.context, input.leaving), requestTimeout(input.context.options)),
    ),
    reconcile: fromPromise<Reconciled, ConsumerGroupContext>(({ input }) => reconcile(input)),
    commit: fromPromise<CommitResult, RevokeInput>(({ input }) =>
      input.connection && input.membership ? commitPending({ ...input, connection: input.connection, membership: input.membership }) : Promise.resolve({ committed: [], error: null }),
    ),
    leave: fromPromise<void, ConsumerGroupContext>(async ({ input }) => {
      await revoke(revokeInput(input, input.owned));
      if (input.connection && input.generationId > 0) {
        await consumerHeartbeat(input.connection, input.options.cluster, heartbeatParams(input, true), requestTimeout(input.options)).catch(() => undefined);
      }
    }),
  },
  delays: {
    heartbeatInterval: ({ context }) => context.heartbeatIntervalMs,
    autoCommitInterval: ({ context }) => context.options.autoCommitIntervalMs,
    metadataCheck: ({ context }) => context.options.metadataCheckMs ?? DEFAULT_METADATA_CHECK_MS,
    backoffDelay: ({ context }) => context.backoffMs,
  },
  guards: {
    coordinatorMoved: ({ event }) => {
      const error = errorOf(event);
      const code = kafkaCode(error);
      if (code !== undefined) return COORDINATOR_MOVED.has(code);
      return error instanceof ConnectionError || error instanceof RequestTimeoutError;
    },
    fenced: ({ event }) => FENCED.has(kafkaCode(errorOf(event)) ?? 0),
    retriable: ({ event }) => (errorOf(event) as { retriable?: unknown })?.retriable === true,
    newTarget: ({ context, event }) => {
      const answer = (event as unknown as { output: ConsumerHeartbeatAnswer }).output;
      return answer.assignment !== null && !sameSet(answer.assignment, context.owned);
    },
    subscriptionChanged: ({ context }) => {
      const now = subscribedTopics(context.options, context.options.cluster.metadata);
      return now.length !== context.subscribed.length || now.some((t, i) => t !== context.subscribed[i]);
    },
    autoCommitEnabled: ({ context }) => context.options.autoCommitIntervalMs > 0 && context.options.committable !== undefined,
  },
  actions: {
    recordError: assign({ lastError: ({ event }) => (errorOf(event) instanceof Error ? (errorOf(event) as Error) : new Error(String(errorOf(event)))) }),
    forgetCoordinator: assign(({ context }) => {
      context.options.cluster.coordinatorMoved(CoordinatorKeyType.group, context.options.group);
      return { coordinator: null };
    }),
    loseAll: assign(({ context }) => {
      try {
        if (context.owned.length > 0) context.options.listener?.lost?.(context.owned);
      } catch {
        // A listener's own failure must not take the group down; the partitions are gone either way.
      }
      return { owned: [], assignment: [], committed: new Map<string, bigint>() };
    }),
    takeAnswer: assign(({ context, event }) => {
      const answer = (event as unknown as { output: ConsumerHeartbeatAnswer }).output;
      return {
        memberId: answer.memberId || context.memberId,
        generationId: answer.memberEpoch,
        heartbeatIntervalMs: answer.heartbeatIntervalMs > 0 ? answer.heartbeatIntervalMs : context.heartbeatIntervalMs,
        assignment: answer.assignment ?? context.assignment,
        attempt: 0,
      };
    }),
    rejoinAtEpochZero: assign({ generationId: MemberEpoch.join }),
    chooseBackoff: assign(({ context }) => ({
      backoffMs: backoffDelayMs(context.attempt, context.options.backoff ?? DEFAULT_GROUP_BACKOFF, context.options.random),
      attempt: context.attempt + 1,
    })),
    connect: enqueueActions(({ context, event, enqueue }) => {
      const located = (event as unknown as { output: LocatedCoordinator }).output;
      const same = context.coordinator?.nodeId === located.coordinator.nodeId && context.connection?.getSnapshot().status === 'active';
      if (same) return;
      if (context.connection) enqueue.stopChild(context.connection);
      const id = `coordinator-${context.connections + 1}`;
      enqueue.assign({
        coordinator: located.coordinator,
        connections: context.connections + 1,
        connection: ({ spawn }) => spawn('connection', { id, input: { ...located.template, host: located.coordinator.host, port: located.coordinator.port } }),
      });
    }),
  },
}).createMachine({
  id: 'consumerGroup',
  context: ({ input }) => {
    checkGroupOptions(input);
    return {
      options: input,
      coordinator: null,
      connection: null,
      connections: 0,
      memberId: newMemberId(),
      generationId: MemberEpoch.join,
      heartbeatIntervalMs: input.heartbeatIntervalMs,
      subscribed: [],
      owned: [],
      assignment: [],
      committed: new Map(),
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
        onDone: { target: 'active', actions: 'connect' },
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
    active: {
      type: 'parallel',
      states: {
        member: {
          initial: 'heartbeating',
          states: {
            heartbeating: {
              entry: assign({ subscribed: ({ context }) => subscribedTopics(context.options, context.options.cluster.metadata) }),
              invoke: {
                src: 'heartbeat',
                input: ({ context }) => ({ context, leaving: false }),
                onDone: [
                  { guard: 'newTarget', target: 'reconciling', actions: 'takeAnswer' },
                  { target: 'waiting', actions: 'takeAnswer' },
                ],
                onError: ON_FAILURE,
              },
            },
            waiting: {
              on: { 'group.rejoin': { target: 'heartbeating' } },
              after: {
                heartbeatInterval: { target: 'heartbeating' },
                metadataCheck: { guard: 'subscriptionChanged', target: 'heartbeating' },
              },
            },
            reconciling: {
              invoke: {
                src: 'reconcile',
                input: ({ context }) => context,
                // The next heartbeat, at once, tells the coordinator what is owned now.
                onDone: {
                  target: 'heartbeating',
                  actions: assign(({ context, event }) => ({ owned: event.output.owned, committed: withCommitted(context, event.output.committed), rebalances: context.rebalances + 1 })),
                },
                onError: ON_FAILURE,
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
      },
    },
    leaving: {
      on: { 'group.stop': { actions: [] } },
      invoke: {
        src: 'leave',
        input: ({ context }) => context,
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

export type ConsumerGroupActor = ActorRefFrom<typeof consumerGroupMachine>;
export type ConsumerGroupSnapshot = SnapshotFrom<typeof consumerGroupMachine>;

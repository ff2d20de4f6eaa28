/**
 * One consumer group in the daemon (system id `consumer:<group>`): the group membership actor
 * (`group:<group>`, classic or KIP-848) and the fetcher (`fetcher:<group>`) as children, joined
 * by a ConsumerCore (consumer-core.ts) that the daemon's IPC methods use. The core lives
 * outside the actor and is handed in: a supervisor that restarts this actor keeps the app
 * subscriptions, and the restarted group is assigned its partitions afresh.
 *
 *   running --consumer.stop--> stopping (group.stop: commit the acknowledged prefix, revoke,
 *     LeaveGroup unless static) --group done or stopTimeout--> stopped
 *   A child that fails fails this actor (children stopped), for its supervisor to restart.
 */
import { enqueueActions, fromCallback, sendTo, setup, type ActorRefFrom, type AnyActorLogic, type EventObject } from 'xstate';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { Fetcher, fetcherMachine, type FetcherActor } from '../fetcher/fetcher-machine.js';
import type { FetcherOptions } from '../fetcher/types.js';
import type { GroupOptions } from '../group/group-options.js';
import { groupMachine } from '../group/group-machine.js';
import { consumerGroupMachine } from '../group/consumer-group-machine.js';
import type { GroupProtocol } from '../group/select.js';
import type { ConsumerCore } from './consumer-core.js';

export interface ConsumerInput {
  readonly core: ConsumerCore;
  /** The group's settings without what this actor supplies (cluster, listener, committable). */
  readonly group: Omit<GroupOptions, 'cluster' | 'listener' | 'committable'>;
  readonly fetcher: Partial<FetcherOptions>;
  /** The current cluster (its supervisor may have re-created it). */
  readonly cluster: () => ClusterClient;
  /** Longest wait for the group to commit and leave at stop. */
  readonly stopTimeoutMs: number;
}

export interface ConsumerContext {
  readonly input: ConsumerInput;
}

export type ConsumerEvent = { type: 'consumer.stop' };

export function consumerSystemId(group: string): string {
  return `consumer:${group}`;
}

/** The group membership actor of a consumer (classic or KIP-848). */
export function groupSystemId(group: string): string {
  return `group:${group}`;
}

export function fetcherSystemId(group: string): string {
  return `fetcher:${group}`;
}

/** Attaches the core to this actor's fetcher while the actor lives; detaching drops what it held. */
const dataPlane = fromCallback<EventObject, { core: ConsumerCore; fetcher: () => Fetcher | undefined }>(({ input }) => {
  input.core.attach(input.fetcher);
  return () => input.core.detach();
});

const GROUP_CHILD: string = 'group';
/** Events of the children (typed as strings: XState types them only for invoked children). */
const groupDone = `xstate.done.actor.${GROUP_CHILD}`;
const groupError = `xstate.error.actor.${GROUP_CHILD}`;

/** The consumer machine over a group machine (classic or KIP-848). */
export function createConsumerMachine(groupLogic: AnyActorLogic) {
  return setup({
    types: {
      input: {} as ConsumerInput,
      context: {} as ConsumerContext,
      events: {} as ConsumerEvent,
    },
    actors: { group: groupLogic, fetcher: fetcherMachine, dataPlane },
    delays: { stopTimeout: ({ context }) => context.input.stopTimeoutMs },
    actions: {
      startChildren: enqueueActions(({ context, enqueue }) => {
        const { input } = context;
        const cluster = input.cluster();
        const name = input.group.group;
        enqueue.spawnChild('fetcher', {
          id: 'fetcher',
          systemId: fetcherSystemId(name),
          input: { cluster, consumer: input.core.fetcherConsumer, options: input.fetcher },
        });
        const groupInput: GroupOptions = {
          ...input.group,
          cluster,
          listener: {
            assigned: (starts) => input.core.onAssigned(starts),
            revoked: (partitions) => input.core.onRevoked(partitions),
            lost: (partitions) => input.core.onRevoked(partitions),
          },
          committable: () => input.core.committable(),
        };
        enqueue.spawnChild('group', { id: 'group', systemId: groupSystemId(name), input: groupInput });
      }),
      stopGroup: sendTo('group', { type: 'group.stop' }),
      stopFetcher: enqueueActions(({ enqueue }) => enqueue.stopChild('fetcher')),
    },
  }).createMachine({
    id: 'consumer',
    context: ({ input }) => ({ input }),
    invoke: {
      id: 'dataPlane',
      src: 'dataPlane',
      input: ({ context, self }) => ({
        core: context.input.core,
        fetcher: () => {
          const ref = self.getSnapshot().children.fetcher as FetcherActor | undefined;
          return ref === undefined ? undefined : new Fetcher(ref);
        },
      }),
    },
    entry: 'startChildren',
    initial: 'running',
    // A child's error is left unhandled on purpose: XState then stops every child (the group,
    // the fetcher's loops, the data plane's attachment) and fails this actor for its
    // supervisor. Throwing from an action instead would fail it with the children still running.
    states: {
      running: {
        on: {
          'consumer.stop': { target: 'stopping' },
          // The group ended by itself (it never does but at stop): nothing left to consume for.
          [groupDone]: { target: 'stopped' },
        },
      },
      stopping: {
        entry: 'stopGroup',
        on: {
          [groupDone]: { target: 'stopped' },
          [groupError]: { target: 'stopped' },
        },
        after: { stopTimeout: { target: 'stopped' } },
      },
      stopped: { type: 'final', entry: 'stopFetcher' },
    },
  });
}

export const classicConsumerMachine = createConsumerMachine(groupMachine);
export const kip848ConsumerMachine = createConsumerMachine(consumerGroupMachine);

export function consumerMachineFor(protocol: GroupProtocol): typeof classicConsumerMachine {
  return protocol === 'consumer' ? kip848ConsumerMachine : classicConsumerMachine;
}

export type ConsumerActor = ActorRefFrom<typeof classicConsumerMachine>;

// The root of the supervision tree. It runs the cluster, the producer and the IPC listeners, each under a
// supervisor (restart with backoff, escalate past supervisor.maxRestarts within supervisor.windowMs) and ends in
// `escalated` when a supervisor gives up, which makes the process exit non-zero so that the
// container runtime restarts it. Consumers are spawned on demand, each under its own supervisor.
import { assign, enqueueActions, setup } from 'xstate';
import { listenerMachine, listenerSystemId, type ListenerInput } from '../ipc/listener-machine.js';
import { TransportName } from '../ipc/session.js';
import { ClusterClient } from '../machines/cluster/cluster-client.js';
import { clusterMachine, type ClusterActor, type ClusterOptions } from '../machines/cluster/cluster-machine.js';
import { ClusterStoppedError } from '../machines/cluster/errors.js';
import { classicConsumerMachine, consumerSystemId, kip848ConsumerMachine, type ConsumerInput } from '../machines/consumer/consumer-machine.js';
import type { GroupProtocol } from '../machines/group/select.js';
import { PRODUCER_SYSTEM_ID, producerMachine, transactionalProducerSystemId, type ProducerInput } from '../machines/producer/producer-machine.js';
import type { RestartPolicy } from '../machines/supervision/restart-budget.js';
import { createSupervisorMachine, supervisorInput } from '../machines/supervision/supervisor-machine.js';
import { supervisorActive } from './supervised.js';

export interface DaemonInput {
  readonly cluster: ClusterOptions;
  /** The producer's settings; it reaches the cluster through the actor system. */
  readonly producer: Omit<ProducerInput, 'cluster'>;
  /** The IPC listeners (the Unix socket; NATS when enabled), each run under a supervisor. */
  readonly listeners: readonly ListenerInput[];
  readonly supervision: RestartPolicy;
  /** Running this long without failing resets a child's restart backoff. */
  readonly stableAfterMs: number;
}

export interface DaemonContext {
  readonly input: DaemonInput;
  /** Why a supervisor gave up; null while all is well. */
  escalation: Error | null;
  /** Consumer and transactional producer supervisors that gave up (each ended its group or transactional id only). */
  childFailures: number;
}

export const clusterSupervisorMachine = createSupervisorMachine(clusterMachine);

export const CLUSTER_SUPERVISOR_ID = 'supervisor:cluster';

export const producerSupervisorMachine = createSupervisorMachine(producerMachine);

export const PRODUCER_SUPERVISOR_ID = 'supervisor:producer';

export const listenerSupervisorMachine = createSupervisorMachine(listenerMachine);

/** `supervisor:ipc:unix`, `supervisor:ipc:nats`. */
export function listenerSupervisorId(transport: TransportName): string {
  return `supervisor:${listenerSystemId(transport)}`;
}

export const classicConsumerSupervisorMachine = createSupervisorMachine(classicConsumerMachine);
export const kip848ConsumerSupervisorMachine = createSupervisorMachine(kip848ConsumerMachine);

export function consumerSupervisorId(group: string): string {
  return `supervisor:${consumerSystemId(group)}`;
}

export function transactionalProducerSupervisorId(transactionalId: string): string {
  return `supervisor:${transactionalProducerSystemId(transactionalId)}`;
}

/** Starts the transactional producer of one transactional id, supervised (spawned when an app first begins a transaction with it). */
export interface StartTransactionalProducerEvent {
  readonly type: 'daemon.txnProducer.start';
  readonly transactionalId: string;
  /** Without the cluster: the daemon supplies the current one. */
  readonly input: Omit<ProducerInput, 'cluster'>;
}

/** Starts the consumer of one group, supervised (spawned on demand: an app subscribed, or config declares the group). */
export interface StartConsumerEvent {
  readonly type: 'daemon.consumer.start';
  readonly protocol: GroupProtocol;
  /** Without the cluster: the daemon supplies the current one. */
  readonly input: Omit<ConsumerInput, 'cluster'>;
}

/** The current cluster, looked up on each use: its supervisor re-creates it after a failure. */
function clusterOf(system: { get(id: string): unknown }): () => ClusterClient {
  return () => {
    const actor = system.get('cluster') as ClusterActor | undefined;
    if (!actor) throw new ClusterStoppedError('the cluster actor is restarting');
    return new ClusterClient(actor);
  };
}

function escalation(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export const daemonMachine = setup({
  types: {
    input: {} as DaemonInput,
    context: {} as DaemonContext,
    events: {} as { type: 'daemon.stop' } | StartConsumerEvent | StartTransactionalProducerEvent,
  },
  actors: {
    clusterSupervisor: clusterSupervisorMachine,
    producerSupervisor: producerSupervisorMachine,
    listenerSupervisor: listenerSupervisorMachine,
    classicConsumerSupervisor: classicConsumerSupervisorMachine,
    kip848ConsumerSupervisor: kip848ConsumerSupervisorMachine,
  },
  actions: {
    countChildFailure: assign({ childFailures: ({ context }) => context.childFailures + 1 }),
    startListeners: enqueueActions(({ context, enqueue }) => {
      for (const listener of context.input.listeners) {
        const id = listenerSupervisorId(listener.transport);
        const input = supervisorInput(listenerMachine, {
          childSystemId: listenerSystemId(listener.transport),
          childInput: listener,
          policy: context.input.supervision,
          stableAfterMs: context.input.stableAfterMs,
        });
        enqueue.spawnChild('listenerSupervisor', { id, systemId: id, input });
      }
    }),
    noteEscalation: assign({ escalation: ({ event }) => escalation((event as { error?: unknown }).error) }),
    startConsumer: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'daemon.consumer.start') return;
      const group = event.input.group.group;
      const id = consumerSupervisorId(group);
      // A consumer that stopped (idle, or its supervisor gave up) leaves its id free again.
      if (supervisorActive(self.system, id)) return;
      const input = supervisorInput(classicConsumerMachine, {
        childSystemId: consumerSystemId(group),
        childInput: { ...event.input, cluster: clusterOf(self.system) },
        policy: context.input.supervision,
        stableAfterMs: context.input.stableAfterMs,
      });
      // A failing consumer does not bring the daemon down: its supervisor restarts it, and one that gives up only ends that group.
      enqueue.spawnChild(event.protocol === 'consumer' ? 'kip848ConsumerSupervisor' : 'classicConsumerSupervisor', { id, systemId: id, input });
    }),
    startTransactionalProducer: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'daemon.txnProducer.start') return;
      const id = transactionalProducerSupervisorId(event.transactionalId);
      // One that closed (idle, fenced, or its supervisor gave up) leaves its id free again.
      if (supervisorActive(self.system, id)) return;
      const input = supervisorInput(producerMachine, {
        childSystemId: transactionalProducerSystemId(event.transactionalId),
        childInput: { ...event.input, cluster: clusterOf(self.system) },
        policy: context.input.supervision,
        stableAfterMs: context.input.stableAfterMs,
      });
      // Like a group's consumer: one that gives up only ends the transactions of its id, not the daemon.
      enqueue.spawnChild('producerSupervisor', { id, systemId: id, input });
    }),
  },
}).createMachine({
  id: 'daemon',
  context: ({ input }) => ({ input, escalation: null, childFailures: 0 }),
  initial: 'running',
  states: {
    running: {
      // Spawned rather than invoked: how many there are depends on the configuration (NATS or not).
      entry: 'startListeners',
      invoke: [
        {
          id: CLUSTER_SUPERVISOR_ID,
          systemId: CLUSTER_SUPERVISOR_ID,
          src: 'clusterSupervisor',
          input: ({ context }) =>
            supervisorInput(clusterMachine, {
              childSystemId: 'cluster',
              childInput: context.input.cluster,
              policy: context.input.supervision,
              stableAfterMs: context.input.stableAfterMs,
            }),
          onError: { target: 'escalated', actions: 'noteEscalation' },
        },
        {
          id: PRODUCER_SUPERVISOR_ID,
          systemId: PRODUCER_SUPERVISOR_ID,
          src: 'producerSupervisor',
          input: ({ context, self }) =>
            supervisorInput(producerMachine, {
              childSystemId: PRODUCER_SYSTEM_ID,
              childInput: { ...context.input.producer, cluster: clusterOf(self.system) },
              policy: context.input.supervision,
              stableAfterMs: context.input.stableAfterMs,
            }),
          onError: { target: 'escalated', actions: 'noteEscalation' },
        },
      ],
      on: {
        'daemon.stop': { target: 'stopped' },
        'daemon.consumer.start': { actions: 'startConsumer' },
        'daemon.txnProducer.start': { actions: 'startTransactionalProducer' },
        // A listener whose supervisor gave up ends the daemon, as the cluster's does.
        [`xstate.error.actor.${listenerSupervisorId(TransportName.unix)}`]: { target: 'escalated', actions: 'noteEscalation' },
        [`xstate.error.actor.${listenerSupervisorId(TransportName.nats)}`]: { target: 'escalated', actions: 'noteEscalation' },
        // A consumer's or transactional producer's supervisor that gave up (the cluster's, the
        // shared producer's and the listeners' have exact handlers above, which win): only that
        // group or transactional id ends; unhandled, XState would fail the root.
        'xstate.error.actor.*': { actions: 'countChildFailure' },
      },
    },
    /** Leaving `running` stops the supervisor and, with it, every broker connection. */
    stopped: { type: 'final' },
    escalated: { type: 'final' },
  },
});

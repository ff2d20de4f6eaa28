// The root of the supervision tree. It runs the cluster and the producer, each under a supervisor (restart with
// backoff, escalate past supervisor.maxRestarts within supervisor.windowMs) and ends in
// `escalated` when a supervisor gives up, which makes the process exit non-zero so that the
// container runtime restarts it.
import { assign, setup } from 'xstate';
import { ClusterClient } from '../machines/cluster/cluster-client.js';
import { clusterMachine, type ClusterActor, type ClusterOptions } from '../machines/cluster/cluster-machine.js';
import { ClusterStoppedError } from '../machines/cluster/errors.js';
import { PRODUCER_SYSTEM_ID, producerMachine, type ProducerInput } from '../machines/producer/producer-machine.js';
import type { RestartPolicy } from '../machines/supervision/restart-budget.js';
import { createSupervisorMachine, supervisorInput } from '../machines/supervision/supervisor-machine.js';

export interface DaemonInput {
  readonly cluster: ClusterOptions;
  /** The producer's settings; it reaches the cluster through the actor system. */
  readonly producer: Omit<ProducerInput, 'cluster'>;
  readonly supervision: RestartPolicy;
  /** Running this long without failing resets a child's restart backoff. */
  readonly stableAfterMs: number;
}

export interface DaemonContext {
  readonly input: DaemonInput;
  /** Why a supervisor gave up; null while all is well. */
  escalation: Error | null;
}

export const clusterSupervisorMachine = createSupervisorMachine(clusterMachine);

export const CLUSTER_SUPERVISOR_ID = 'supervisor:cluster';

export const producerSupervisorMachine = createSupervisorMachine(producerMachine);

export const PRODUCER_SUPERVISOR_ID = 'supervisor:producer';

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
    events: {} as { type: 'daemon.stop' },
  },
  actors: { clusterSupervisor: clusterSupervisorMachine, producerSupervisor: producerSupervisorMachine },
}).createMachine({
  id: 'daemon',
  context: ({ input }) => ({ input, escalation: null }),
  initial: 'running',
  states: {
    running: {
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
          onError: { target: 'escalated', actions: assign({ escalation: ({ event }) => escalation(event.error) }) },
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
          onError: { target: 'escalated', actions: assign({ escalation: ({ event }) => escalation(event.error) }) },
        },
      ],
      on: { 'daemon.stop': { target: 'stopped' } },
    },
    /** Leaving `running` stops the supervisor and, with it, every broker connection. */
    stopped: { type: 'final' },
    escalated: { type: 'final' },
  },
});

// The root of the supervision tree. It runs the cluster under a supervisor (restart with
// backoff, escalate past supervisor.maxRestarts within supervisor.windowMs) and ends in
// `escalated` when a supervisor gives up, which makes the process exit non-zero so that the
// container runtime restarts it.
import { assign, setup } from 'xstate';
import { clusterMachine, type ClusterOptions } from '../machines/cluster/cluster-machine.js';
import type { RestartPolicy } from '../machines/supervision/restart-budget.js';
import { createSupervisorMachine, supervisorInput } from '../machines/supervision/supervisor-machine.js';

export interface DaemonInput {
  readonly cluster: ClusterOptions;
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

export const daemonMachine = setup({
  types: {
    input: {} as DaemonInput,
    context: {} as DaemonContext,
    events: {} as { type: 'daemon.stop' },
  },
  actors: { clusterSupervisor: clusterSupervisorMachine },
}).createMachine({
  id: 'daemon',
  context: ({ input }) => ({ input, escalation: null }),
  initial: 'running',
  states: {
    running: {
      invoke: {
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
        onError: {
          target: 'escalated',
          actions: assign({ escalation: ({ event }) => (event.error instanceof Error ? event.error : new Error(String(event.error))) }),
        },
      },
      on: { 'daemon.stop': { target: 'stopped' } },
    },
    /** Leaving `running` stops the supervisor and, with it, every broker connection. */
    stopped: { type: 'final' },
    escalated: { type: 'final' },
  },
});

/**
 * The cluster (system id `cluster`): bootstraps from the configured brokers, keeps the
 * metadata, refreshes it periodically and on demand (`metadata.refresh`, sent when a request
 * fails with an error marked refreshMetadata), and runs one broker actor per broker in the
 * metadata, each under its own supervisor (`supervisor:broker:<id>`).
 *
 *   bootstrapping -> ready (cooling -> idle -> refreshing -> cooling ...; retrying on failure)
 *        ^  |
 *        |  v  (no bootstrap broker answered)
 *   bootstrapBackoff
 *
 * A broker actor that fails is restarted by its supervisor with backoff while the others keep
 * serving; a supervisor that gives up fails, and as this machine does not handle that, the
 * cluster fails too and the daemon's supervision takes over (escalation).
 *
 * Bootstrap follows the connection machine's rule: network and broker errors back off and try
 * again, forever; an error no connection expects (a bug, or a local credentials source that
 * fails, such as kafka.sasl.tokenCommand) fails the cluster, so that its supervisor restarts it
 * and, when that keeps happening, escalates. Otherwise a cluster restarted after its brokers'
 * supervisors gave up would sit in bootstrapBackoff for good, and the escalation would stop
 * here instead of reaching the daemon.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import type { MetadataResponse } from '../../protocol/messages/metadata.js';
import { backoffDelayMs, checkBackoffPolicy } from '../backoff.js';
import { isExpectedFailure } from '../connection/connection-machine.js';
import type { RestartPolicy } from '../supervision/restart-budget.js';
import { createSupervisorMachine, supervisorInput } from '../supervision/supervisor-machine.js';
import { brokerMachine, brokerSystemId, type BrokerActor, type ConnectionTemplate } from './broker-machine.js';
import { CoordinatorCache } from './coordinators.js';
import { BootstrapError, parseBrokerAddress } from './errors.js';
import { ClusterMetadata } from './metadata.js';
import { bootstrapMetadata, refreshMetadata, type RefreshInput } from './metadata-fetch.js';

export interface ClusterOptions {
  /** Bootstrap brokers, host:port. */
  readonly bootstrap: readonly string[];
  readonly connection: ConnectionTemplate;
  /** Period of the metadata refresh when nothing forces one. */
  readonly metadataRefreshMs: number;
  /** Least time between two refreshes, so a burst of errors causes one refresh, not a storm. */
  readonly minRefreshIntervalMs?: number;
  /** Restarts of a failing broker actor before the cluster gives up. */
  readonly brokerRestarts: RestartPolicy;
  /** A broker actor running this long counts as healthy again. */
  readonly brokerStableAfterMs?: number;
  /** Clock for restart windows (SimulatedClock's `now` in tests) and randomness for jitter. */
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface ClusterContext {
  readonly options: ClusterOptions;
  metadata: ClusterMetadata;
  /** Why the last bootstrap or refresh failed; null after a success. */
  lastError: Error | null;
  /** Consecutive failures of bootstrap or refresh: the backoff exponent. */
  failures: number;
  backoffMs: number;
  /** A refresh was asked for while one could not start yet. */
  refreshPending: boolean;
  readonly coordinators: CoordinatorCache;
}

export type ClusterEvent = { type: 'metadata.refresh' } | { type: 'cluster.stop' };

export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 250;
export const DEFAULT_BROKER_STABLE_AFTER_MS = 60_000;

export const brokerSupervisorMachine = createSupervisorMachine(brokerMachine);

/** A bootstrap failure that backing off will not cure: some broker's attempt failed unexpectedly. */
export function isUnexpectedBootstrapFailure(error: unknown): boolean {
  if (!(error instanceof BootstrapError)) return true;
  return error.failures.some((f) => !isExpectedFailure(f.error));
}

export function brokerSupervisorId(nodeId: number): string {
  return `supervisor:${brokerSystemId(nodeId)}`;
}

export const clusterMachine = setup({
  types: {
    context: {} as ClusterContext,
    input: {} as ClusterOptions,
    events: {} as ClusterEvent,
  },
  actors: {
    brokerSupervisor: brokerSupervisorMachine,
    bootstrap: fromPromise<MetadataResponse, ClusterOptions>(({ input, signal }) => bootstrapMetadata(input.bootstrap, input.connection, signal)),
    refresh: fromPromise<MetadataResponse, RefreshInput>(({ input, signal }) => refreshMetadata(input, signal)),
  },
  delays: {
    refreshInterval: ({ context }) => context.options.metadataRefreshMs,
    minRefreshInterval: ({ context }) => context.options.minRefreshIntervalMs ?? DEFAULT_MIN_REFRESH_INTERVAL_MS,
    retryDelay: ({ context }) => context.backoffMs,
  },
  guards: {
    refreshPending: ({ context }) => context.refreshPending,
    unexpectedBootstrapFailure: (_, params: { error: unknown }) => isUnexpectedBootstrapFailure(params.error),
  },
  actions: {
    chooseBackoff: assign(({ context }) => ({
      backoffMs: backoffDelayMs(Math.max(0, context.failures - 1), context.options.connection.backoff, context.options.random),
    })),
    requestRefresh: assign({ refreshPending: true }),
    applyMetadata: enqueueActions(({ context, enqueue, system }, params: { response: MetadataResponse }) => {
      const next = context.metadata.merge(params.response, true);
      const changes = next.brokerChangesSince(context.metadata);
      enqueue.assign({ metadata: next, lastError: null, failures: 0 });
      const { options } = context;
      for (const b of changes.added) {
        enqueue.spawnChild('brokerSupervisor', {
          id: brokerSupervisorId(b.nodeId),
          systemId: brokerSupervisorId(b.nodeId),
          input: supervisorInput(brokerMachine, {
            childSystemId: brokerSystemId(b.nodeId),
            childInput: { nodeId: b.nodeId, host: b.host, port: b.port, connection: options.connection },
            policy: options.brokerRestarts,
            stableAfterMs: options.brokerStableAfterMs ?? DEFAULT_BROKER_STABLE_AFTER_MS,
            now: options.now,
            random: options.random,
          }),
        });
      }
      for (const b of changes.removed) {
        enqueue.stopChild(brokerSupervisorId(b.nodeId));
        context.coordinators.invalidateNode(b.nodeId);
      }
      for (const b of changes.moved) {
        const broker = system.get(brokerSystemId(b.nodeId)) as BrokerActor | undefined;
        if (broker) enqueue.sendTo(broker, { type: 'broker.moved', host: b.host, port: b.port });
      }
    }),
    escalate: ({ context }) => {
      // Thrown from an action, the error fails this actor and reaches the parent's supervisor.
      throw context.lastError ?? new Error('the cluster failed without an error');
    },
    stopBrokers: enqueueActions(({ context, enqueue }) => {
      for (const nodeId of context.metadata.brokers.keys()) enqueue.stopChild(brokerSupervisorId(nodeId));
    }),
  },
}).createMachine({
  id: 'cluster',
  context: ({ input }) => {
    input.bootstrap.forEach(parseBrokerAddress);
    checkBackoffPolicy(input.connection.backoff);
    return {
      options: input,
      metadata: ClusterMetadata.empty(),
      lastError: null,
      failures: 0,
      backoffMs: 0,
      refreshPending: false,
      coordinators: new CoordinatorCache(),
    };
  },
  on: { 'cluster.stop': { target: '.stopped' } },
  initial: 'bootstrapping',
  states: {
    bootstrapping: {
      invoke: {
        src: 'bootstrap',
        input: ({ context }) => context.options,
        onDone: { target: 'ready', actions: { type: 'applyMetadata', params: ({ event }) => ({ response: event.output }) } },
        onError: [
          {
            guard: { type: 'unexpectedBootstrapFailure', params: ({ event }) => ({ error: event.error }) },
            target: 'failed',
            actions: assign(({ event }) => ({ lastError: event.error instanceof Error ? event.error : new Error(String(event.error)) })),
          },
          {
            target: 'bootstrapBackoff',
            actions: assign(({ context, event }) => ({ lastError: event.error as Error, failures: context.failures + 1 })),
          },
        ],
      },
    },
    bootstrapBackoff: {
      entry: 'chooseBackoff',
      after: { retryDelay: { target: 'bootstrapping' } },
    },
    ready: {
      initial: 'cooling',
      states: {
        cooling: {
          on: { 'metadata.refresh': { actions: 'requestRefresh' } },
          after: { minRefreshInterval: [{ guard: 'refreshPending', target: 'refreshing' }, { target: 'idle' }] },
        },
        idle: {
          on: { 'metadata.refresh': { target: 'refreshing' } },
          after: { refreshInterval: { target: 'refreshing' } },
        },
        refreshing: {
          entry: assign({ refreshPending: false }),
          invoke: {
            src: 'refresh',
            input: ({ context, self }) => ({
              system: self.system,
              metadata: context.metadata,
              bootstrap: context.options.bootstrap,
              connection: context.options.connection,
              random: context.options.random,
            }),
            onDone: { target: 'cooling', actions: { type: 'applyMetadata', params: ({ event }) => ({ response: event.output }) } },
            onError: {
              target: 'retrying',
              actions: assign(({ context, event }) => ({ lastError: event.error as Error, failures: context.failures + 1 })),
            },
          },
        },
        retrying: {
          entry: 'chooseBackoff',
          after: { retryDelay: { target: 'refreshing' } },
        },
      },
    },
    stopped: { type: 'final', entry: 'stopBrokers' },
    /** Bootstrap failed in a way retrying will not cure: the cluster fails and its supervisor decides. */
    failed: { entry: 'escalate' },
  },
});

export type ClusterActor = ActorRefFrom<typeof clusterMachine>;
export type ClusterSnapshot = SnapshotFrom<typeof clusterMachine>;

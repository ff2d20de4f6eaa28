// Prometheus metrics. Gauges that describe actors are computed at scrape time from the actor
// directory, so nothing on a hot path pays for them.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Producer } from '../machines/producer/producer.js';
import type { ActorDirectory } from './actor-directory.js';

export interface MetricsSources {
  readonly actors: ActorDirectory;
  readonly ipcSessions: () => number;
  /** The current producer, if its actor runs (it is replaced when restarted). */
  readonly producer?: () => Producer | undefined;
}

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k}.${stateName(v)}`)
      .join(',');
  }
  return String(value);
}

export function createMetrics(sources: MetricsSources): Registry {
  const registry = new Registry();
  // Process CPU, memory, GC, and event-loop lag (nodejs_eventloop_lag_*).
  collectDefaultMetrics({ register: registry, prefix: 'kafka_sidecar_' });

  new Gauge({
    name: 'kafka_sidecar_connection_state',
    help: 'Broker connections by lane: 1 for the state each connection is in.',
    labelNames: ['connection', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { id, machine, ref } of sources.actors.refs()) {
        if (machine !== 'connection') continue;
        const snapshot = ref.getSnapshot() as { status?: string; value?: unknown };
        if (snapshot.status === 'active') this.set({ connection: id, state: stateName(snapshot.value) }, 1);
      }
    },
  });

  new Gauge({
    name: 'kafka_sidecar_actor_restarts',
    help: 'Restarts a supervisor has made of its child since the daemon started.',
    labelNames: ['actor'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { machine, ref } of sources.actors.refs()) {
        if (machine !== 'supervisor') continue;
        const context = (ref.getSnapshot() as { context?: { childSystemId?: string; restarts?: number } }).context;
        if (context?.childSystemId !== undefined) this.set({ actor: context.childSystemId }, context.restarts ?? 0);
      }
    },
  });

  new Gauge({
    name: 'kafka_sidecar_actors',
    help: 'Live actors by machine.',
    labelNames: ['machine'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const { machine } of sources.actors.list()) counts.set(machine, (counts.get(machine) ?? 0) + 1);
      for (const [machine, count] of counts) this.set({ machine }, count);
    },
  });

  new Gauge({
    name: 'kafka_sidecar_ipc_sessions',
    help: 'Apps connected over the Unix socket or NATS.',
    registers: [registry],
    collect() {
      this.set(sources.ipcSessions());
    },
  });

  // The producer's totals restart from zero when its actor is restarted; Prometheus' rate()
  // treats that drop as a counter reset.
  new Counter({
    name: 'kafka_sidecar_producer_records_total',
    help: 'Records produced, by outcome: delivered (acknowledged by the broker, or sent with acks=none) or failed.',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const stats = sources.producer?.()?.stats;
      this.reset();
      this.inc({ outcome: 'delivered' }, stats?.delivered ?? 0);
      this.inc({ outcome: 'failed' }, stats?.failed ?? 0);
    },
  });

  new Gauge({
    name: 'kafka_sidecar_producer_buffered_bytes',
    help: 'Bytes of records waiting in the producer for a batch to be sent.',
    registers: [registry],
    collect() {
      this.set(sources.producer?.()?.bufferedBytes ?? 0);
    },
  });

  new Gauge({
    name: 'kafka_sidecar_producer_requests_in_flight',
    help: 'Produce requests sent and not yet answered, over all brokers.',
    registers: [registry],
    collect() {
      this.set(sources.producer?.()?.inFlightRequests ?? 0);
    },
  });

  return registry;
}

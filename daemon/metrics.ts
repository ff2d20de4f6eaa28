// Prometheus metrics. Gauges that describe actors are computed at scrape time from the actor
// directory, so nothing on a hot path pays for them.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { requestCompletedChannel, type RequestCompleted } from '../machines/connection/request-events.js';
import { batchDeliveredChannel, type BatchDelivered } from '../machines/producer/batch-events.js';
import type { ConsumerCore } from '../machines/consumer/consumer-core.js';
import type { Producer } from '../machines/producer/producer.js';
import type { ActorDirectory } from './actor-directory.js';

export interface MetricsSources {
  readonly actors: ActorDirectory;
  readonly ipcSessions: () => number;
  /** The current producer, if its actor runs (it is replaced when restarted). */
  readonly producer?: () => Producer | undefined;
  /** The consumer groups this daemon runs, with their cores. */
  readonly consumers?: () => readonly (readonly [string, ConsumerCore])[];
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

export interface DaemonMetrics {
  readonly registry: Registry;
  /** Stops listening to the diagnostics channels. */
  close(): void;
}

export function createMetrics(sources: MetricsSources): DaemonMetrics {
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

  const consumers = (): readonly (readonly [string, ConsumerCore])[] => sources.consumers?.() ?? [];
  new Gauge({
    name: 'kafka_sidecar_consumer_lag',
    help: 'Per assigned partition: high watermark of the latest fetch minus the acknowledged position (what would be committed).',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [group, core] of consumers()) {
        for (const p of core.progress()) {
          if (p.highWatermark === undefined || p.committable === undefined) continue;
          const lag = p.highWatermark - p.committable;
          this.set({ group, topic: p.topic, partition: String(p.partition) }, Number(lag > 0n ? lag : 0n));
        }
      }
    },
  });
  new Gauge({
    name: 'kafka_sidecar_consumer_messages',
    help: 'Per group: messages delivered to apps and not yet acknowledged (in_flight), and fetched records held (buffered).',
    labelNames: ['group', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [group, core] of consumers()) {
        const status = core.status();
        this.set({ group, kind: 'in_flight' }, status.inFlight);
        this.set({ group, kind: 'buffered' }, status.buffered);
      }
    },
  });
  new Counter({
    name: 'kafka_sidecar_consumer_assignment_changes_total',
    help: 'Per group: rebalances that assigned this daemon partitions (assigned) or took some away (revoked, including lost).',
    labelNames: ['group', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [group, core] of consumers()) {
        this.inc({ group, kind: 'assigned' }, core.assignmentCounts.assigned);
        this.inc({ group, kind: 'revoked' }, core.assignmentCounts.revoked);
      }
    },
  });

  // Per-request and per-batch figures arrive on diagnostics channels (see request-events.ts and
  // batch-events.ts): one observation per request or batch, never per record.
  const requestDuration = new Histogram({
    name: 'kafka_sidecar_request_duration_seconds',
    help: 'Kafka requests from send to answer, by API and outcome (answered or failed).',
    labelNames: ['api', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const batchRecords = new Histogram({
    name: 'kafka_sidecar_producer_batch_records',
    help: 'Records per produced batch the broker acknowledged.',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000],
    registers: [registry],
  });
  const batchBytes = new Histogram({
    name: 'kafka_sidecar_producer_batch_bytes',
    help: 'Encoded bytes (before compression) per produced batch the broker acknowledged.',
    buckets: [128, 512, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576],
    registers: [registry],
  });
  const producedBytes = new Counter({
    name: 'kafka_sidecar_producer_bytes_total',
    help: 'Encoded bytes (before compression) of produced batches the broker acknowledged.',
    registers: [registry],
  });
  const onRequest = (message: unknown): void => {
    const m = message as RequestCompleted;
    requestDuration.observe({ api: m.api, outcome: m.error === null ? 'answered' : 'failed' }, m.durationMs / 1000);
  };
  const onBatch = (message: unknown): void => {
    const m = message as BatchDelivered;
    batchRecords.observe(m.records);
    batchBytes.observe(m.bytes);
    producedBytes.inc(m.bytes);
  };
  subscribe(requestCompletedChannel.name, onRequest);
  subscribe(batchDeliveredChannel.name, onBatch);

  return {
    registry,
    close: () => {
      unsubscribe(requestCompletedChannel.name, onRequest);
      unsubscribe(batchDeliveredChannel.name, onBatch);
    },
  };
}

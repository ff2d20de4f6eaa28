/**
 * What the sidecar hop costs an app: produce through a real daemon over its Unix socket and
 * over NATS, against this project's producer and KafkaJS in the app's own process. Ratios are
 * against the socket path: the targets are batched produce through the socket at least 2x
 * KafkaJS in-process, and a p99 of single awaited calls at most 0.3 ms above in-process.
 */
import type { Scenario } from '../lib/scenario.js';
import { BATCH, runInProcess, runKafkaJs, runNats, runSocket, VALUE_BYTES, WINDOW } from '../sidecar/candidates.js';
import { startSidecarFixture, stopSidecarFixture } from '../sidecar/daemon.js';

export const scenario: Scenario = {
  name: 'sidecar',
  description:
    `Produce ${VALUE_BYTES}-byte values with acks=all to a one-partition topic: 500k records (50k quick) in calls of ${BATCH} records with ${WINDOW} calls outstanding, ` +
    'then 2000 (300 quick) single-record calls each awaited before the next, for p50/p99 latency. ' +
    'kafka-sidecar-socket and kafka-sidecar-nats go through one real daemon (default producer settings: idempotent, linger 5 ms) started by the scenario; ' +
    'in-process is the same producer actor inside the candidate; kafkajs is KafkaJS 2.2.4 in-process without idempotence. ' +
    'Every batched run is checked: the topic grows by exactly the records sent.',
  metrics: [
    { name: 'records_per_second', unit: 'records/s', better: 'higher', description: 'batched produce' },
    { name: 'p50_latency', unit: 'ms', better: 'lower', description: 'single awaited produce, median' },
    { name: 'p99_latency', unit: 'ms', better: 'lower', description: 'single awaited produce, 99th percentile' },
  ],
  ours: 'kafka-sidecar-socket',
  reps: 3,
  warmup: 1,
  timeoutSeconds: 900,
  setup: async ({ quick }) => ({ ...(await startSidecarFixture(quick)) }),
  teardown: () => stopSidecarFixture(),
  candidates: [
    { name: 'kafka-sidecar-socket', description: 'client library over the Unix socket (JSON-RPC lines)', run: runSocket },
    { name: 'kafka-sidecar-nats', description: 'client library over NATS request/reply', run: runNats },
    { name: 'in-process', description: "this project's producer actor inside the app's process", run: runInProcess },
    { name: 'kafkajs', description: 'KafkaJS 2.2.4 inside the app process', run: runKafkaJs },
  ],
};

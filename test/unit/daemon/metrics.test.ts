// The metrics the diagnostics channels feed: request latency per API and outcome, produced
// batches' records and bytes. Published here as the connection layer and the sender publish.
import test from 'ava';
import { ActorDirectory } from '../../../daemon/actor-directory.js';
import { createMetrics } from '../../../daemon/metrics.js';
import { requestCompletedChannel } from '../../../machines/connection/request-events.js';
import { batchDeliveredChannel } from '../../../machines/producer/batch-events.js';

function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? NaN : Number(line.split(' ')[1]);
}

test('request durations by API and outcome, produced batches, and nothing after close()', async (t) => {
  const metrics = createMetrics({ actors: new ActorDirectory(), ipcSessions: () => 2 });
  t.true(requestCompletedChannel.hasSubscribers);
  requestCompletedChannel.publish({ api: 'Produce', version: 9, durationMs: 3, error: null });
  requestCompletedChannel.publish({ api: 'Produce', version: 9, durationMs: 40, error: null });
  requestCompletedChannel.publish({ api: 'Fetch', version: 12, durationMs: 2, error: new Error('gone') });
  batchDeliveredChannel.publish({ topic: 't', records: 10, bytes: 1200 });
  batchDeliveredChannel.publish({ topic: 't', records: 300, bytes: 40_000 });

  const text = await metrics.registry.metrics();
  t.is(sample(text, 'kafka_sidecar_request_duration_seconds_count', '{api="Produce",outcome="answered"}'), 2);
  t.is(sample(text, 'kafka_sidecar_request_duration_seconds_bucket', '{le="0.005",api="Produce",outcome="answered"}'), 1);
  t.is(sample(text, 'kafka_sidecar_request_duration_seconds_count', '{api="Fetch",outcome="failed"}'), 1);
  t.is(sample(text, 'kafka_sidecar_producer_batch_records_count'), 2);
  t.is(sample(text, 'kafka_sidecar_producer_batch_records_sum'), 310);
  t.is(sample(text, 'kafka_sidecar_producer_bytes_total'), 41_200);
  t.is(sample(text, 'kafka_sidecar_ipc_sessions'), 2);
  // Without a producer actor the producer figures are zero, not missing.
  t.is(sample(text, 'kafka_sidecar_producer_records_total', '{outcome="delivered"}'), 0);

  metrics.close();
  t.false(requestCompletedChannel.hasSubscribers);
  t.false(batchDeliveredChannel.hasSubscribers);
});

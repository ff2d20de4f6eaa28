// Every scenario shipped in bench/scenarios/ loads and passes the runner's validation, so a
// broken scenario is caught by the test command rather than on the day someone benchmarks.
import test from 'ava';
import { knownScenarios, loadScenarioModule, scenarioModuleUrl } from '../../../bench/lib/load.js';

test('every shipped scenario loads and is valid', async (t) => {
  const names = knownScenarios();
  for (const expected of ['codec', 'consumer', 'producer', 'self-test', 'sidecar']) t.true(names.includes(expected), `${expected} in ${names.join(', ')}`);
  for (const name of names) {
    const scenario = await loadScenarioModule(scenarioModuleUrl(name));
    t.is(scenario.name, name);
  }
});

test('the sidecar scenario compares the socket path with NATS, in-process and KafkaJS', async (t) => {
  const scenario = await loadScenarioModule(scenarioModuleUrl('sidecar'));
  t.is(scenario.ours, 'kafka-sidecar-socket');
  t.deepEqual(
    scenario.candidates.map((c) => c.name),
    ['kafka-sidecar-socket', 'kafka-sidecar-nats', 'in-process', 'kafkajs'],
  );
  t.deepEqual(
    scenario.metrics.map((m) => [m.name, m.better]),
    [
      ['records_per_second', 'higher'],
      ['p50_latency', 'lower'],
      ['p99_latency', 'lower'],
    ],
  );
});

test('the consumer scenario reads ConsumerPerformance figures by column name', async (t) => {
  const { parseConsumerPerformance } = await import('../../../bench/scenarios/consumer.js');
  const out = [
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    '2026-11-26 03:30:01:123, 2026-11-26 03:30:04:123, 95.3674, 31.7891, 1000000, 333333.3, 1000, 2000, 47.6837, 500000.0',
    '',
  ].join('\n');
  t.deepEqual(parseConsumerPerformance(out, 100), { records_per_s: 500_000, mb_per_s: 50 });
  t.throws(() => parseConsumerPerformance('WARN something\n', 100), { message: /no ConsumerPerformance figures/ });
});

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

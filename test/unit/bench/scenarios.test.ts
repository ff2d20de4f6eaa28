// Every scenario shipped in bench/scenarios/ loads and passes the runner's validation, so a
// broken scenario is caught by the test command rather than on the day someone benchmarks.
import test from 'ava';
import { knownScenarios, loadScenarioModule, scenarioModuleUrl } from '../../../bench/lib/load.js';

test('every shipped scenario loads and is valid', async (t) => {
  const names = knownScenarios();
  for (const expected of ['checksum', 'codec', 'consumer', 'producer', 'self-test', 'sidecar']) t.true(names.includes(expected), `${expected} in ${names.join(', ')}`);
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

test('the checksum scenario: every library gives the same CRC-32C of the same bytes, the known one for "123456789"', async (t) => {
  const { checksumLibraries, checksumInput, scenario } = await import('../../../bench/scenarios/checksum.js');
  t.deepEqual(
    scenario.candidates.map((c) => c.name),
    Object.keys(checksumLibraries),
  );
  const data = checksumInput(100_000);
  const crcs = await Promise.all(Object.values(checksumLibraries).map(async (load) => load()));
  const check = Buffer.from('123456789');
  for (const crc of crcs) {
    t.is(crc(check) >>> 0, 0xe3069283);
    t.is(crc(data) >>> 0, crcs[0]!(data) >>> 0);
  }
});

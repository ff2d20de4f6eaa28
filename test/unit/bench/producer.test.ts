// The producer scenario's pure parts: its cases, scaling, chunked sending, the growth check and
// the parsing of the Java tool's output (the broker-facing parts run in the scenario itself).
import test from 'ava';
import { CASES, caseMetrics, checkGrowth, chunkPartition, sendInChunks, sumEndOffsets, type CaseRun, type ProducerSetup } from '../../../bench/producer/cases.js';
import { parseJavaOutput } from '../../../bench/producer/java.js';
import { brokerSetupProblems, scaleFactor, scenario } from '../../../bench/scenarios/producer.js';
import { validateScenario } from '../../../bench/lib/scenario.js';

const run = (id: string, records: number, valueBytes = 100, partitions = 1): CaseRun => ({
  id,
  topic: `t-${id}`,
  partitions,
  records,
  warmupTopic: `w-${id}`,
  warmupRecords: 0,
  valueBytes,
  acks: 'all',
  compression: 'none',
  payloadFile: '/x',
});

test('eight cases: two sizes x two acks x two codecs, 1M records of 100 B and 100k of 1 KiB; the scenario validates', (t) => {
  t.deepEqual(
    CASES.map((c) => c.id),
    ['100b_acks1_none', '100b_acks1_lz4', '100b_acksall_none', '100b_acksall_lz4', '1kb_acks1_none', '1kb_acks1_lz4', '1kb_acksall_none', '1kb_acksall_lz4'],
  );
  t.true(CASES.every((c) => c.fullRecords === (c.valueBytes === 100 ? 1_000_000 : 100_000)));
  t.notThrows(() => validateScenario(scenario));
  t.is(scenario.metrics.length, CASES.length * 3);
});

test('scaleFactor: 1 at full scale, a tenth with --quick, BENCH_PRODUCER_SCALE in (0, 1] wins', (t) => {
  t.is(scaleFactor({ scenario: 'producer', quick: false }, {}), 1);
  t.is(scaleFactor({ scenario: 'producer', quick: true }, {}), 0.1);
  t.is(scaleFactor({ scenario: 'producer', quick: true }, { BENCH_PRODUCER_SCALE: '0.02' }), 0.02);
  for (const bad of ['0', '2', 'x', '-1']) t.throws(() => scaleFactor({ scenario: 'producer', quick: false }, { BENCH_PRODUCER_SCALE: bad }), { message: /BENCH_PRODUCER_SCALE/ });
});

test('brokerSetupProblems: none for a tmpfs log checked every 2 s; a disk, the default interval, missing facts are named', (t) => {
  const tmpfs = () => ({ type: 0x01021994 });
  const ext4 = () => ({ type: 0xef53 });
  const props = (text: string) => (path: string) => {
    t.is(path, '/dev/shm/k/node-1/server.properties');
    return text;
  };
  const env = { KAFKA_DIR: '/dev/shm/k' };
  const tuned = 'log.dirs=/x\nlog.retention.check.interval.ms=300000\n# --config\nlog.retention.check.interval.ms=2000\n';
  t.deepEqual(brokerSetupProblems(env, { statfs: tmpfs, readFile: props(tuned) }), []);
  t.deepEqual(brokerSetupProblems(env, { statfs: ext4, readFile: props(tuned) }), ["the broker's log (/dev/shm/k) is not on tmpfs"]);
  t.deepEqual(brokerSetupProblems(env, { statfs: tmpfs, readFile: props('log.dirs=/x\n') }), ['the broker checks retention every 300000 ms, more than 5000']);
  t.deepEqual(brokerSetupProblems(env, { statfs: tmpfs, readFile: props('log.retention.check.interval.ms=6000\n') }), [
    'the broker checks retention every 6000 ms, more than 5000',
  ]);
  t.deepEqual(brokerSetupProblems({}, { statfs: tmpfs, readFile: props(tuned) }), ['KAFKA_DIR is not set, so how the broker keeps its log is unknown']);
  const gone = brokerSetupProblems(env, {
    statfs: () => {
      throw new Error('ENOENT');
    },
    readFile: () => {
      throw new Error('no file');
    },
  });
  t.deepEqual(gone, ["cannot stat the broker's directory /dev/shm/k: ENOENT", 'cannot read /dev/shm/k/node-1/server.properties: no file']);
});

test('caseMetrics and checkGrowth: rates from the window, a topic that did not grow by the records sent fails', (t) => {
  t.deepEqual(caseMetrics(run('a', 1000, 1000), { seconds: 2, cpuSeconds: 0.5 }), { rps_a: 500, mbps_a: 0.5, cpu_per_m_a: 500 });
  t.notThrows(() => checkGrowth('x', run('a', 10), 5, 15));
  t.throws(() => checkGrowth('x', run('a', 10), 5, 14), { message: /grew by 9 records, 10 were sent/ });
  t.throws(() => checkGrowth('x', run('a', 10), 5, 25), { message: /grew by 20 records/ });
});

test('sumEndOffsets adds every partition of the topic from kcat -Q lines; a missing or unknown partition fails', (t) => {
  const lines = ['t.x [0] offset 10', 't.x [1] offset 5', 'other [2] offset 900', 't.x [2] offset 7'].join('\n');
  t.is(sumEndOffsets(lines, 't.x', 3), 22);
  t.is(sumEndOffsets(lines, 't.x', 1), 10);
  t.throws(() => sumEndOffsets(lines, 't.x', 4), { message: /no end offset for t\.x\[3\]/ });
  t.throws(() => sumEndOffsets(lines, 'tax', 1), { message: /no end offset for tax\[0\]/ });
  t.throws(() => sumEndOffsets('t.x [0] offset -1: Local: Unknown partition', 't.x', 1), { message: /no end offset/ });
});

test('chunkPartition goes round robin over the partitions, a whole chunk each', (t) => {
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => chunkPartition(i, 4)), [0, 1, 2, 3, 0, 1, 2, 3, 0]);
  t.deepEqual([0, 1, 2].map((i) => chunkPartition(i, 1)), [0, 0, 0]);
});

test('sendInChunks covers every record once, keeps at most `window` calls outstanding and rethrows the first failure', async (t) => {
  const seen: [number, number][] = [];
  const indexes: number[] = [];
  let outstanding = 0;
  let most = 0;
  await sendInChunks(
    1005,
    100,
    3,
    (first, count, index) => {
      indexes.push(index);
      return [first, count] as [number, number];
    },
    async (chunk) => {
      seen.push(chunk);
      most = Math.max(most, ++outstanding);
      await new Promise((r) => setTimeout(r, 1));
      outstanding--;
    },
  );
  t.is(seen.length, 11);
  t.deepEqual(indexes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.deepEqual(seen.at(-1), [1000, 5]);
  t.is(seen.reduce((n, [, c]) => n + c, 0), 1005);
  t.true(most <= 3 && most > 1, String(most));
  await t.throwsAsync(
    sendInChunks(500, 100, 2, (first) => first, async (first) => {
      if (first === 200) throw new Error('broker said no');
    }),
    { message: 'broker said no' },
  );
});

const javaSetup: ProducerSetup = { brokers: 'b:9092', javaClasspath: '/lib', cases: [run('100b_acks1_none', 1000, 100, 2), run('1kb_acks1_none', 100, 1024)] };

function javaOutput(opts: { sent?: number; after?: number } = {}): string {
  return [
    '@@case 100b_acks1_none',
    '@@before t-100b_acks1_none [0] offset 40',
    '@@before t-100b_acks1_none [1] offset 0',
    'Reading payloads from: /tmp/p.txt',
    'Number of messages read: 1000',
    '470 records sent, 94.0 records/sec (0.01 MB/sec), 769.3 ms avg latency, 2032.0 ms max latency.',
    `${opts.sent ?? 1000} records sent, 2000.0 records/sec (0.19 MB/sec), 12.00 ms avg latency, 40.00 ms max latency, 10 ms 50th, 30 ms 95th, 39 ms 99th, 40 ms 99.9th.`,
    '@@rusage 1.50 0.50 123456',
    '@@after t-100b_acks1_none [0] offset 540',
    `@@after t-100b_acks1_none [1] offset ${opts.after ?? 500}`,
    '@@case 1kb_acks1_none',
    '@@before t-1kb_acks1_none [0] offset 0',
    '100 records sent, 500.0 records/sec (0.49 MB/sec), 12.00 ms avg latency, 40.00 ms max latency, 10 ms 50th, 30 ms 95th, 39 ms 99th, 40 ms 99.9th.',
    '@@rusage 1.00 0.00 100000',
    '@@after t-1kb_acks1_none [0] offset 100',
    '',
  ].join('\n');
}

test("parseJavaOutput takes ProducerPerformance's final rate (not a progress line), each JVM's CPU, and checks the topic's growth", (t) => {
  const values = parseJavaOutput(javaSetup, javaOutput());
  t.is(values.rps_100b_acks1_none, 2000);
  t.is(values.mbps_100b_acks1_none, 0.2);
  t.is(values.cpu_per_m_100b_acks1_none, 2000);
  t.is(values.rps_1kb_acks1_none, 500);
  t.is(values.cpu_per_m_1kb_acks1_none, 10_000);
  t.throws(() => parseJavaOutput(javaSetup, javaOutput({ after: 499 })), { message: /grew by 999 records, 1000 were sent/ });
  t.throws(() => parseJavaOutput(javaSetup, javaOutput().replace('@@after t-100b_acks1_none [1] offset 500\n', '')), { message: /100b_acks1_none: @@after: no end offset for t-100b_acks1_none\[1\]/ });
  t.throws(() => parseJavaOutput(javaSetup, javaOutput({ sent: 999 })), { message: /sent 999 records, not 1000/ });
  t.throws(() => parseJavaOutput(javaSetup, javaOutput().split('@@case 1kb')[0]!), { message: /expected 2 cases/ });
  t.throws(() => parseJavaOutput(javaSetup, javaOutput().replace('@@rusage 1.00 0.00 100000\n', '')), { message: /1kb_acks1_none: incomplete output/ });
});

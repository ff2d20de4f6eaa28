/**
 * The producer benchmark's Java candidate: Kafka's own org.apache.kafka.tools.ProducerPerformance
 * (kafka-tools from Maven Central, fetched by `scripts/kafka-local tools`: kafkaToolsLib in
 * test/helpers/kafka.ts). One JVM per case, run by one bash script under the runner's GNU time
 * (whole-candidate CPU and peak RSS); inside it each JVM runs under its own GNU time too, so
 * every case has its CPU seconds, and kcat reads the topic's partitions' end offsets before and
 * after, so parse() can check the growth like the Node candidates do.
 */
import type { CommandSpec, RunContext } from '../lib/scenario.js';
import { BATCH_BYTES, caseMetrics, checkGrowth, IN_FLIGHT, LINGER_MS, sumEndOffsets, type CaseRun, type ProducerSetup } from './cases.js';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function script(setup: ProducerSetup, classpath: string): string {
  // kcat -Q's lines ("TOPIC [P] offset N"), one per partition, each behind the given tag.
  const offsets = (run: CaseRun, tag: string): string =>
    `kcat -Q -b ${quote(setup.brokers)} ${Array.from({ length: run.partitions }, (_, p) => `-t ${quote(`${run.topic}:${p}:-1`)}`).join(' ')} | sed 's/^/${tag} /'`;
  const lines = ['set -euo pipefail', 'rusage=$(mktemp)', "trap 'rm -f \"$rusage\"' EXIT"];
  for (const run of setup.cases) {
    const props = [
      `bootstrap.servers=${setup.brokers}`,
      `acks=${run.acks === 'all' ? 'all' : '1'}`,
      `enable.idempotence=${run.acks === 'all'}`,
      `compression.type=${run.compression}`,
      `batch.size=${BATCH_BYTES}`,
      `linger.ms=${LINGER_MS}`,
      `max.in.flight.requests.per.connection=${IN_FLIGHT}`,
    ];
    const java = ['java', '-Xmx512m', '-cp', `${classpath}/*`, 'org.apache.kafka.tools.ProducerPerformance', '--topic', run.topic, '--num-records', String(run.records),
      '--payload-file', run.payloadFile, '--throughput', '-1', '--producer-props', ...props];
    lines.push(
      `echo "@@case ${run.id}"`,
      offsets(run, '@@before'),
      `/usr/bin/time -f '%U %S %M' -o "$rusage" ${java.map(quote).join(' ')}`,
      `echo "@@rusage $(tail -n 1 "$rusage")"`,
      offsets(run, '@@after'),
    );
  }
  return lines.join('\n');
}

/**
 * "N records sent, R records/sec (M MB/sec), ... ms 50th, ...": ProducerPerformance's final
 * summary. Every 5 s it also prints a progress line of the same start without percentiles.
 */
const SUMMARY = /^(\d+) records sent, ([\d.]+) records\/sec \(.* ms 50th, /m;

export function parseJavaOutput(setup: ProducerSetup, stdout: string): Record<string, number> {
  const values: Record<string, number> = {};
  const sections = stdout.split('@@case ').slice(1);
  if (sections.length !== setup.cases.length) throw new Error(`expected ${setup.cases.length} cases in the output, found ${sections.length}`);
  for (const [i, run] of setup.cases.entries()) {
    const text = sections[i]!;
    const summary = SUMMARY.exec(text);
    const usage = /^@@rusage ([\d.]+) ([\d.]+) (\d+)$/m.exec(text);
    if (!text.startsWith(`${run.id}\n`) || !summary || !usage) throw new Error(`case ${run.id}: incomplete output:\n${text.slice(-1500)}`);
    if (Number(summary[1]) !== run.records) throw new Error(`case ${run.id}: ProducerPerformance sent ${summary[1]} records, not ${run.records}`);
    const tagged = (tag: string): string => [...text.matchAll(new RegExp(`^${tag} (.*)$`, 'gm'))].map((m) => m[1]).join('\n');
    const records = (tag: string): number => {
      try {
        return sumEndOffsets(tagged(tag), run.topic, run.partitions);
      } catch (err) {
        throw new Error(`case ${run.id}: ${tag}: ${(err as Error).message}`);
      }
    };
    checkGrowth('java-producer-perf', run, records('@@before'), records('@@after'));
    const recordsPerSecond = Number(summary[2]);
    Object.assign(values, caseMetrics(run, { seconds: run.records / recordsPerSecond, cpuSeconds: Number(usage[1]) + Number(usage[2]) }));
  }
  return values;
}

export function javaCommand(ctx: RunContext): CommandSpec {
  const setup = ctx.setup as unknown as ProducerSetup;
  if (setup.javaClasspath === null) throw new Error('no kafka-tools jars (setup could not fetch them)');
  return { file: 'bash', args: ['-c', script(setup, setup.javaClasspath)], parse: ({ stdout }) => parseJavaOutput(setup, stdout) };
}

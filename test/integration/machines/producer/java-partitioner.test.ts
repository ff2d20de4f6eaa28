/**
 * Our keyed partitioning against the Java client's own code: 10,000 random keys (lengths 0-64,
 * binary, plus the tail-length edge cases) go through scripts/java/PartitionForKeys.java,
 * compiled now against the kafka-clients jar, and every murmur2 value and partition for 1, 3,
 * 12, 100 and 1000 partitions must equal ours. A key on a different partition than Java would
 * put it breaks per-key ordering for anyone who mixes clients.
 *
 * The jar is the one of the Kafka version under test (KAFKA_VERSION, cached by
 * scripts/kafka-local with the broker's jars), else one fetched from Maven Central with
 * scripts/kafka-poms/clients-4.1.1.xml into .cache/kafka-clients/.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { murmur2, partitionForKey } from '../../../../machines/producer/partitioner.js';
import { repoRoot } from '../../../helpers/repo.js';

const run = promisify(execFile);
const PARTITION_COUNTS = [1, 3, 12, 100, 1000] as const;
const RANDOM_KEYS = 10_000;
const FALLBACK_CLIENTS_VERSION = '4.1.1';

function hasClientsJar(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('kafka-clients-') && f.endsWith('.jar'));
}

/** A directory holding kafka-clients and its runtime dependencies (Utils needs slf4j-api). */
async function clientsClasspathDir(): Promise<{ dir: string; version: string }> {
  const cacheRoot = process.env.KAFKA_LOCAL_CACHE || join(repoRoot, '.cache', 'kafka');
  const wanted = process.env.KAFKA_VERSION;
  if (wanted !== undefined && hasClientsJar(join(cacheRoot, wanted, 'lib'))) return { dir: join(cacheRoot, wanted, 'lib'), version: wanted };
  const fetched = join(repoRoot, '.cache', 'kafka-clients', FALLBACK_CLIENTS_VERSION, 'lib');
  if (hasClientsJar(fetched)) return { dir: fetched, version: FALLBACK_CLIENTS_VERSION };
  if (hasClientsJar(join(cacheRoot, FALLBACK_CLIENTS_VERSION, 'lib'))) {
    return { dir: join(cacheRoot, FALLBACK_CLIENTS_VERSION, 'lib'), version: FALLBACK_CLIENTS_VERSION };
  }
  // Copy into a private directory and rename it into place, so a parallel run never sees half a copy.
  const staging = `${fetched}.fetch-${process.pid}`;
  await mkdir(staging, { recursive: true });
  const pom = join(repoRoot, 'scripts', 'kafka-poms', `clients-${FALLBACK_CLIENTS_VERSION}.xml`);
  await run(
    'mvn',
    ['-B', '-q', '-f', pom, 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  try {
    await rename(staging, fetched);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (!hasClientsJar(fetched)) throw err;
  }
  return { dir: fetched, version: FALLBACK_CLIENTS_VERSION };
}

/** mulberry32: a small seeded generator, so a failure can be replayed from the printed seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function testKeys(seed: number): Buffer[] {
  const random = seededRandom(seed);
  const keys: Buffer[] = [
    Buffer.alloc(0),
    Buffer.from([0]),
    Buffer.from([0xff]),
    Buffer.from([0xff, 0xff]),
    Buffer.from([0x80, 0x7f, 0xff]),
    Buffer.alloc(4, 0xff),
    Buffer.alloc(64, 0xff),
    Buffer.from('key-1'),
    Buffer.from('ünïcødé-key'),
  ];
  for (let i = 0; i < RANDOM_KEYS; i++) {
    const key = Buffer.alloc(Math.floor(random() * 65));
    for (let j = 0; j < key.length; j++) key[j] = Math.floor(random() * 256);
    keys.push(key);
  }
  return keys;
}

test('keyed partitions equal the Java client for 10,000 random keys and 1/3/12/100/1000 partitions', async (t) => {
  const started = Date.now();
  const { dir: libDir, version } = await clientsClasspathDir();
  const work = await mkdtemp(join(tmpdir(), 'ks-partitioner-'));
  try {
    const seed = Number(process.env.PARTITIONER_SEED ?? Date.now() % 2 ** 31);
    const keys = testKeys(seed);
    const keyFile = join(work, 'keys.hex');
    await writeFile(keyFile, keys.map((k) => k.toString('hex')).join('\n') + '\n');
    // Only the two jars the program touches (Utils logs through slf4j-api): javac scanning a
    // broker's 40-odd jars costs seconds. Quick JIT settings suit these short runs.
    const jars = readdirSync(libDir).filter((f) => /^(kafka-clients|slf4j-api)-.*\.jar$/.test(f));
    const classpath = jars.map((f) => join(libDir, f)).join(':');
    const quickJvm = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
    await run('javac', [...quickJvm.map((o) => `-J${o}`), '-d', work, '-cp', classpath, join(repoRoot, 'scripts', 'java', 'PartitionForKeys.java')]);
    const { stdout, stderr } = await run(
      'java',
      [...quickJvm, '-cp', `${work}:${classpath}`, 'PartitionForKeys', keyFile, ...PARTITION_COUNTS.map(String)],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const method = stderr.split('\n').find((l) => l.startsWith('using ')) ?? 'method not reported';
    t.log(`kafka-clients ${version}, ${method}, seed ${seed}`);
    const lines = stdout.trimEnd().split('\n');
    t.is(lines.length, keys.length, 'Java printed one line per key');
    const mismatches: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const [javaHash, ...javaPartitions] = lines[i]!.split(' ').map(Number);
      const ours = [murmur2(key), ...PARTITION_COUNTS.map((n) => partitionForKey(key, n))];
      const theirs = [javaHash!, ...javaPartitions];
      if (ours.some((v, j) => v !== theirs[j])) {
        mismatches.push(`key ${key.toString('hex') || '(empty)'}: ours ${ours.join(' ')}, Java ${theirs.join(' ')}`);
      }
    }
    t.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} of ${keys.length} keys differ (seed ${seed})`);
    t.true(Date.now() - started < 30_000, `took ${Date.now() - started} ms, budget 30 s`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

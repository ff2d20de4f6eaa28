// Kafka jars from Maven Central, fetched once with mvn and cached: the broker's (per version,
// for `start`) and the command-line tools' (kafka-tools with its runtime dependencies, for
// `tools`: the console consumer and ProducerPerformance that tests and benchmarks run).
// Concurrent callers may fetch at the same time: each copies into a private directory and
// renames it into place, so a half-copied lib/ is never seen.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaLocalError } from './errors.mjs';

/** The one kafka-tools version we fetch; its tools work with brokers from 2.1 on. */
export const defaultToolsVersion = '4.1.1';

/** Where the jars of `version` live; env KAFKA_LOCAL_CACHE replaces `<repo>/.cache/kafka`. */
export function jarDir(repoRoot, version, env) {
  const cacheRoot = env.KAFKA_LOCAL_CACHE || join(repoRoot, '.cache', 'kafka');
  return join(cacheRoot, version, 'lib');
}

/** Where the kafka-tools jars of `version` live (apart from the broker jars: other versions of the same artifacts). */
export function toolsJarDir(repoRoot, version) {
  return join(repoRoot, '.cache', 'kafka-tools', version, 'lib');
}

const hasJar = (lib, isWanted) => existsSync(lib) && readdirSync(lib).some(isWanted);

/**
 * Copies the runtime dependencies of `pom` into `lib` with mvn's dependency plugin.
 * @param {{ pom: string, lib: string, what: string, isComplete: (lib: string) => boolean, env: NodeJS.ProcessEnv, log: (msg: string) => void }} options
 * @returns {string} lib
 */
function fetchInto({ pom, lib, what, isComplete, env, log }) {
  const staging = `${lib}.fetch-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  log(`fetching ${what} from Maven Central into ${lib} (first use only)`);
  const result = spawnSync(
    'mvn',
    [
      '-B', '-q', '-f', pom,
      'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies',
      '-DincludeScope=runtime', `-DoutputDirectory=${staging}`,
    ],
    { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.error || result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const why = result.error ? result.error.message : `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new KafkaLocalError(ErrorCode.mavenFailed, `mvn could not fetch ${what}:\n${why}`, { retriable: true });
  }
  try {
    renameSync(staging, lib);
  } catch (err) {
    // Another caller finished first; its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!isComplete(lib)) throw err;
  }
  return lib;
}

/**
 * @param {{ repoRoot: string, version: string, env: NodeJS.ProcessEnv, log: (msg: string) => void }} options
 * @returns {string} the directory holding the broker's jars
 */
export function ensureJars({ repoRoot, version, env, log }) {
  const lib = jarDir(repoRoot, version, env);
  const isComplete = (dir) => hasJar(dir, (f) => f.startsWith('kafka_'));
  if (isComplete(lib)) return lib;
  const pom = join(repoRoot, 'scripts', 'kafka-poms', version, 'pom.xml');
  if (!existsSync(pom)) throw new KafkaLocalError(ErrorCode.unknownVersion, `no pom for Kafka ${version} at ${pom}`);
  return fetchInto({ pom, lib, what: `the Kafka ${version} jars`, isComplete, env, log });
}

/**
 * @param {{ repoRoot: string, version: string, env: NodeJS.ProcessEnv, log: (msg: string) => void }} options
 * @returns {string} the directory holding kafka-tools and its runtime dependencies
 */
export function ensureToolsJars({ repoRoot, version, env, log }) {
  const lib = toolsJarDir(repoRoot, version);
  // kafka-tools-api-<v>.jar is a dependency of every Kafka lib; kafka-tools-<v>.jar is the one wanted.
  const isComplete = (dir) => hasJar(dir, (f) => f.startsWith('kafka-tools-') && !f.startsWith('kafka-tools-api') && f.endsWith('.jar'));
  if (isComplete(lib)) return lib;
  const pom = join(repoRoot, 'scripts', 'kafka-poms', `tools-${version}.xml`);
  if (!existsSync(pom)) throw new KafkaLocalError(ErrorCode.unknownVersion, `no pom for kafka-tools ${version} at ${pom}`);
  return fetchInto({ pom, lib, what: `kafka-tools ${version}`, isComplete, env, log });
}

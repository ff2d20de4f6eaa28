// The broker's jars, fetched once per version from Maven Central with mvn and cached.
// Concurrent starts may fetch at the same time: each copies into a private directory and
// renames it into place, so a half-copied lib/ is never seen.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaLocalError } from './errors.mjs';

/** Where the jars of `version` live; env KAFKA_LOCAL_CACHE replaces `<repo>/.cache/kafka`. */
export function jarDir(repoRoot, version, env) {
  const cacheRoot = env.KAFKA_LOCAL_CACHE || join(repoRoot, '.cache', 'kafka');
  return join(cacheRoot, version, 'lib');
}

/**
 * @param {{ repoRoot: string, version: string, env: NodeJS.ProcessEnv, log: (msg: string) => void }} options
 * @returns {string} the directory holding the jars
 */
export function ensureJars({ repoRoot, version, env, log }) {
  const lib = jarDir(repoRoot, version, env);
  if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('kafka_'))) return lib;
  const pom = join(repoRoot, 'scripts', 'kafka-poms', version, 'pom.xml');
  if (!existsSync(pom)) throw new KafkaLocalError(ErrorCode.unknownVersion, `no pom for Kafka ${version} at ${pom}`);
  const staging = `${lib}.fetch-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  log(`fetching Kafka ${version} jars from Maven Central into ${lib} (first use only)`);
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
    throw new KafkaLocalError(ErrorCode.mavenFailed, `mvn could not fetch the Kafka ${version} jars:\n${why}`, { retriable: true });
  }
  try {
    renameSync(staging, lib);
  } catch (err) {
    // Another start finished first; its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(lib)) throw err;
  }
  return lib;
}

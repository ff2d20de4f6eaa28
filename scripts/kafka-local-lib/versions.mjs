// What differs between the Kafka versions scripts/kafka-local can run.
import { ErrorCode, KafkaLocalError } from './errors.mjs';

/**
 * @typedef {object} VersionSpec
 * @property {'kraft' | 'zookeeper'} mode KRaft (combined broker+controller) or ZooKeeper mode
 * @property {'log4j2' | 'log4j1'} logging which logging backend the pom puts on the class path
 * @property {string[]} extraJvmFlags flags this version needs on the JVM we run it on
 */

/** @type {Readonly<Record<string, VersionSpec>>} */
export const versions = Object.freeze({
  '4.1.1': { mode: 'kraft', logging: 'log4j2', extraJvmFlags: [] },
  '3.9.1': { mode: 'kraft', logging: 'log4j1', extraJvmFlags: [] },
  // 2.8.2 was released for Java 8 and 11 but runs on Java 17 as is (checked: broker, ZooKeeper,
  // ConfigCommand, SSL and SASL listeners); no --add-opens flags are needed.
  '2.8.2': { mode: 'zookeeper', logging: 'log4j1', extraJvmFlags: [] },
});

export const defaultVersion = '4.1.1';

/** @returns {VersionSpec} */
export function versionSpec(version) {
  const spec = versions[version];
  if (!spec) {
    throw new KafkaLocalError(
      ErrorCode.unknownVersion,
      `unknown Kafka version "${version}": supported are ${Object.keys(versions).join(', ')}`,
    );
  }
  return spec;
}

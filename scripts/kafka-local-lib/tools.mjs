// Short-lived JDK and Kafka tools run during setup: keytool, StorageTool, ConfigCommand.
import { spawn } from 'node:child_process';
import { ErrorCode, KafkaLocalError } from './errors.mjs';

/**
 * Runs a command to completion and fails with its output when it exits non-zero.
 * @returns {Promise<string>} stdout and stderr together
 */
export function runTool(command, args, { env, what }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', (err) => reject(new KafkaLocalError(ErrorCode.toolFailed, `${what}: cannot run ${command}: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve(output);
      else {
        const tail = output.trimEnd().split('\n').slice(-15).join('\n');
        reject(new KafkaLocalError(ErrorCode.toolFailed, `${what} failed (${signal ?? `exit ${code}`}):\n${tail}`));
      }
    });
  });
}

/** JVM flags for a tool that runs for a second or two: start fast, stay small. */
export const toolJvmFlags = ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Djava.awt.headless=true'];

/**
 * Runs a main class from the Kafka jars.
 * @param {{ java: string, lib: string, logFlag: string, env: NodeJS.ProcessEnv }} jvm
 */
export function runKafkaClass(jvm, mainClass, args, what) {
  return runTool(jvm.java, [...toolJvmFlags, jvm.logFlag, '-cp', `${jvm.lib}/*`, mainClass, ...args], { env: jvm.env, what });
}

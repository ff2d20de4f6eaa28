// Finds the JDK to run Kafka with: $JAVA_HOME when set (and then it must be right), else
// `java` on PATH. keytool comes from the same JDK so certificates match the runtime.
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ErrorCode, KafkaLocalError } from './errors.mjs';

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command, pathVar) {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ java: string, keytool: string }}
 */
export function findJava(env) {
  const javaHome = env.JAVA_HOME;
  if (javaHome) {
    const java = join(javaHome, 'bin', 'java');
    if (!isExecutable(java)) {
      throw new KafkaLocalError(
        ErrorCode.javaNotFound,
        `JAVA_HOME=${javaHome} has no executable bin/java: point JAVA_HOME at a JDK 17 or unset it to use java on PATH`,
      );
    }
    return { java, keytool: join(javaHome, 'bin', 'keytool') };
  }
  const java = onPath('java', env.PATH);
  if (!java) {
    throw new KafkaLocalError(
      ErrorCode.javaNotFound,
      'java is not on PATH and JAVA_HOME is not set: install a JDK 17 (apt-get install openjdk-17-jdk-headless) or set JAVA_HOME',
    );
  }
  // /usr/bin/java is usually a chain of symlinks into the JDK; keytool lives next to the real one.
  const besideReal = join(dirname(realpathSync(java)), 'keytool');
  const keytool = isExecutable(besideReal) ? besideReal : (onPath('keytool', env.PATH) ?? besideReal);
  return { java, keytool };
}

// The one error type of scripts/kafka-local: a stable `code` so callers (and tests) can tell
// failures apart, and `retriable` for the few that may pass on a second try.

export class KafkaLocalError extends Error {
  /**
   * @param {string} code stable identifier, e.g. PORT_IN_USE
   * @param {string} message what went wrong and where to look
   * @param {{ retriable?: boolean }} [options]
   */
  constructor(code, message, options = {}) {
    super(message);
    this.name = 'KafkaLocalError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export const ErrorCode = /** @type {const} */ ({
  badArgument: 'BAD_ARGUMENT',
  unknownVersion: 'UNKNOWN_VERSION',
  javaNotFound: 'JAVA_NOT_FOUND',
  mavenFailed: 'MAVEN_FAILED',
  toolFailed: 'TOOL_FAILED',
  portInUse: 'PORT_IN_USE',
  processExited: 'PROCESS_EXITED',
  readinessTimeout: 'READINESS_TIMEOUT',
  notKafkaLocalDir: 'NOT_A_KAFKA_LOCAL_DIR',
  notRunning: 'NOT_RUNNING',
});

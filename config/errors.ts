// Configuration errors. One ConfigError carries every problem found, so that a user fixes a
// broken configuration in one round instead of one key at a time.
import { describeOrigin, type ValueOrigin } from './provenance.js';

export const ConfigErrorCode = {
  /** A value has the wrong type or format, a key is unknown, or values contradict each other. */
  invalid: 'CONFIG_INVALID',
  /** The configuration file is missing or cannot be read. */
  fileUnreadable: 'CONFIG_FILE_UNREADABLE',
  /** The configuration file is not valid JSON / YAML, or not a mapping at its top level. */
  fileUnparsable: 'CONFIG_FILE_UNPARSABLE',
  /** A command-line flag is malformed or unknown. */
  argumentInvalid: 'CONFIG_ARGUMENT_INVALID',
} as const;

export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** One thing wrong with the configuration. `message` never contains a sensitive value. */
export interface ConfigProblem {
  /** The key concerned (dotted path), or the flag / variable / file when there is no key. */
  readonly key: string;
  /** Where the offending value came from, when it is a value. */
  readonly origin?: ValueOrigin;
  readonly message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const from = problem.origin === undefined ? '' : ` (from ${describeOrigin(problem.origin)})`;
  return `${problem.key}${from}: ${problem.message}`;
}

const headlines: Readonly<Record<ConfigErrorCode, string>> = {
  CONFIG_INVALID: 'invalid configuration',
  CONFIG_FILE_UNREADABLE: 'unreadable configuration file',
  CONFIG_FILE_UNPARSABLE: 'unparsable configuration file',
  CONFIG_ARGUMENT_INVALID: 'invalid configuration flag',
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** A configuration does not fix itself by waiting. */
  readonly retriable = false;

  constructor(
    readonly code: ConfigErrorCode,
    readonly problems: readonly ConfigProblem[],
  ) {
    const lines = problems.map(formatProblem);
    const title = headlines[code];
    super(lines.length === 1 ? `${title}: ${lines[0]}` : `${title}:\n  - ${lines.join('\n  - ')}`);
  }
}

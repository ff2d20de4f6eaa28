// The configuration flags shared by every command that loads configuration:
// `--config FILE` and repeatable `--set key=value` (also spelled `--config=FILE`, `--set=key=value`).
import { ConfigError, ConfigErrorCode } from './errors.js';

export interface SetFlag {
  readonly key: string;
  readonly value: string;
}

export interface ConfigArguments {
  readonly configFile?: string;
  readonly sets: readonly SetFlag[];
}

const CONFIG_FLAG = '--config';
const SET_FLAG = '--set';

function argumentError(flag: string, message: string): ConfigError {
  return new ConfigError(ConfigErrorCode.argumentInvalid, [{ key: flag, message }]);
}

/** Splits argv into the configuration flags (with their values) and everything else. */
export function splitConfigArguments(argv: readonly string[]): { configArgv: string[]; rest: string[] } {
  const configArgv: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === CONFIG_FLAG || arg === SET_FLAG) {
      configArgv.push(arg);
      if (i + 1 < argv.length) configArgv.push(argv[++i] as string);
    } else if (arg.startsWith(`${CONFIG_FLAG}=`) || arg.startsWith(`${SET_FLAG}=`)) {
      configArgv.push(arg);
    } else {
      rest.push(arg);
    }
  }
  return { configArgv, rest };
}

/** Parses configuration flags; anything else in argv is a CONFIG_ARGUMENT_INVALID error. */
export function parseConfigArguments(argv: readonly string[]): ConfigArguments {
  let configFile: string | undefined;
  const sets: SetFlag[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    let value: string | undefined;
    if (flag !== arg) {
      value = arg.slice(eq + 1);
    } else if (flag === CONFIG_FLAG || flag === SET_FLAG) {
      value = argv[++i];
      if (value === undefined) throw argumentError(flag, 'needs a value');
    }
    if (flag === CONFIG_FLAG) {
      if (configFile !== undefined) throw argumentError(flag, 'is given twice; merge the files into one');
      if (value === undefined || value === '') throw argumentError(flag, 'needs a file path');
      configFile = value;
    } else if (flag === SET_FLAG) {
      const split = value?.indexOf('=') ?? -1;
      // The text is not echoed: it may be a secret typed with the wrong separator.
      if (value === undefined || split <= 0) throw argumentError(flag, 'expected key=value with a key before the first "="');
      sets.push({ key: value.slice(0, split).trim(), value: value.slice(split + 1) });
    } else {
      throw argumentError(arg, 'is not a configuration flag (expected --config FILE or --set key=value)');
    }
  }
  return configFile === undefined ? { sets } : { configFile, sets };
}

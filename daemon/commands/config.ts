// `kafka-sidecar config`: checks the configuration the daemon would run with and, with --print,
// shows every effective value and where it came from. Secrets are redacted.
import { splitConfigArguments } from '../../config/arguments.js';
import { ConfigError } from '../../config/errors.js';
import { loadConfig, type LoadedConfig } from '../../config/load.js';
import { describeOrigin } from '../../config/provenance.js';
import { redactConfig } from '../../config/redact.js';
import { ExitCode, wantsHelp, type CliCommand } from './command.js';

export interface ConfigCommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const USAGE = `usage: kafka-sidecar config [--print [--json]] [--config FILE] [--set key=value ...]

Loads the configuration exactly as \`kafka-sidecar start\` would (defaults, the file from
--config or $KAFKA_SIDECAR_CONFIG, KAFKA_SIDECAR_* variables, --set flags) and reports
whether it is valid. Exit code 0 when valid, 2 when not.

  --print          show every effective value and its source (secrets redacted)
  --json           with --print: one JSON object {configFile, config, provenance}
  --config FILE    configuration file, JSON or YAML
  --set key=value  override one key, e.g. --set producer.compression=zstd (repeatable)

All keys: docs/configuration.md`;

function valueAt(config: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], config);
}

function printText(loaded: LoadedConfig): string {
  const redacted = redactConfig(loaded.config);
  const rows = Object.entries(loaded.provenance).map(([path, origin]) => ({
    setting: `${path} = ${JSON.stringify(valueAt(redacted, path))}`,
    origin: describeOrigin(origin),
  }));
  const width = Math.min(72, Math.max(...rows.map((r) => r.setting.length)));
  const header = `# configuration file: ${loaded.configFile ?? 'none'}`;
  return [header, ...rows.map((r) => `${r.setting.padEnd(width)}  # ${r.origin}`)].join('\n') + '\n';
}

function printJson(loaded: LoadedConfig): string {
  const provenance = Object.fromEntries(Object.entries(loaded.provenance).map(([path, origin]) => [path, describeOrigin(origin)]));
  return JSON.stringify({ configFile: loaded.configFile, config: redactConfig(loaded.config), provenance }, null, 2) + '\n';
}

function summary(loaded: LoadedConfig): string {
  const origins = Object.values(loaded.provenance);
  const count = (kind: string): number => origins.filter((o) => o.kind === kind).length;
  return `configuration is valid (file: ${loaded.configFile ?? 'none'}; ${count('file')} from the file, ${count('env')} from the environment, ${count('set')} from --set)\n`;
}

/** The command with its process surroundings passed in, so tests need no child process. */
export async function runConfigCommand(argv: readonly string[], io: ConfigCommandIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  const { configArgv, rest } = splitConfigArguments(argv);
  const print = rest.includes('--print');
  const json = rest.includes('--json');
  const unknown = rest.filter((a) => a !== '--print' && a !== '--json');
  if (unknown.length > 0 || (json && !print)) {
    const problem = unknown.length > 0 ? `unknown argument "${unknown[0]}"` : '--json needs --print';
    io.stderr.write(`kafka-sidecar config: ${problem}\n\n${USAGE}\n`);
    return ExitCode.usage;
  }
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ argv: configArgv, env: io.env, cwd: io.cwd });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`kafka-sidecar config: ${err.message}\n`);
    return ExitCode.usage;
  }
  io.stdout.write(print ? (json ? printJson(loaded) : printText(loaded)) : summary(loaded));
  return ExitCode.ok;
}

export const command: CliCommand = {
  name: 'config',
  summary: 'check the configuration and show the effective values and their sources',
  usage: USAGE,
  run: (argv) => runConfigCommand(argv, { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }),
};

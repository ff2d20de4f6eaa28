/** A CLI sub-command: `kafka-sidecar <name> ...`. `run` returns the process exit code. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

/** Exit codes shared by every command, so scripts can tell usage mistakes from failures. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;

/** True when argv asks for help in any of the usual spellings. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

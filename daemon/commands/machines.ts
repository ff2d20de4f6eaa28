// `kafka-sidecar machines`: writes the diagrams of the project's state machines, generated
// from the machine definitions themselves, as Mermaid, Graphviz dot or JSON.
import { writeFile } from 'node:fs/promises';
import { parseDiagramFormat, renderGraphs, UnknownDiagramFormatError, type DiagramFormat } from '../../machines/graph/render.js';
import { machineRegistry, registeredGraphs, UnknownMachineError } from '../machine-registry.js';
import { ExitCode, wantsHelp, type CliCommand } from './command.js';

export interface MachinesCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly writeFile: (path: string, text: string) => Promise<void>;
}

const USAGE = `usage: kafka-sidecar machines [--format mermaid|json|dot] [--machine NAME] [--out FILE]

Writes the statechart of every state machine (or of the one named) to stdout or FILE.

  --format F      mermaid (stateDiagram-v2, the default), json (the graph model the
                  statechart page draws) or dot (Graphviz); several machines give one
                  diagram each, one after the other (json: an array)
  --machine NAME  one machine: ${machineRegistry.map((m) => m.name).join(', ')}
  --out FILE      write to FILE instead of stdout`;

class UsageError extends Error {}

interface Options {
  format: DiagramFormat;
  machine?: string;
  out?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { format: 'mermaid' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--format') options.format = parseDiagramFormat(value());
    else if (flag === '--machine') options.machine = value();
    else if (flag === '--out') options.out = value();
    else throw new UsageError(`unknown argument "${arg}"`);
  }
  return options;
}

/** The command with its output passed in, so tests need no child process. */
export async function runMachinesCommand(argv: readonly string[], io: MachinesCommandIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  let text: string;
  let out: string | undefined;
  try {
    const options = parseArgs(argv);
    text = renderGraphs(registeredGraphs(options.machine), options.format);
    out = options.out;
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof UnknownDiagramFormatError || err instanceof UnknownMachineError)) throw err;
    io.stderr.write(`kafka-sidecar machines: ${err.message}\n\n${USAGE}\n`);
    return ExitCode.usage;
  }
  if (out === undefined) io.stdout.write(text);
  else await io.writeFile(out, text);
  return ExitCode.ok;
}

export const command: CliCommand = {
  name: 'machines',
  summary: 'write the statecharts of the state machines (mermaid, json or dot)',
  usage: USAGE,
  run: (argv) =>
    runMachinesCommand(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      writeFile: (path, text) => writeFile(path, text, 'utf8'),
    }),
};

// `kafka-sidecar status`: asks the running daemon for its status and prints the actor tree
// with each actor's machine and state, the sessions and the subscriptions.
import type { StatusResult } from '../../client/index.js';
import { ExitCode, wantsHelp, type CliCommand } from './command.js';
import { runClientCommand, UsageError, type ClientCommandIo } from './daemon-link.js';

const USAGE = `usage: kafka-sidecar status [--json] [--socket PATH] [--config FILE] [--set key=value ...]

Connects to the running daemon (its socket from --socket, else from the configuration) and
prints its version, uptime, every actor with its machine and current state, the connected
sessions and the subscriptions. --json prints the status object as the daemon sent it.`;

/** A state value as one line: "ready", or "running.connected" for nested and "a+b" for parallel states. */
export function stateLabel(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  const parts = Object.entries(value as Record<string, unknown>).map(([key, child]) => {
    const inner = stateLabel(child);
    return inner === '' || (typeof child === 'object' && child !== null && Object.keys(child).length === 0) ? key : `${key}.${inner}`;
  });
  return parts.length > 1 ? `(${parts.join(' + ')})` : (parts[0] ?? '');
}


function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const parts = [[Math.floor(s / 86400), 'd'], [Math.floor((s % 86400) / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']] as const;
  const shown = parts.filter(([n], i) => n > 0 || i === parts.length - 1);
  return shown.map(([n, unit]) => `${n}${unit}`).join(' ');
}

export function formatStatus(status: StatusResult): string {
  const actors = [...status.actors].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const out = [
    `kafka-sidecar ${status.version}, up ${formatDuration(status.uptimeMs)} (since ${status.startedAt})`,
    '',
    table(['ACTOR', 'MACHINE', 'STATE'], actors.map((a) => [a.id, a.machine, stateLabel(a.state)])),
    '',
    status.sessions.length === 0
      ? 'no sessions'
      : table(['SESSION', 'DETAILS'], status.sessions.map((s) => [String((s as { id?: unknown }).id ?? '?'), JSON.stringify(s)])),
    '',
    status.subscriptions.length === 0
      ? 'no subscriptions'
      : table(
          ['SUBSCRIPTION', 'SESSION', 'GROUP', 'TOPICS', 'IN FLIGHT'],
          status.subscriptions.map((s) => [s.subscription, s.session, s.group, s.topics.join(','), String(s.inFlight)]),
        ),
  ];
  return out.join('\n') + '\n';
}

export function runStatusCommand(argv: readonly string[], io: ClientCommandIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(`${USAGE}\n`);
    return Promise.resolve(ExitCode.ok);
  }
  return runClientCommand('status', argv, io, async (client, rest) => {
    const json = rest.includes('--json');
    const unknown = rest.filter((a) => a !== '--json');
    if (unknown.length > 0) throw new UsageError(`unknown argument "${unknown[0]}"\n\n${USAGE}`);
    const status = await client.status();
    io.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    return ExitCode.ok;
  });
}

export const command: CliCommand = {
  name: 'status',
  summary: 'show the running daemon’s actors, states, sessions and subscriptions',
  usage: USAGE,
  run: (argv) => runStatusCommand(argv, { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }),
};

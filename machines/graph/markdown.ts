/**
 * The "Machines" section of DESIGN.md: one Mermaid diagram per registered machine, kept
 * between two markers so that `npm run docs:machines` can rewrite it and `--check` can tell
 * when it no longer matches the machines.
 */
import { machineToMermaid } from './mermaid.js';
import type { MachineGraph } from './model.js';

export const MACHINES_BEGIN = '<!-- machines:begin -->';
export const MACHINES_END = '<!-- machines:end -->';

export class MissingMarkersError extends Error {
  readonly code = 'MISSING_MARKERS';
  readonly retriable = false;
  constructor(readonly document: string) {
    super(`${document} has no "${MACHINES_BEGIN}" ... "${MACHINES_END}" block to write the machine diagrams into`);
    this.name = 'MissingMarkersError';
  }
}

export interface DocumentedMachine {
  readonly graph: MachineGraph;
  readonly summary: string;
}

/** The generated block, markers included. */
export function machinesMarkdown(machines: readonly DocumentedMachine[]): string {
  const parts = [
    MACHINES_BEGIN,
    '<!-- Generated from daemon/machine-registry.ts by `npm run docs:machines`; do not edit by hand. -->',
  ];
  for (const { graph, summary } of machines) {
    const counts = `${graph.nodes.length - 1} states, ${graph.edges.length} transitions`;
    parts.push('', `### ${graph.name}`, '', `${summary} (machine id \`${graph.id}\`; ${counts})`, '', '```mermaid', machineToMermaid(graph).trimEnd(), '```');
  }
  parts.push(MACHINES_END);
  return parts.join('\n');
}

/** `document` with the text between (and including) the markers replaced by `block`. */
export function replaceMachinesBlock(document: string, block: string, documentName: string): string {
  const begin = document.indexOf(MACHINES_BEGIN);
  const end = document.indexOf(MACHINES_END, begin);
  if (begin < 0 || end < 0) throw new MissingMarkersError(documentName);
  return document.slice(0, begin) + block + document.slice(end + MACHINES_END.length);
}

/** The diagram formats, one renderer each, for the `machines` command and the docs script. */
import { machineToDot } from './dot.js';
import { machineToMermaid } from './mermaid.js';
import type { MachineGraph } from './model.js';

export const DiagramFormat = { mermaid: 'mermaid', json: 'json', dot: 'dot' } as const;
export type DiagramFormat = (typeof DiagramFormat)[keyof typeof DiagramFormat];
export const diagramFormats: readonly DiagramFormat[] = Object.values(DiagramFormat);

export class UnknownDiagramFormatError extends Error {
  readonly code = 'UNKNOWN_DIAGRAM_FORMAT';
  readonly retriable = false;
  constructor(readonly format: string) {
    super(`unknown diagram format "${format}" (expected one of: ${diagramFormats.join(', ')})`);
    this.name = 'UnknownDiagramFormatError';
  }
}

export function parseDiagramFormat(text: string): DiagramFormat {
  const found = diagramFormats.find((f) => f === text);
  if (found === undefined) throw new UnknownDiagramFormatError(text);
  return found;
}

/** One document holding every graph: mermaid and dot get one diagram per machine, JSON an array. */
export function renderGraphs(graphs: readonly MachineGraph[], format: DiagramFormat): string {
  switch (format) {
    case DiagramFormat.json:
      return JSON.stringify(graphs.length === 1 ? graphs[0] : graphs, null, 2) + '\n';
    case DiagramFormat.mermaid:
      return graphs.map((g) => `%% ${g.name}\n${machineToMermaid(g)}`).join('\n');
    case DiagramFormat.dot:
      return graphs.map(machineToDot).join('\n');
  }
}

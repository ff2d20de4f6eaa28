/**
 * Mermaid `stateDiagram-v2` text of a machine graph, as DESIGN.md embeds it (GitHub renders it).
 *
 * Mermaid has no notion of a transition on the machine itself, so a root-level `on` transition
 * is drawn from every top-level state that can take it (all but final states). State ids are
 * the state paths joined by `_`, since Mermaid ids cannot hold dots; labels show the key.
 */
import { nodeIndex, type GraphEdge, type GraphNode, type MachineGraph } from './model.js';

/** Characters Mermaid's state-diagram grammar reads as syntax inside a label. */
const unsafeLabelChars = /[:;#{}<>"\n]/g;

function safeLabel(text: string): string {
  return text.replace(unsafeLabelChars, ' ').replace(/\s+/g, ' ').trim();
}

export function edgeText(edge: GraphEdge): string {
  return edge.guard !== undefined ? `${edge.label} [${edge.guard}]` : edge.label;
}

export function machineToMermaid(graph: MachineGraph): string {
  const byId = nodeIndex(graph);
  const root = byId.get(graph.root) as GraphNode;
  const mermaidId = (id: string): string => {
    const node = byId.get(id) as GraphNode;
    if (node.id === root.id) return 'root';
    const path: string[] = [];
    for (let n: GraphNode | undefined = node; n && n.id !== root.id; n = n.parent ? byId.get(n.parent) : undefined) path.unshift(n.key);
    return path.join('_').replace(/[^A-Za-z0-9_]/g, '_');
  };
  const lines: string[] = ['stateDiagram-v2'];

  const writeState = (node: GraphNode, indent: string): void => {
    const id = mermaidId(node.id);
    const label = node.type === 'history' ? `H${node.history === 'deep' ? '*' : ''} ${node.key}` : node.key;
    // Always the quoted form: Mermaid's grammar misreads a bare `state id` line.
    lines.push(`${indent}state "${safeLabel(label)}" as ${id}`);
    if (node.children.length > 0) {
      lines.push(`${indent}state ${id} {`);
      writeChildren(node, indent + '  ');
      lines.push(`${indent}}`);
    }
    if (node.type === 'final') lines.push(`${indent}${id} --> [*]`);
  };

  const writeChildren = (node: GraphNode, indent: string): void => {
    if (node.initial !== undefined) lines.push(`${indent}[*] --> ${mermaidId(node.initial)}`);
    node.children.forEach((childId, i) => {
      // The regions of a parallel state are separated by `--` in Mermaid.
      if (node.type === 'parallel' && i > 0) lines.push(`${indent}--`);
      writeState(byId.get(childId) as GraphNode, indent);
    });
  };

  writeChildren(root, '  ');
  const topLevel = root.children.map((id) => byId.get(id) as GraphNode).filter((n) => n.type !== 'final');
  for (const edge of graph.edges) {
    const text = safeLabel(edgeText(edge));
    const sources = edge.source === root.id ? topLevel.map((n) => n.id) : [edge.source];
    for (const source of sources) {
      // A targetless transition runs its actions without changing state: a loop.
      const targets = edge.targets.length > 0 ? edge.targets : [source];
      for (const target of targets) {
        if (target === root.id) continue;
        lines.push(`  ${mermaidId(source)} --> ${mermaidId(target)} : ${text}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

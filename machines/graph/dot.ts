/**
 * Graphviz `dot` text of a machine graph. Compound and parallel states (and the machine
 * itself) become clusters; each cluster holds a point node that is its initial marker and the
 * anchor of transitions from or to the cluster (drawn to its border with ltail/lhead).
 * Parallel regions get dashed borders.
 */
import { nodeIndex, type GraphNode, type MachineGraph } from './model.js';
import { edgeText } from './mermaid.js';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function isCluster(node: GraphNode): boolean {
  return node.children.length > 0;
}

export function machineToDot(graph: MachineGraph): string {
  const byId = nodeIndex(graph);
  /** True when `node` is `ancestor` or lies inside it. */
  const within = (node: GraphNode, ancestor: GraphNode): boolean => {
    for (let n: GraphNode | undefined = node; n; n = n.parent !== undefined ? byId.get(n.parent) : undefined) if (n.id === ancestor.id) return true;
    return false;
  };
  const anchor = (node: GraphNode): string => (isCluster(node) ? `${node.id}/anchor` : node.id);
  const clusterName = (node: GraphNode): string => quote(`cluster_${node.id}`);
  const lines: string[] = [
    `digraph ${quote(graph.name)} {`,
    '  compound=true;',
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];

  const writeState = (node: GraphNode, indent: string, parent: GraphNode | undefined): void => {
    if (!isCluster(node)) {
      const shape = node.type === 'final' ? ', peripheries=2' : node.type === 'history' ? ', shape=circle' : '';
      const label = node.type === 'history' ? (node.history === 'deep' ? 'H*' : 'H') : node.key;
      lines.push(`${indent}${quote(node.id)} [label=${quote(label)}${shape}];`);
      return;
    }
    const dashed = parent?.type === 'parallel' ? ' style=dashed;' : '';
    const kind = node.type === 'parallel' ? ' (parallel)' : '';
    lines.push(`${indent}subgraph ${clusterName(node)} {`);
    lines.push(`${indent}  label=${quote(node.key + kind)};${dashed}`);
    lines.push(`${indent}  ${quote(anchor(node))} [shape=point, width=0.12, label=""];`);
    for (const childId of node.children) writeState(byId.get(childId) as GraphNode, indent + '  ', node);
    lines.push(`${indent}}`);
    if (node.initial !== undefined) {
      const initial = byId.get(node.initial) as GraphNode;
      const lhead = isCluster(initial) ? `, lhead=${clusterName(initial)}` : '';
      lines.push(`${indent}${quote(anchor(node))} -> ${quote(anchor(initial))} [style=dotted${lhead}];`);
    }
  };

  writeState(byId.get(graph.root) as GraphNode, '  ', undefined);
  for (const edge of graph.edges) {
    const source = byId.get(edge.source) as GraphNode;
    const targets = edge.targets.length > 0 ? edge.targets : [edge.source];
    for (const targetId of targets) {
      const target = byId.get(targetId) as GraphNode;
      const attrs = [`label=${quote(edgeText(edge))}`];
      // Graphviz clips an edge to a cluster's border only when the other end lies outside it.
      if (isCluster(source) && !within(target, source)) attrs.push(`ltail=${clusterName(source)}`);
      if (isCluster(target) && !within(source, target)) attrs.push(`lhead=${clusterName(target)}`);
      if (edge.targets.length === 0) attrs.push('style=dashed');
      lines.push(`  ${quote(anchor(source))} -> ${quote(anchor(target))} [${attrs.join(', ')}];`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

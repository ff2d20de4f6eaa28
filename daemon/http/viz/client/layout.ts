/**
 * Lays a machine graph out with ELK's layered algorithm (nested states as nested ELK nodes,
 * one hierarchical layout so edges may cross state borders). Transitions without a target and
 * transitions of the machine itself are not edges: the chart lists them as text inside the
 * state, so only they size the box.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { GraphEdge, GraphNode, MachineGraph } from './types.js';

export interface Box {
  readonly node: GraphNode;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly inner: readonly string[];
}

export interface Route {
  readonly edge: GraphEdge;
  readonly points: readonly { x: number; y: number }[];
  readonly label?: { x: number; y: number; text: string };
}

export interface ChartLayout {
  readonly boxes: readonly Box[];
  readonly routes: readonly Route[];
  /** Transitions of the machine itself, taken in any state. */
  readonly global: readonly string[];
  readonly width: number;
  readonly height: number;
}

const CHAR = 6.6;
const LINE = 14;
const HEADER = 22;

export function edgeText(e: GraphEdge): string {
  return e.guard !== undefined ? `${e.label} [${e.guard}]` : e.label;
}

const elk = new ELK();

export async function layoutMachine(graph: MachineGraph): Promise<ChartLayout> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const inner = new Map<string, string[]>();
  const routed: GraphEdge[] = [];
  const global: string[] = [];
  for (const e of graph.edges) {
    if (e.source === graph.root) global.push(`${edgeText(e)} → ${e.targets.map((t) => byId.get(t)?.key ?? t).join(', ')}`);
    else if (e.targets.length === 0) inner.set(e.source, [...(inner.get(e.source) ?? []), edgeText(e)]);
    else routed.push(e);
  }
  const toElk = (n: GraphNode): ElkNode => {
    const lines = inner.get(n.id) ?? [];
    const textWidth = Math.max(n.key.length * 7.5, ...lines.map((l) => l.length * CHAR)) + 24;
    const base: ElkNode = { id: n.id, labels: [{ text: n.key }] };
    if (n.children.length === 0) return { ...base, width: Math.max(90, textWidth), height: 30 + lines.length * LINE };
    return {
      ...base,
      layoutOptions: { 'elk.padding': `[top=${HEADER + 8 + lines.length * LINE},left=14,bottom=14,right=14]`, 'elk.direction': 'DOWN' },
      children: n.children.map((c) => toElk(byId.get(c) as GraphNode)),
    };
  };
  const root = byId.get(graph.root) as GraphNode;
  const edges: ElkExtendedEdge[] = [];
  for (const e of routed) {
    e.targets.forEach((t, i) => {
      const text = edgeText(e);
      edges.push({ id: `${e.id}|${i}`, sources: [e.source], targets: [t], labels: [{ text, width: text.length * CHAR, height: LINE }] });
    });
  }
  const laidOut: ElkNode = await elk.layout({
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.nodeNode': '30',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      // Every shape and edge in the coordinates of the whole drawing, not of its parent state.
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
    },
    children: root.children.map((c) => toElk(byId.get(c) as GraphNode)),
    edges,
  });

  const boxes: Box[] = [];
  const walk = (n: ElkNode): void => {
    const node = byId.get(n.id);
    if (node) boxes.push({ node, x: n.x ?? 0, y: n.y ?? 0, width: n.width ?? 0, height: n.height ?? 0, inner: inner.get(n.id) ?? [] });
    for (const c of n.children ?? []) walk(c);
  };
  walk(laidOut);
  const edgeById = new Map(routed.map((e) => [e.id, e]));
  const routes: Route[] = [];
  for (const e of laidOut.edges ?? []) {
    const edge = edgeById.get(e.id.slice(0, e.id.lastIndexOf('|')));
    const section = e.sections?.[0];
    if (!edge || !section) continue;
    const label = e.labels?.[0];
    routes.push({
      edge,
      points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint],
      ...(label && label.text ? { label: { x: label.x ?? 0, y: (label.y ?? 0) + LINE - 3, text: label.text } } : {}),
    });
  }
  return { boxes, routes, global, width: laidOut.width ?? 0, height: laidOut.height ?? 0 };
}

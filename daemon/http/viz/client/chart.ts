/**
 * Draws a laid-out machine as SVG: nested state boxes (parallel regions dashed, final states
 * double-bordered), routed transitions with their labels, the active states highlighted, and
 * the transitions just taken flashing.
 */
import { svg } from './dom.js';
import type { ChartLayout } from './layout.js';

export interface DrawnChart {
  readonly element: SVGSVGElement;
  setActive(ids: readonly string[]): void;
  flash(edgeIds: readonly string[]): void;
}

export function drawChart(layout: ChartLayout): DrawnChart {
  const pad = 12;
  const width = layout.width + pad * 2;
  const height = layout.height + pad * 2;
  const root = svg('svg', { viewBox: `${-pad} ${-pad} ${width} ${height}`, width, height, class: 'chart' });
  const defs = svg('defs');
  // Sized in drawing units, so that a thick flashing edge keeps a normal arrowhead.
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(marker);
  root.append(defs);

  const nodes = new Map<string, SVGGElement>();
  for (const box of layout.boxes) {
    const parallelRegion = box.node.parent !== undefined && layout.boxes.find((b) => b.node.id === box.node.parent)?.node.type === 'parallel';
    const g = svg('g', { class: `state ${box.node.type}${parallelRegion ? ' region' : ''}`, 'data-state': box.node.id });
    g.append(svg('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 8 }));
    if (box.node.type === 'final') g.append(svg('rect', { x: box.x + 3, y: box.y + 3, width: box.width - 6, height: box.height - 6, rx: 6, class: 'inner-border' }));
    const title = svg('text', { x: box.x + 10, y: box.y + 18, class: 'state-name' });
    title.textContent = box.node.type === 'parallel' ? `${box.node.key} ∥` : box.node.key;
    g.append(title);
    box.inner.forEach((line, i) => {
      const t = svg('text', { x: box.x + 10, y: box.y + 32 + i * 14, class: 'internal' });
      t.textContent = line;
      g.append(t);
    });
    root.append(g);
    nodes.set(box.node.id, g);
  }

  const edges = new Map<string, SVGGElement[]>();
  for (const route of layout.routes) {
    const g = svg('g', { class: 'transition', 'data-edge': route.edge.id });
    const d = route.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
    g.append(svg('path', { d, 'marker-end': 'url(#arrow)' }));
    if (route.label) {
      const t = svg('text', { x: route.label.x, y: route.label.y, class: 'edge-label' });
      t.textContent = route.label.text;
      g.append(t);
    }
    root.append(g);
    edges.set(route.edge.id, [...(edges.get(route.edge.id) ?? []), g]);
  }

  return {
    element: root,
    setActive(ids) {
      const active = new Set(ids);
      for (const [id, g] of nodes) g.classList.toggle('active', active.has(id));
    },
    flash(edgeIds) {
      for (const id of edgeIds) {
        for (const g of edges.get(id) ?? []) {
          g.classList.remove('fired');
          // Reading layout restarts the CSS animation when the same edge fires twice in a row.
          void g.getBoundingClientRect();
          g.classList.add('fired');
        }
      }
    },
  };
}

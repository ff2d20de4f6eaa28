/**
 * The statechart page: loads the machine graphs and the actor table, then follows the
 * daemon's event stream. Selecting an actor draws its machine with the active states
 * highlighted; each transition it takes flashes on the chart and lands in the event log.
 */
import './style.css';
import { drawChart, type DrawnChart } from './chart.js';
import { byId, el } from './dom.js';
import { layoutMachine, type ChartLayout } from './layout.js';
import { EventLogView } from './log.js';
import { renderTree } from './tree.js';
import type { ActorRow, LoggedEvent, MachineGraph } from './types.js';

const api = document.body.dataset.api ?? '/api/';
const rows = new Map<string, ActorRow>();
const layouts = new Map<string, Promise<ChartLayout>>();
let graphs = new Map<string, MachineGraph>();
let selected: string | undefined;
let chart: DrawnChart | undefined;

const tree = byId<HTMLUListElement>('actor-tree');
const status = byId('status');
const log = new EventLogView(byId('log-rows'), byId<HTMLInputElement>('log-filter'));

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(api + path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

function graphOf(row: ActorRow): MachineGraph | undefined {
  return row.machine !== undefined ? graphs.get(row.machine) : [...graphs.values()].find((g) => g.id === row.machineId);
}

function redrawTree(): void {
  renderTree(tree, rows.values(), selected, Date.now());
}

async function select(sessionId: string): Promise<void> {
  selected = sessionId;
  const row = rows.get(sessionId);
  redrawTree();
  const view = byId('chart-view');
  const title = byId('chart-title');
  if (!row) return;
  title.textContent = `${row.systemId ?? row.id} · ${row.machine ?? row.machineId ?? row.src}`;
  history.replaceState(null, '', `#actor=${encodeURIComponent(row.systemId ?? row.id)}`);
  const graph = graphOf(row);
  chart = undefined;
  if (!graph) {
    const why = row.machineId !== undefined ? `its machine "${row.machineId}" is not in daemon/machine-registry.ts` : `it runs ${row.src} logic, not a state machine`;
    view.replaceChildren(el('p', { class: 'note' }, `No statechart: ${why}.`));
  } else {
    let layout = layouts.get(graph.name);
    if (!layout) layouts.set(graph.name, (layout = layoutMachine(graph)));
    const laidOut = await layout;
    if (selected !== sessionId) return;
    const drawn = drawChart(laidOut);
    const global = laidOut.global.length > 0 ? [el('p', { class: 'global' }, `in any state: ${laidOut.global.join(' · ')}`)] : [];
    view.replaceChildren(...global, drawn.element);
    drawn.setActive(rows.get(sessionId)?.activeIds ?? []);
    chart = drawn;
  }
  const labels = new Map((graph?.edges ?? []).map((e) => [e.id, e.label]));
  const name = (e: LoggedEvent): string => (e.edges.length > 0 ? (labels.get(e.edges[0] as string) ?? e.event) : e.event);
  log.replace(await getJson<LoggedEvent[]>(`actors/${encodeURIComponent(sessionId)}/events`).catch(() => []), name);
}

function onTransition(row: ActorRow, entry: LoggedEvent): void {
  rows.set(row.sessionId, row);
  if (row.sessionId === selected) {
    chart?.setActive(row.activeIds);
    chart?.flash(entry.edges);
    log.add(entry);
  }
}

async function resync(): Promise<void> {
  rows.clear();
  for (const row of await getJson<ActorRow[]>('actors')) rows.set(row.sessionId, row);
  redrawTree();
  if (selected !== undefined && rows.has(selected)) await select(selected);
}

function initialSelection(): string | undefined {
  const wanted = /actor=([^&]+)/.exec(location.hash)?.[1];
  const all = [...rows.values()];
  const match = wanted !== undefined ? all.find((r) => (r.systemId ?? r.id) === decodeURIComponent(wanted) && r.status === 'active') : undefined;
  return (match ?? all.find((r) => r.machineId !== undefined))?.sessionId;
}

function connect(): void {
  const source = new EventSource(api + 'events');
  source.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'status live';
  });
  source.addEventListener('error', () => {
    status.textContent = 'disconnected, retrying…';
    status.className = 'status down';
  });
  source.addEventListener('hello', (e) => {
    const { actors } = JSON.parse((e as MessageEvent<string>).data) as { actors: ActorRow[] };
    rows.clear();
    for (const row of actors) rows.set(row.sessionId, row);
    const first = selected !== undefined && rows.has(selected) ? selected : initialSelection();
    redrawTree();
    if (first !== undefined) void select(first);
  });
  source.addEventListener('transition', (e) => {
    const { row, entry } = JSON.parse((e as MessageEvent<string>).data) as { row: ActorRow; entry: LoggedEvent };
    onTransition(row, entry);
  });
  source.addEventListener('actor', (e) => {
    const { row } = JSON.parse((e as MessageEvent<string>).data) as { row: ActorRow };
    rows.set(row.sessionId, row);
  });
  // Frames were dropped because this tab fell behind: reload the table rather than guess.
  source.addEventListener('gap', () => void resync());
}

tree.addEventListener('click', (e) => {
  const li = (e.target as HTMLElement).closest<HTMLElement>('li[data-session]');
  if (li?.dataset.session !== undefined) void select(li.dataset.session);
});

async function start(): Promise<void> {
  const list = await getJson<MachineGraph[]>('machines');
  graphs = new Map(list.map((g) => [g.name, g]));
  connect();
  // The tree is redrawn on a timer rather than per event: time in state moves, and a burst of
  // transitions then costs one redraw.
  setInterval(redrawTree, 500);
}

start().catch((err: unknown) => {
  status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`;
  status.className = 'status down';
});

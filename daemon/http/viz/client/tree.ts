/**
 * The live actor tree: each actor under its parent, with its machine, current state, time in
 * that state, and marks for restarts and failures. Helper actors (promises, callbacks) show
 * only while they run, so the tree shows the system's shape.
 */
import { duration, el } from './dom.js';
import type { ActorRow } from './types.js';

/**
 * Machines always show (a failed or stopped one is worth seeing); helper logic only while it
 * runs: a failed promise was handled by its parent's onError, which the parent's state shows.
 */
function visible(row: ActorRow): boolean {
  return row.machineId !== undefined || row.status === 'active';
}

function label(row: ActorRow): string {
  return row.systemId ?? row.id;
}

function item(row: ActorRow, now: number, selected: string | undefined): HTMLLIElement {
  const badges: (Node | string)[] = [];
  if (row.restarts > 0) badges.push(el('span', { class: 'badge restarts', title: 'restarts of this actor' }, `↻${row.restarts}`));
  if (row.failures > 0) badges.push(el('span', { class: 'badge failures', title: row.error ?? 'failures' }, `✗${row.failures}`));
  const state = row.machineId !== undefined ? row.state.join(', ') : row.src;
  return el(
    'li',
    {
      class: `actor ${row.status}${row.sessionId === selected ? ' selected' : ''}${row.machineId !== undefined ? ' machine' : ''}`,
      'data-session': row.sessionId,
      'data-actor': label(row),
      title: row.error ?? `${row.machine ?? row.machineId ?? row.src} (${row.sessionId})`,
    },
    el('span', { class: 'name' }, label(row)),
    el('span', { class: 'kind' }, row.machine ?? row.machineId ?? row.src),
    el('span', { class: 'state' }, row.status === 'active' ? state : `${row.status}${state ? ` (${state})` : ''}`),
    el('span', { class: 'since' }, duration(now - row.since)),
    ...badges,
  );
}

export function renderTree(container: HTMLElement, rows: Iterable<ActorRow>, selected: string | undefined, now: number): void {
  const all = [...rows].filter(visible);
  const children = new Map<string | undefined, ActorRow[]>();
  const present = new Set(all.map((r) => r.sessionId));
  for (const row of all) {
    const parent = row.parent !== undefined && present.has(row.parent) ? row.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), row]);
  }
  const build = (parent: string | undefined): HTMLUListElement | undefined => {
    const list = children.get(parent);
    if (!list) return undefined;
    const ul = el('ul');
    for (const row of list) {
      const li = item(row, now, selected);
      const sub = build(row.sessionId);
      if (sub) li.append(sub);
      ul.append(li);
    }
    return ul;
  };
  container.replaceChildren(...(build(undefined)?.childNodes ?? []));
}

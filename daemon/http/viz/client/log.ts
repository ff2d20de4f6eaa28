/**
 * The event log of the selected actor: newest first, filterable, at most MAX_ROWS rows. An
 * event that took a transition is named by the transition's label (`error(openLink)`), the
 * raw XState event type staying in the tooltip.
 */
import { clock, el } from './dom.js';
import type { LoggedEvent } from './types.js';

const MAX_ROWS = 500;

export class EventLogView {
  private entries: LoggedEvent[] = [];
  private filter = '';
  private name: (e: LoggedEvent) => string = (e) => e.event;

  constructor(private readonly body: HTMLElement, input: HTMLInputElement) {
    input.addEventListener('input', () => {
      this.filter = input.value.trim().toLowerCase();
      this.render();
    });
  }

  replace(entries: readonly LoggedEvent[], name: (e: LoggedEvent) => string): void {
    this.name = name;
    this.entries = entries.slice(-MAX_ROWS);
    this.render();
  }

  add(entry: LoggedEvent): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_ROWS) this.entries.shift();
    if (this.matches(entry)) {
      this.body.prepend(this.row(entry));
      while (this.body.childElementCount > MAX_ROWS) this.body.lastElementChild?.remove();
    }
  }

  private matches(e: LoggedEvent): boolean {
    if (this.filter === '') return true;
    return [e.event, this.name(e), ...e.from, ...e.to].some((s) => s.toLowerCase().includes(this.filter));
  }

  private row(e: LoggedEvent): HTMLTableRowElement {
    const changed = e.from.join() !== e.to.join();
    return el(
      'tr',
      { class: changed ? 'changed' : 'same', 'data-seq': String(e.seq) },
      el('td', {}, clock(e.at)),
      el('td', { class: 'event', title: e.event }, this.name(e)),
      el('td', {}, e.from.join(', ')),
      el('td', {}, e.to.join(', ')),
    );
  }

  private render(): void {
    this.body.replaceChildren(...this.entries.filter((e) => this.matches(e)).reverse().map((e) => this.row(e)));
  }
}

/**
 * The inspection hub: fed by XState's inspection stream (`createActor(logic, { inspect:
 * hub.inspect })` on the root actor covers the whole actor system), it keeps a live table of
 * actors (machine, state, time in state, restarts and failures), a bounded log of the events
 * each actor processed with its state before and after, and pushes both to the browsers of
 * the statechart page over server-sent events.
 *
 * Restarts are counted per lineage: a supervisor restarts a child under the same system id, so
 * a new actor whose system id an ended actor had is that actor's restart.
 *
 * Everything is bounded: each actor's log (`eventLogSize`), the number of ended actors kept
 * (`retainEnded`), and each browser's queue (see viz/sse.ts).
 */
import type { ServerResponse } from 'node:http';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { transitionEdgeIds } from '../../machines/graph/from-machine.js';
import { registeredNameOfMachineId } from '../machine-registry.js';
import type { ActorRow, LoggedEvent } from './viz/actor-row.js';
import { activeStateIds, ActorStatus, errorText, machineOf, stateLeaves, statusOf } from './viz/actor-state.js';
import { RingBuffer } from './viz/ring-buffer.js';
export type { ActorRow, LoggedEvent } from './viz/actor-row.js';
import { DEFAULT_SSE_OPTIONS, SseFanout, sseFrame, type SseClient, type SseOptions } from './viz/sse.js';

export interface InspectionHubOptions {
  readonly now: () => number;
  /** Events kept per actor. */
  readonly eventLogSize: number;
  /** Ended actors (done, failed, stopped) kept in the table before the oldest is forgotten. */
  readonly retainEnded: number;
  readonly sse: SseOptions;
}

export const DEFAULT_HUB_OPTIONS: InspectionHubOptions = { now: Date.now, eventLogSize: 200, retainEnded: 100, sse: DEFAULT_SSE_OPTIONS };

interface Tracked {
  readonly row: ActorRow;
  readonly ref: AnyActorRef;
  readonly log: RingBuffer<LoggedEvent>;
  /** Edge ids of the microsteps of the macrostep in progress. */
  pendingEdges: string[];
  pendingSource?: string;
  lineageCounted: boolean;
}

interface Lineage {
  restarts: number;
  failures: number;
  current: string;
}

function srcName(ref: AnyActorRef): string {
  const src = (ref as { src?: unknown }).src;
  return typeof src === 'string' && !src.startsWith('xstate.invoke.') ? src : 'inline';
}

export class InspectionHub {
  private readonly options: InspectionHubOptions;
  private readonly tracked = new Map<string, Tracked>();
  private readonly lineages = new Map<string, Lineage>();
  private readonly ended: RingBuffer<string>;
  private readonly fanout: SseFanout;
  private seq = 0;
  private readonly toCheck = new Set<Tracked>();
  private checkScheduled = false;

  /** Pass as `createActor(logic, { inspect: hub.inspect })`. */
  readonly inspect = (event: InspectionEvent): void => this.onInspection(event);

  constructor(options: Partial<InspectionHubOptions> = {}) {
    this.options = { ...DEFAULT_HUB_OPTIONS, ...options };
    this.ended = new RingBuffer(this.options.retainEnded);
    this.fanout = new SseFanout(this.options.sse);
  }

  /** Every tracked actor, in the order they started. */
  actors(): ActorRow[] {
    for (const t of this.tracked.values()) this.refreshStatus(t);
    for (const t of this.tracked.values()) this.syncLineage(t);
    return [...this.tracked.values()].map((t) => ({ ...t.row }));
  }

  /** The logged events of one actor, oldest first; undefined for an unknown session id. */
  events(sessionId: string): LoggedEvent[] | undefined {
    return this.tracked.get(sessionId)?.log.toArray();
  }

  /** Starts an SSE stream: a `hello` with the actor table, then `actor` and `transition` events. */
  attachStream(res: ServerResponse): SseClient | undefined {
    return this.fanout.attach(res, [sseFrame('hello', { actors: this.actors() })]);
  }

  get streams(): number {
    return this.fanout.size;
  }

  private onInspection(event: InspectionEvent): void {
    switch (event.type) {
      case '@xstate.actor':
        this.onActor(event.actorRef as AnyActorRef);
        return;
      case '@xstate.microstep': {
        const t = this.tracked.get(event.actorRef.sessionId);
        const machine = machineOf(event.actorRef as AnyActorRef);
        if (!t || !machine) return;
        const ids = transitionEdgeIds(machine);
        for (const transition of event._transitions) {
          const id = ids.get(transition);
          if (id !== undefined) t.pendingEdges.push(id);
        }
        return;
      }
      case '@xstate.event': {
        const t = this.tracked.get(event.actorRef.sessionId);
        if (!t) return;
        t.pendingSource = event.sourceRef?.sessionId;
        this.checkAfterEvent(t);
        return;
      }
      case '@xstate.snapshot':
        this.onSnapshot(event.actorRef as AnyActorRef, event.event.type, event.snapshot);
        return;
      default:
        return;
    }
  }

  private onActor(ref: AnyActorRef): void {
    const machine = machineOf(ref);
    const now = this.options.now();
    const parent = (ref as { _parent?: AnyActorRef })._parent?.sessionId;
    const row: ActorRow = {
      sessionId: ref.sessionId,
      id: ref.id,
      ...(parent !== undefined ? { parent } : {}),
      ...(machine ? { machineId: machine.id } : {}),
      ...(machine && registeredNameOfMachineId(machine.id) ? { machine: registeredNameOfMachineId(machine.id) } : {}),
      src: srcName(ref),
      status: ActorStatus.active,
      state: [],
      activeIds: [],
      since: now,
      startedAt: now,
      restarts: 0,
      failures: 0,
      events: 0,
    };
    this.tracked.set(ref.sessionId, { row, ref, log: new RingBuffer(this.options.eventLogSize), pendingEdges: [], lineageCounted: false });
  }

  /** The system id is assigned after the actor is announced, so lineage is settled on its first snapshot. */
  private countLineage(t: Tracked): void {
    t.lineageCounted = true;
    const systemId = (t.ref as { systemId?: string }).systemId;
    if (systemId === undefined) return;
    t.row.systemId = systemId;
    const lineage = this.lineages.get(systemId);
    if (lineage === undefined) {
      this.lineages.set(systemId, { restarts: 0, failures: 0, current: t.row.sessionId });
      return;
    }
    if (lineage.current !== t.row.sessionId) lineage.restarts++;
    lineage.current = t.row.sessionId;
    t.row.restarts = lineage.restarts;
    t.row.failures = lineage.failures;
  }

  /** A failure of an earlier instance may be noticed after its successor started. */
  private syncLineage(t: Tracked): void {
    const lineage = t.row.systemId !== undefined ? this.lineages.get(t.row.systemId) : undefined;
    if (lineage && lineage.current === t.row.sessionId) t.row.failures = lineage.failures;
  }

  private onSnapshot(ref: AnyActorRef, eventType: string, snapshot: unknown): void {
    const t = this.tracked.get(ref.sessionId);
    if (!t) return;
    if (!t.lineageCounted) this.countLineage(t);
    const { row } = t;
    const now = this.options.now();
    const machine = machineOf(ref);
    const value = (snapshot as { value?: unknown }).value;
    const to = machine && value !== undefined ? stateLeaves(value) : [];
    const from = row.state;
    if (to.join('|') !== from.join('|')) row.since = now;
    row.state = to;
    row.activeIds = machine && value !== undefined ? activeStateIds(machine, value as Parameters<typeof activeStateIds>[1]) : [];
    row.events++;
    const entry: LoggedEvent = {
      seq: ++this.seq,
      at: now,
      actor: row.sessionId,
      event: eventType,
      from,
      to,
      edges: t.pendingEdges,
      ...(t.pendingSource !== undefined ? { source: t.pendingSource } : {}),
    };
    t.pendingEdges = [];
    t.pendingSource = undefined;
    t.log.push(entry);
    this.applyStatus(t, statusOf(snapshot), errorText(snapshot));
    this.syncLineage(t);
    this.fanout.broadcast('transition', { row, entry });
  }

  /**
   * XState reports no snapshot when processing an event fails the actor, so the status is
   * read once the event has been processed (synchronously, hence a microtask later).
   */
  private checkAfterEvent(t: Tracked): void {
    this.toCheck.add(t);
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    queueMicrotask(() => {
      this.checkScheduled = false;
      for (const checked of this.toCheck) this.refreshStatus(checked);
      this.toCheck.clear();
    });
  }

  private refreshStatus(t: Tracked): void {
    if (t.row.status !== ActorStatus.active) return;
    const snapshot = t.ref.getSnapshot() as unknown;
    const status = statusOf(snapshot);
    if (status !== ActorStatus.active) {
      this.applyStatus(t, status, errorText(snapshot));
      this.fanout.broadcast('actor', { row: t.row });
    }
  }

  private applyStatus(t: Tracked, status: ActorStatus, error: string | undefined): void {
    const { row } = t;
    if (row.status === status) return;
    row.status = status;
    if (status === ActorStatus.active) return;
    if (status === ActorStatus.error) {
      row.error = error;
      const lineage = row.systemId !== undefined ? this.lineages.get(row.systemId) : undefined;
      if (lineage) lineage.failures++;
      row.failures = lineage ? lineage.failures : row.failures + 1;
    }
    const forgotten = this.ended.push(row.sessionId);
    if (forgotten !== undefined) this.tracked.delete(forgotten);
  }
}

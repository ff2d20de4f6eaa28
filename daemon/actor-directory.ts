// Every live state-machine actor of the daemon, learned from XState's inspection events. Status and metrics
// read it on demand (per call, per scrape), so the per-event cost is one map operation.
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { ActorStatus } from '../ipc/methods/status.js';

interface Entry {
  readonly ref: AnyActorRef;
  readonly machine: string;
}

/** The machine's id, or undefined for callback and promise actors (sockets, requests). */
function machineName(ref: AnyActorRef): string | undefined {
  const logic = (ref as { logic?: { id?: unknown; config?: unknown } }).logic;
  return logic?.config !== undefined && typeof logic.id === 'string' ? logic.id : undefined;
}

export class ActorDirectory {
  private readonly entries = new Map<string, Entry>();

  /** Pass as (or call from) the `inspect` option of the root actor. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type === '@xstate.actor') {
      const ref = event.actorRef as AnyActorRef;
      const machine = machineName(ref);
      if (machine !== undefined) this.entries.set(ref.sessionId, { ref, machine });
    } else if (event.type === '@xstate.snapshot') {
      const status = (event.snapshot as { status?: string }).status;
      if (status === 'stopped' || status === 'done' || status === 'error') this.entries.delete(event.actorRef.sessionId);
    }
  };

  /** Actors still running, with their system id when they have one (e.g. "broker:1"). */
  list(): ActorStatus[] {
    const out: ActorStatus[] = [];
    for (const [sessionId, { ref, machine }] of this.entries) {
      const snapshot = ref.getSnapshot() as { status?: string; value?: unknown };
      if (snapshot.status !== 'active') {
        this.entries.delete(sessionId);
        continue;
      }
      const id = (ref as { systemId?: string }).systemId ?? ref.id ?? sessionId;
      out.push({ id, machine, state: snapshot.value ?? null });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Live actors with their refs, for metrics that read their contexts. */
  refs(): { readonly id: string; readonly machine: string; readonly ref: AnyActorRef }[] {
    return [...this.entries.values()].map(({ ref, machine }) => ({ id: (ref as { systemId?: string }).systemId ?? ref.id, machine, ref }));
  }
}

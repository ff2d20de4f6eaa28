// What the actors do, in the daemon's log, learned from XState's inspection events like the
// actor directory: every state change at debug, every new failure an actor records (a
// connection backing off, a supervisor restarting its child with the child's error, a failed
// metadata refresh) at warn, and an actor failed by an error of a child it does not handle at
// error. (An actor that fails by throwing emits no snapshot; its supervisor's warning names the
// error.) Without it a broker that refuses our credentials, or a child restarted again and again,
// would be visible only in metrics.
//
// Only state values, error messages and actor ids are logged, never a context or an event's
// payload: those hold connection options, and with them SASL passwords and token providers.
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { formatStateValue, type Logger } from './logger.js';

interface Seen {
  state: string;
  /** The last failure logged, by identity: a context keeps its lastError across several states. */
  error: unknown;
}

interface Observed {
  readonly status?: string;
  readonly value?: unknown;
  readonly error?: unknown;
  readonly context?: { readonly lastError?: unknown };
}

function machineName(ref: AnyActorRef): string | undefined {
  const logic = (ref as { logic?: { id?: unknown; config?: unknown } }).logic;
  return logic?.config !== undefined && typeof logic.id === 'string' ? logic.id : undefined;
}

const actorIdOf = (ref: AnyActorRef): string => (ref as { systemId?: string }).systemId ?? ref.id;

export class ActorLog {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly logger: Logger) {}

  /** Pass as (or call from) the `inspect` option of the root actor. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return;
    const ref = event.actorRef as AnyActorRef;
    const machine = machineName(ref);
    if (machine === undefined) return;
    const snapshot = event.snapshot as Observed;
    const actorId = actorIdOf(ref);
    const previous = this.seen.get(ref.sessionId);

    if (snapshot.status === 'error') {
      this.seen.delete(ref.sessionId);
      this.logger.error({ actorId, machine, err: snapshot.error }, `${actorId} failed`);
      return;
    }
    if (snapshot.status === 'stopped' || snapshot.status === 'done') {
      this.seen.delete(ref.sessionId);
      this.logger.debug({ actorId, machine, status: snapshot.status }, `${actorId} ${snapshot.status}`);
      return;
    }

    const state = formatStateValue(snapshot.value);
    const error = snapshot.context?.lastError ?? null;
    if (previous === undefined || previous.state !== state) {
      this.logger.debug({ actorId, machine, state, from: previous?.state }, `${actorId}: ${previous?.state ?? '(start)'} -> ${state}`);
    }
    if (error !== null && error !== previous?.error) {
      this.logger.warn({ actorId, machine, state, err: error }, `${actorId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.seen.set(ref.sessionId, { state, error });
  };
}

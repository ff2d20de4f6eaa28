/**
 * What the inspection hub reports about actors, shared with the browser code (which must not
 * import anything that needs Node), hence a file of types only.
 */
export type ActorStatus = 'active' | 'done' | 'error' | 'stopped';

export interface ActorRow {
  /** Unique per actor instance (XState's session id); restarts get a new one. */
  readonly sessionId: string;
  /** Local id within the parent, e.g. `lane:control`. */
  readonly id: string;
  systemId?: string;
  /** Session id of the parent actor; absent for the root. */
  readonly parent?: string;
  /** Registry name of the machine (see daemon/machine-registry.ts), when it is a registered machine. */
  readonly machine?: string;
  /** Root id of the machine, for machines not in the registry too. */
  readonly machineId?: string;
  /** The name the logic was given in `setup({ actors })` (or `inline`). */
  readonly src: string;
  status: ActorStatus;
  /** Active leaf states, e.g. `['connecting.dialing']`. */
  state: string[];
  /** Ids of every active state node, as in the machine graph. */
  activeIds: string[];
  /** When the current state was entered (ms since the epoch). */
  since: number;
  readonly startedAt: number;
  /** Earlier instances of this lineage (same system id) that ended before this one started. */
  restarts: number;
  /** Instances of this lineage that failed, this one included. */
  failures: number;
  error?: string;
  /** Events this actor has processed. */
  events: number;
}

export interface LoggedEvent {
  /** Increases across the whole hub, so the page can merge streams in order. */
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly event: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** Graph edge ids of the transitions taken (see machines/graph/model.ts). */
  readonly edges: readonly string[];
  /** Session id of the sender, when another actor sent the event. */
  readonly source?: string;
}

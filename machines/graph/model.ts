/**
 * A plain, serialisable picture of a statechart: what the diagram renderers, the
 * `/api/machines` endpoint and the browser page all draw from. It holds names only (no
 * functions, no StateNode objects), so it survives JSON and can be compared in tests.
 */

export const StateKind = {
  atomic: 'atomic',
  compound: 'compound',
  parallel: 'parallel',
  final: 'final',
  history: 'history',
} as const;
export type StateKind = (typeof StateKind)[keyof typeof StateKind];

/** What triggers a transition; the renderers label each kind differently. */
export const TriggerKind = {
  /** An event sent to the actor, e.g. `link.closed` (or a wildcard such as `*`). */
  event: 'event',
  /** `after: { delay: ... }`: fires once the state has been active for the delay. */
  after: 'after',
  /** `always`: eventless, taken as soon as its guard holds. */
  always: 'always',
  /** An invoked actor finished (`invoke.onDone`). */
  invokeDone: 'invoke.done',
  /** An invoked actor failed (`invoke.onError`). */
  invokeError: 'invoke.error',
  /** An invoked actor emitted a snapshot (`invoke.onSnapshot`). */
  invokeSnapshot: 'invoke.snapshot',
  /** A compound or parallel state reached its final state (`onDone`). */
  stateDone: 'state.done',
} as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];

export interface InvokedActor {
  /** The invocation id (children appear under it in the snapshot). */
  readonly id: string;
  /** The logic's name in `setup({ actors })`, or `inline` for logic given in place. */
  readonly src: string;
  readonly systemId?: string;
}

export interface GraphNode {
  /** The XState state id, e.g. `connection.connecting.dialing` (unique in the machine). */
  readonly id: string;
  /** The key within the parent, e.g. `dialing`; the machine id for the root. */
  readonly key: string;
  readonly type: StateKind;
  /** Parent's id; absent for the root. */
  readonly parent?: string;
  /** Ids of the child states, in definition order. */
  readonly children: readonly string[];
  /** Id of the initial child (compound states only). */
  readonly initial?: string;
  /** For history states. */
  readonly history?: 'shallow' | 'deep';
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  readonly invoke: readonly InvokedActor[];
  readonly tags: readonly string[];
  readonly description?: string;
}

export interface GraphEdge {
  /** Unique within the machine: `<source>#<n>`, n counting the source's transitions. */
  readonly id: string;
  readonly source: string;
  /** Target state ids; empty for a targetless transition (actions only, no state change). */
  readonly targets: readonly string[];
  /** The raw XState event descriptor, e.g. `xstate.after.connectTimeout.connection.connecting`. */
  readonly eventType: string;
  readonly trigger: TriggerKind;
  /** For `after`: the delay's name in `setup({ delays })`, or its milliseconds. */
  readonly delay?: string | number;
  /** For invoke.*: the invoked actor's src. */
  readonly invokeSrc?: string;
  readonly guard?: string;
  readonly actions: readonly string[];
  readonly reenter: boolean;
  /** A short human label: `link.closed`, `after connectTimeout`, `done(openLink)`. */
  readonly label: string;
}

export interface ActorLogicInfo {
  /** Name in `setup({ actors })`. */
  readonly name: string;
  /** `machine` for a state machine (its id in `machineId`), `logic` for promise/callback/observable logic. */
  readonly kind: 'machine' | 'logic';
  readonly machineId?: string;
}

export interface MachineGraph {
  /** The name the project registers the machine under (see daemon/machine-registry.ts). */
  readonly name: string;
  /** The machine's root id. */
  readonly id: string;
  readonly root: string;
  /** Every state, root first, then depth-first in definition order. */
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Logic the machine may invoke or spawn. */
  readonly actors: readonly ActorLogicInfo[];
  /** Names of delays, guards and actions declared in `setup`. */
  readonly delays: readonly string[];
  readonly guards: readonly string[];
  readonly actionNames: readonly string[];
}

/** The label of a transition, as every renderer shows it: trigger, then `[guard]`. */
export function triggerLabel(trigger: TriggerKind, eventType: string, extra: { delay?: string | number; invokeSrc?: string }): string {
  switch (trigger) {
    case TriggerKind.after:
      return typeof extra.delay === 'number' ? `after ${extra.delay}ms` : `after ${extra.delay ?? '?'}`;
    case TriggerKind.always:
      return 'always';
    case TriggerKind.invokeDone:
      return `done(${extra.invokeSrc ?? '?'})`;
    case TriggerKind.invokeError:
      return `error(${extra.invokeSrc ?? '?'})`;
    case TriggerKind.invokeSnapshot:
      return `snapshot(${extra.invokeSrc ?? '?'})`;
    case TriggerKind.stateDone:
      return 'done';
    case TriggerKind.event:
      return spawnedChildLabel(eventType) ?? eventType;
  }
}

/**
 * A handler for the done or error event of a spawned child (a supervisor's, say) is an
 * ordinary event to XState; it reads better as `error(child)` than as its raw type.
 */
function spawnedChildLabel(eventType: string): string | undefined {
  const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  return match ? `${match[1]}(${match[2]})` : undefined;
}

/** Index of a graph's nodes by id. */
export function nodeIndex(graph: MachineGraph): Map<string, GraphNode> {
  return new Map(graph.nodes.map((n) => [n.id, n]));
}

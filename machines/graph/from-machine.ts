/**
 * Converts an XState v5 machine into the plain graph of model.ts by walking its resolved
 * StateNode tree (`machine.root`). The resolved tree, unlike the raw config, already has
 * targets turned into state nodes, `after` turned into events, and invoke ids assigned, so the
 * graph shows exactly what the interpreter will run.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import {
  triggerLabel,
  TriggerKind,
  type ActorLogicInfo,
  type GraphEdge,
  type GraphNode,
  type InvokedActor,
  type MachineGraph,
  type StateKind,
} from './model.js';
import { actionNames, guardName } from './names.js';

/** The transition fields the conversion reads (XState's TransitionDefinition, loosely typed). */
interface TransitionLike {
  readonly eventType: string;
  readonly target?: readonly AnyStateNode[] | undefined;
  readonly actions: readonly unknown[];
  readonly guard?: unknown;
  readonly reenter?: boolean;
  readonly delay?: unknown;
}

function isMachine(logic: unknown): logic is AnyStateMachine {
  return typeof logic === 'object' && logic !== null && 'root' in logic && 'definition' in logic;
}

function invokedActors(node: AnyStateNode): InvokedActor[] {
  return node.invoke.map((inv) => {
    const configured = (Array.isArray(node.config.invoke) ? node.config.invoke : [node.config.invoke]).find(
      (c: { id?: string } | undefined) => c !== undefined && (c.id ?? '') === inv.id,
    ) as { src?: unknown } | undefined;
    const inline = typeof inv.src !== 'string' || inv.src.startsWith('xstate.invoke.');
    const inlineLogic = configured?.src ?? undefined;
    const src = !inline ? (inv.src as string) : isMachine(inlineLogic) ? inlineLogic.id : 'inline';
    return { id: inv.id, src, ...(inv.systemId ? { systemId: inv.systemId } : {}) };
  });
}

function toNode(node: AnyStateNode): GraphNode {
  const children = Object.values(node.states as Record<string, AnyStateNode>).map((c) => c.id);
  const initial = node.type === 'compound' ? node.initial?.target[0]?.id : undefined;
  return {
    id: node.id,
    key: node.key,
    type: node.type as StateKind,
    ...(node.parent ? { parent: node.parent.id } : {}),
    children,
    ...(initial !== undefined ? { initial } : {}),
    ...(node.type === 'history' && node.history !== false ? { history: node.history } : {}),
    entry: actionNames(node.entry),
    exit: actionNames(node.exit),
    invoke: invokedActors(node),
    tags: [...node.tags],
    ...(node.description ? { description: node.description } : {}),
  };
}

/** The trigger of a transition, recognised from the event descriptor XState gave it. */
function classify(node: AnyStateNode, t: TransitionLike): { trigger: TriggerKind; invokeSrc?: string; delay?: string | number } {
  if (t.delay !== undefined) {
    const delay = typeof t.delay === 'number' || typeof t.delay === 'string' ? t.delay : 'inline';
    return { trigger: TriggerKind.after, delay };
  }
  const invokes = invokedActors(node);
  for (const [prefix, trigger] of [
    ['xstate.done.actor.', TriggerKind.invokeDone],
    ['xstate.error.actor.', TriggerKind.invokeError],
    ['xstate.snapshot.', TriggerKind.invokeSnapshot],
  ] as const) {
    if (!t.eventType.startsWith(prefix)) continue;
    const inv = invokes.find((i) => t.eventType === prefix + i.id);
    if (inv) return { trigger, invokeSrc: inv.src };
  }
  if (t.eventType === `xstate.done.state.${node.id}`) return { trigger: TriggerKind.stateDone };
  return { trigger: TriggerKind.event };
}

function toEdge(node: AnyStateNode, t: TransitionLike, index: number, always: boolean): GraphEdge {
  const c = always ? { trigger: TriggerKind.always } : classify(node, t);
  const guard = guardName(t.guard);
  return {
    id: `${node.id}#${index}`,
    source: node.id,
    targets: (t.target ?? []).map((s) => s.id),
    eventType: always ? '' : t.eventType,
    trigger: c.trigger,
    ...('delay' in c && c.delay !== undefined ? { delay: c.delay } : {}),
    ...('invokeSrc' in c && c.invokeSrc !== undefined ? { invokeSrc: c.invokeSrc } : {}),
    ...(guard !== undefined ? { guard } : {}),
    actions: actionNames(t.actions),
    reenter: t.reenter ?? false,
    label: triggerLabel(c.trigger, t.eventType, c),
  };
}

/** A node's transitions in edge order: by event descriptor as XState keeps them, then `always`. */
function transitionsOf(node: AnyStateNode): { t: TransitionLike; always: boolean }[] {
  const out: { t: TransitionLike; always: boolean }[] = [];
  for (const list of (node.transitions as Map<string, TransitionLike[]>).values()) for (const t of list) out.push({ t, always: false });
  for (const t of (node.always ?? []) as TransitionLike[]) out.push({ t, always: true });
  return out;
}

function edgesOf(node: AnyStateNode): GraphEdge[] {
  return transitionsOf(node).map(({ t, always }, i) => toEdge(node, t, i, always));
}

const edgeIdCache = new WeakMap<AnyStateMachine, WeakMap<object, string>>();

/**
 * The graph edge id of each of the machine's transition objects, so that the transitions
 * XState reports taking (inspection microsteps) can be lit up on the drawn graph.
 */
export function transitionEdgeIds(machine: AnyStateMachine): WeakMap<object, string> {
  let ids = edgeIdCache.get(machine);
  if (ids) return ids;
  ids = new WeakMap();
  const visit = (node: AnyStateNode): void => {
    transitionsOf(node).forEach(({ t }, i) => ids?.set(t, `${node.id}#${i}`));
    for (const child of Object.values(node.states as Record<string, AnyStateNode>)) visit(child);
  };
  visit(machine.root);
  edgeIdCache.set(machine, ids);
  return ids;
}

function actorInfo(name: string, logic: unknown): ActorLogicInfo {
  return isMachine(logic) ? { name, kind: 'machine', machineId: logic.id } : { name, kind: 'logic' };
}

/** The graph of `machine`, under the registry name `name` (the machine id by default). */
export function machineGraph(machine: AnyStateMachine, name: string = machine.id): MachineGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const visit = (node: AnyStateNode): void => {
    nodes.push(toNode(node));
    edges.push(...edgesOf(node));
    for (const child of Object.values(node.states as Record<string, AnyStateNode>)) visit(child);
  };
  visit(machine.root);
  const impl = machine.implementations;
  return {
    name,
    id: machine.id,
    root: machine.root.id,
    nodes,
    edges,
    actors: Object.entries(impl.actors).map(([n, logic]) => actorInfo(n, logic)),
    delays: Object.keys(impl.delays),
    guards: Object.keys(impl.guards),
    actionNames: Object.keys(impl.actions),
  };
}

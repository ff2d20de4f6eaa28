/**
 * Reading a running actor for the page: which machine it runs, which states are active, and
 * how its snapshot's status reads. Kept apart from the hub so the hub deals only in events.
 */
import type { AnyActorRef, AnyStateMachine, AnyStateNode, StateValue } from 'xstate';

import type { ActorStatus as ActorStatusName } from './actor-row.js';

export const ActorStatus = { active: 'active', done: 'done', error: 'error', stopped: 'stopped' } as const satisfies Record<ActorStatusName, ActorStatusName>;
export type ActorStatus = ActorStatusName;

export function machineOf(actor: AnyActorRef): AnyStateMachine | undefined {
  const logic = (actor as { logic?: unknown }).logic;
  return typeof logic === 'object' && logic !== null && 'root' in logic && 'definition' in logic ? (logic as AnyStateMachine) : undefined;
}

/** Ids of every active state node (ancestors included, root excluded) for a state value. */
export function activeStateIds(machine: AnyStateMachine, value: StateValue): string[] {
  const ids: string[] = [];
  const walk = (node: AnyStateNode, v: StateValue): void => {
    const states = node.states as Record<string, AnyStateNode>;
    if (typeof v === 'string') {
      const child = states[v];
      if (child) ids.push(child.id);
      return;
    }
    for (const [key, sub] of Object.entries(v)) {
      const child = states[key];
      if (!child) continue;
      ids.push(child.id);
      if (sub !== undefined) walk(child, sub as StateValue);
    }
  };
  walk(machine.root, value);
  return ids;
}

/** Leaf paths of a state value: `connecting.dialing`; several for parallel states. */
export function stateLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  for (const [key, sub] of Object.entries(value as Record<string, unknown>)) {
    const leaves = stateLeaves(sub);
    if (leaves.length === 0) out.push(key);
    else for (const leaf of leaves) out.push(`${key}.${leaf}`);
  }
  return out;
}

export function statusOf(snapshot: unknown): ActorStatus {
  const status = (snapshot as { status?: unknown } | undefined)?.status;
  return status === 'done' || status === 'error' || status === 'stopped' ? status : ActorStatus.active;
}

export function errorText(snapshot: unknown): string | undefined {
  const error = (snapshot as { error?: unknown } | undefined)?.error;
  if (error === undefined || error === null) return undefined;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

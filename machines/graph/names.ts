/**
 * Names for the things a machine definition holds as values: actions, guards and actor logic.
 * A definition mixes strings (`'recordFailure'`), parameterised objects (`{ type, params }`),
 * XState's built-in action creators (functions tagged with `type: 'xstate.assign'` and so on)
 * and inline functions; a diagram needs one short readable name for each.
 */

/** Function names JavaScript infers from the property an inline function was written under. */
const inferredPropertyNames = new Set(['guard', 'actions', 'entry', 'exit', 'action', '']);

type Tagged = { type?: unknown; guards?: unknown; stateValue?: unknown; src?: unknown; to?: unknown; id?: unknown; sendId?: unknown };

function inlineName(fn: { name: string }): string {
  return inferredPropertyNames.has(fn.name) ? 'inline' : fn.name;
}

function builtInActionName(type: string, action: Tagged): string {
  const short = type.slice('xstate.'.length);
  if (type === 'xstate.spawnChild' && typeof action.src === 'string') return `spawnChild(${action.src})`;
  if (type === 'xstate.sendTo' && typeof action.to === 'string') return `sendTo(${action.to})`;
  return short;
}

/** One action's display name, or undefined for the raise/cancel pairs XState adds for `after`. */
export function actionName(action: unknown): string | undefined {
  if (typeof action === 'string') return action;
  if (action === null || action === undefined) return undefined;
  const tagged = action as Tagged;
  if (typeof action === 'function' || typeof action === 'object') {
    const type = tagged.type;
    if (typeof type === 'string') {
      if (isDelayTimerAction(type, tagged)) return undefined;
      return type.startsWith('xstate.') ? builtInActionName(type, tagged) : type;
    }
    if (typeof action === 'function') return inlineName(action);
  }
  return String(action);
}

function isDelayTimerAction(type: string, action: Tagged): boolean {
  if (type === 'xstate.raise') return typeof action.id === 'string' && action.id.startsWith('xstate.after.');
  if (type === 'xstate.cancel') return typeof action.sendId === 'string' && action.sendId.startsWith('xstate.after.');
  return false;
}

/** Display names of a list of actions, dropping XState's internal delay timers. */
export function actionNames(actions: readonly unknown[]): string[] {
  const names: string[] = [];
  for (const a of actions) {
    const name = actionName(a);
    if (name !== undefined) names.push(name);
  }
  return names;
}

/** A guard's display name: `saslConfigured`, `not(ready)`, `and(a, b)`, `in(#x.y)`, `inline`. */
export function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  const tagged = guard as Tagged & { name?: string };
  if (typeof guard === 'object' && typeof tagged.type === 'string') return tagged.type;
  if (typeof guard === 'function') {
    if (Array.isArray(tagged.guards) && (guard.name === 'and' || guard.name === 'or' || guard.name === 'not')) {
      return `${guard.name}(${tagged.guards.map((g) => guardName(g) ?? '?').join(', ')})`;
    }
    if (guard.name === 'stateIn' && tagged.stateValue !== undefined) {
      return `in(${typeof tagged.stateValue === 'string' ? tagged.stateValue : JSON.stringify(tagged.stateValue)})`;
    }
    return inlineName(guard);
  }
  return String(guard);
}

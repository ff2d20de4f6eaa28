/**
 * Stopping what a failed actor leaves behind. When an actor fails by throwing (our machines
 * escalate that way), XState (5.x) stops the actor itself but not its children: they keep
 * running, unreachable, as orphans (see the TODO above `_stopProcedure` in xstate's
 * createActor), holding their sockets and timers, and a daemon that gave up could not exit. A
 * supervisor therefore stops the failed child's subtree itself before restarting or escalating.
 *
 * What this cannot reach: an actor that fails because a child of its own failed (an unhandled
 * `xstate.error.actor.*`) has its other children stopped by XState, but its snapshot no longer
 * lists the failed child, whose own children stay orphans. So an actor that throws must release
 * what it holds first, as the connection machine's `failed` state closes its socket.
 */
import type { AnyActorRef } from 'xstate';

/** XState's own stop event: what `stopChild` enqueues; a machine stops its children on it. */
const XSTATE_STOP = { type: 'xstate.stop' } as const;

function childrenOf(ref: AnyActorRef): AnyActorRef[] {
  const children = (ref.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children;
  return children === undefined ? [] : Object.values(children).filter((c): c is AnyActorRef => c !== undefined);
}

/**
 * Stops every descendant of `failed` that still runs. A running descendant is stopped with its
 * own subtree (its machine stops its children); a failed one is searched in turn, since its
 * children are orphans too.
 */
export function stopDescendants(failed: AnyActorRef | undefined): void {
  if (failed === undefined) return;
  for (const child of childrenOf(failed)) {
    if ((child.getSnapshot() as { status?: string }).status === 'active') child.send(XSTATE_STOP as never);
    else stopDescendants(child);
  }
}

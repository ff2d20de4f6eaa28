/**
 * One connected app as an actor (`session:<id>`, a child of its listener), so the actor tree,
 * `status` and the statechart page show who is connected. It only mirrors the session's
 * lifecycle: open, draining (no new calls; those in flight are answered), closed. Frames never
 * reach it: calls go from the transport to the dispatcher directly.
 */
import { createActor, setup, type AnyActorRef } from 'xstate';
import type { Session } from './session.js';
import type { TransportName } from './session.js';

export interface SessionActorInput {
  readonly session: Session;
}

export interface SessionActorContext {
  /** The session's id as hello reports it, e.g. "unix:3". */
  readonly id: string;
  readonly transport: TransportName;
  readonly session: Session;
}

type SessionLifecycleEvent = { type: 'session.draining' } | { type: 'session.closed' };

/** The actor's system id for a session: `session:unix:3`. */
export function sessionSystemId(sessionId: string): string {
  return `session:${sessionId}`;
}

export const sessionMachine = setup({
  types: {
    input: {} as SessionActorInput,
    context: {} as SessionActorContext,
    events: {} as SessionLifecycleEvent,
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({ id: input.session.id, transport: input.session.transport, session: input.session }),
  initial: 'open',
  states: {
    open: {
      on: { 'session.draining': 'draining', 'session.closed': 'closed' },
    },
    draining: {
      on: { 'session.closed': 'closed' },
    },
    closed: { type: 'final' },
  },
});

/**
 * Starts the actor of a session (under `parent`, its listener) and feeds it the session's two
 * lifecycle promises; nothing per call. The promises are wired here rather than by an invoked
 * callback actor so that a connecting app costs one actor, not two.
 */
export function startSessionActor(session: Session, parent?: AnyActorRef): AnyActorRef {
  const id = sessionSystemId(session.id);
  const actor = createActor(sessionMachine, { ...(parent ? { parent } : {}), id, systemId: id, input: { session } }).start();
  void session.draining.then(() => actor.send({ type: 'session.draining' }));
  void session.ended.then(() => actor.send({ type: 'session.closed' }));
  return actor;
}
